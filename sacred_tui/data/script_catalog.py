"""Provides ScriptCatalog: the scripts the launcher offers and the folders the user vouched for.

Scripts come from the command line (``--script``), from the runs in the folder (each run's
``experiment.base_dir`` + ``mainfile``) and from the file picker. A script inside the runs folder
or inside the folder of a given or known script may be launched directly; any other script only
after the user confirmed it once.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["ScriptCatalog", "scripts_from_runs"]


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(os.path.expanduser(path)))


def scripts_from_runs(store: Any, recent: int = 200) -> list[Path]:
    """Existing scripts recorded by runs of ``store`` (a RunStore), newest first.

    Reads run.json of the newest run of each experiment name and of the ``recent`` newest runs,
    so a folder with thousands of runs costs a bounded number of reads.
    """
    rows = store.rows()
    newest_by_name: dict[str, str] = {}
    for row in rows:
        newest_by_name[row.experiment] = row.run_id
    wanted = [row.run_id for row in reversed(rows[-recent:])]
    wanted += [run_id for run_id in reversed(newest_by_name.values()) if run_id not in wanted]
    found: dict[Path, None] = {}
    for run_id in wanted:
        try:
            record = store.stored_run(run_id).read_record()
        except (OSError, ValueError):
            continue
        if record.base_dir and record.mainfile:
            path = _absolute(Path(record.base_dir) / record.mainfile)
            if path not in found and path.is_file():
                found[path] = None
    return list(found)


class ScriptCatalog:
    """Scripts to offer, in order: given on the command line, known from runs, picked."""

    def __init__(self, runs_dir: str | os.PathLike[str], given: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.runs_dir = _absolute(runs_dir)
        self.given = [_absolute(path) for path in given]
        self.known: list[Path] = []
        self.picked: list[Path] = []
        self._lock = threading.Lock()

    def scripts(self) -> list[Path]:
        """Every script to offer, without duplicates."""
        with self._lock:
            return list(dict.fromkeys([*self.given, *self.known, *self.picked]))

    def add_known(self, paths: Iterable[Path]) -> None:
        """Remember scripts found in the runs."""
        with self._lock:
            self.known = list(dict.fromkeys([*self.known, *(_absolute(p) for p in paths)]))

    def trusted_dirs(self) -> list[Path]:
        """The folders the user named: the runs folder and the folders of given and known scripts."""
        with self._lock:
            dirs = [self.runs_dir, *(p.parent for p in self.given), *(p.parent for p in self.known)]
        return list(dict.fromkeys(dirs))

    def is_trusted(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` may be launched without asking (inside a named folder, or confirmed)."""
        script = _absolute(path)
        with self._lock:
            if script in self.picked or script in self.given or script in self.known:
                return True
        real = Path(os.path.realpath(script))
        for folder in self.trusted_dirs():
            for base in (folder, Path(os.path.realpath(folder))):
                if real == base or base in real.parents or base in script.parents:
                    return True
        return False

    def confirm(self, path: str | os.PathLike[str]) -> Path:
        """Add a script the user picked (and confirmed, when it is outside the named folders)."""
        script = _absolute(path)
        with self._lock:
            if script not in self.picked:
                self.picked.append(script)
        return script
