"""Fixtures for running experiment scripts in a subprocess, as a user would."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


class ScriptRunner:
    """Writes scripts into a temp dir and runs them with this interpreter."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, name: str, source: str) -> Path:
        path = self.folder / name
        path.write_text(textwrap.dedent(source))
        return path

    def run(self, name: str, *args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        full_env = dict(os.environ)
        full_env.pop("FORCE_COLOR", None)
        full_env.update(env or {})
        return subprocess.run([sys.executable, name, *args], cwd=self.folder, capture_output=True, text=True,
                              env=full_env, timeout=timeout)

    def start(self, name: str, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.Popen:
        """Start a script without waiting (stderr piped as text; stdout piped unless given)."""
        full_env = dict(os.environ)
        full_env.pop("FORCE_COLOR", None)
        return subprocess.Popen([sys.executable, name, *args], cwd=self.folder, stdout=stdout,
                                stderr=subprocess.PIPE, text=True, env=full_env)


@pytest.fixture
def script(tmp_path: Path) -> ScriptRunner:
    return ScriptRunner(tmp_path)


@pytest.fixture(autouse=True)
def restore_root_logger():
    """A run sets up the root logger as Sacred does (its own handler, level INFO); undo that after each test."""
    import logging
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
