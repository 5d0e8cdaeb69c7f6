"""ChildWorker: jobs run in a real child process."""
from __future__ import annotations

from pathlib import Path

import pytest

from sacred_tui.data.child_worker import ChildWorker
from tests.test_tui.child_jobs import numbered


def test_packages_in_the_working_folder_do_not_shadow_the_childs_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sacred-tui started in a project of the user's that has a ``core`` package (a common name)."""
    for package in ("core", "sacred_tui", "tests"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"raise ImportError('the project\\'s own {package}')\n")
    monkeypatch.chdir(tmp_path)
    worker = ChildWorker()
    try:
        assert worker.run(numbered, 3) == numbered(3)
    finally:
        worker.close()
