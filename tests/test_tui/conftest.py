"""The UI tests keep the user's cache and state folders out of reach: each test gets its own."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point XDG_CACHE_HOME (stored-source copies) and XDG_STATE_HOME (table state) at temp folders."""
    base: Path = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
