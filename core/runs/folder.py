"""Provides RunsFolder: listing a Sacred-format runs folder and cheap detection of what changed.

A runs folder holds one directory per run (``1``, ``2``, ``myrun`` ...) plus shared folders that
start with ``_`` (``_sources``, ``_resources``). Listing is one ``os.scandir``; change detection
stats a fixed set of files per run and compares (mtime_ns, size), so a folder of thousands of
finished runs can be rescanned every few seconds without reading any file.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.runs.layout import TRACKED_FILES
from core.runs.quick_pickle import pickled_by_fields
from core.runs.stored import StoredRun

FileStamp = tuple[int, int]
"""(mtime_ns, size) of one file."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RunStamp:
    """The (mtime_ns, size) of each tracked file of a run (None where a file is absent)."""

    files: tuple[FileStamp | None, ...]

    def get(self, name: str) -> FileStamp | None:
        """Return the stamp of one tracked file (``run.json``, ``cout.txt`` ...)."""
        try:
            return self.files[TRACKED_FILES.index(name)]
        except ValueError:
            tracked = ", ".join(TRACKED_FILES)
            raise KeyError(f"{name!r} is not a tracked run file; tracked: {tracked}") from None

    def changed_files(self, before: RunStamp) -> frozenset[str]:
        """Return the names of the files that differ from ``before`` (appeared, vanished, changed)."""
        return frozenset(name for name, now, then in zip(TRACKED_FILES, self.files, before.files)
                         if now != then)


def stamp_run(run_dir: str) -> RunStamp:
    """Stat the tracked files of one run directory."""
    stamps: list[FileStamp | None] = []
    for name in TRACKED_FILES:
        try:
            st = os.stat(f"{run_dir}/{name}")
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_size))
    return RunStamp(tuple(stamps))


@dataclass(slots=True)
class ScanResult:
    """What a scan found: every run's stamp and how the runs differ from the known ones."""

    run_ids: list[str] = field(default_factory=list)
    stamps: dict[str, RunStamp] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)
    changed: dict[str, frozenset[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """True when any run appeared, changed or disappeared."""
        return bool(self.new or self.changed or self.removed)


def numeric_run_id(name: str) -> int | None:
    """The number of a numeric run id (``"12"`` -> 12); None for names such as ``myrun`` or ``²``.

    Only ASCII digits count: ``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses.
    """
    if name.isascii() and name.isdigit():
        return int(name)
    return None


def _sort_key(name: str) -> tuple[int, int, str]:
    number = numeric_run_id(name)
    return (1, 0, name) if number is None else (0, number, name)


def sort_run_ids(run_ids: list[str]) -> list[str]:
    """Sort numeric ids numerically, followed by the other names in text order."""
    return sorted(run_ids, key=_sort_key)


def _check_run_id(run_id: object, folder: Path) -> str:
    if (not isinstance(run_id, str) or run_id in ("", ".", "..")
            or any(char in run_id for char in "/\\\x00")):
        raise ValueError(f"A run id must be the name of a directory inside {str(folder)!r} "
                         f"(no '/', not '.' or '..'); got {run_id!r}")
    return run_id


class RunsFolder:
    """A folder of Sacred-format runs (e.g. ``my_runs/``); it may not exist yet."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._runs: dict[str, StoredRun] = {}

    def __repr__(self) -> str:
        return f"RunsFolder({str(self.path)!r})"

    def exists(self) -> bool:
        """True when the folder exists and is a directory."""
        return self.path.is_dir()

    def list_run_ids(self) -> list[str]:
        """Return the run directory names: numeric ids in numeric order, then the other names.

        Directories whose names start with ``_`` or ``.`` are shared storage, not runs.
        """
        return sort_run_ids(self.run_dir_names())

    def run_dir_names(self) -> list[str]:
        """The run directory names in the order the file system lists them (see :meth:`list_run_ids`)."""
        names: list[str] = []
        try:
            with os.scandir(self.path) as entries:
                for entry in entries:
                    if entry.name[0] in "_.":
                        continue
                    try:
                        if entry.is_dir():
                            names.append(entry.name)
                    except OSError:
                        continue
        except (FileNotFoundError, NotADirectoryError):
            return []
        return names

    def run(self, run_id: str) -> StoredRun:
        """Return the run with this id (the same object each time, so its reads stay cached)."""
        stored = self._runs.get(run_id)
        if stored is None:
            stored = self._runs[_check_run_id(run_id, self.path)] = StoredRun(self, run_id)
        return stored

    def forget(self, run_id: str) -> None:
        """Drop the cached reader of a run (e.g. after it was deleted)."""
        self._runs.pop(run_id, None)

    def scan(self, known: Mapping[str, RunStamp] | None = None) -> ScanResult:
        """Stat every run's tracked files and compare with ``known`` (a previous ``stamps``).

        Pass the returned ``stamps`` as ``known`` next time. Removed runs are also forgotten.
        """
        known = known or {}
        result = ScanResult(run_ids=self.list_run_ids())
        base = os.fspath(self.path)
        for run_id in result.run_ids:
            stamp = result.stamps[run_id] = stamp_run(f"{base}/{run_id}")
            before = known.get(run_id)
            if before is None:
                result.new.append(run_id)
            elif stamp != before:
                result.changed[run_id] = stamp.changed_files(before)
        present = result.stamps
        result.removed = sort_run_ids([run_id for run_id in known if run_id not in present])
        for run_id in result.removed:
            self.forget(run_id)
        return result
