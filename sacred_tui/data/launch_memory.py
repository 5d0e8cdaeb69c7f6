"""Provides TargetMemory: where each script's sweeps ran last (this machine or SLURM, and the options).

Kept across restarts in the user's state folder (``$XDG_STATE_HOME/sacred-tui/sweep-targets.json``,
by default ``~/.local/state/sacred-tui/``), never in a runs folder. Only a target other than the
default (this machine, one run per core) is written. A file that cannot be read or written is
ignored: remembering is a convenience, never a reason to fail.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.observers.atomic import atomic_write_text

__all__ = ["TargetMemory", "state_dir"]

FILE_NAME = "sweep-targets.json"
MAX_SCRIPTS = 200


def state_dir() -> Path:
    """The user's state folder for sacred-tui."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "sacred-tui"


class TargetMemory:
    """Script path -> the target its last sweep used (``SweepTarget.to_json`` data)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._targets: dict[str, dict[str, Any]] | None = None

    def _file(self) -> Path:
        return self.path if self.path is not None else state_dir() / FILE_NAME

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._targets is None:
            try:
                data = json.loads(self._file().read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._targets = {str(k): v for k, v in data.items() if isinstance(v, dict)} \
                if isinstance(data, dict) else {}
        return self._targets

    def get(self, script: Path) -> dict[str, Any] | None:
        """The target remembered for ``script`` (None: the default)."""
        return self._load().get(str(script))

    def remember(self, script: Path, target: Mapping[str, Any]) -> None:
        """Keep ``target`` for ``script`` (forgetting it when it is the default)."""
        targets = self._load()
        default = dict(target) == {"kind": "local"}
        if default and str(script) not in targets:
            return
        if targets.get(str(script)) == dict(target):
            return
        targets.pop(str(script), None)
        if not default:
            targets[str(script)] = dict(target)
        while len(targets) > MAX_SCRIPTS:
            targets.pop(next(iter(targets)))
        try:
            self._file().parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self._file(), json.dumps(targets, indent=2))
        except OSError:
            pass
