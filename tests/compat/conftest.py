"""Differential tests: every case runs through real Sacred 0.8.7 and through ``core``; outcomes must match.

All cases of the session run together, up front, in fork servers (two per library), so the whole set costs
about as much as a few dozen plain interpreter starts.
"""
from __future__ import annotations

import importlib.util

import pytest

from compat_harness import REGISTERED, Outcome, run_cases


def _sacred_problem() -> str | None:
    if importlib.util.find_spec("sacred") is None:
        return "sacred is not installed (pip install -e '.[dev]' installs sacred==0.8.7)"
    try:
        import sacred
    except Exception as error:  # noqa: BLE001 - e.g. a missing pkg_resources on new setuptools
        return f"sacred cannot be imported: {type(error).__name__}: {error}"
    if sacred.__version__ != "0.8.7":
        return f"these tests compare against sacred 0.8.7, found {sacred.__version__}"
    return None


@pytest.fixture(scope="session")
def compat_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Outcome]]:
    problem = _sacred_problem()
    if problem:
        pytest.skip(problem)
    return run_cases(REGISTERED, tmp_path_factory.mktemp("compat"))
