"""Provides source_copy: a folder holding a run's stored sources at their recorded paths.

Sacred keeps every source file of a run in the runs folder's ``_sources/`` (one copy per content),
and every resource it opened in ``_resources/``.
When the script a run was started from has moved or changed, the run can still be re-run, and its
defaults read, from a copy of those files laid out as they were (``helper.py`` next to
``train.py``, ``data/input.txt`` where the run opened it when that was inside its folder). The copy lives in the user's cache folder (``$XDG_CACHE_HOME/sacred-tui/sources/``,
never inside the runs folder), one folder per set of files, named by their digests; it is built in
a temporary folder and renamed into place, so a half-made copy is never used.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = ["SourceCopy", "SourcesUnavailable", "cache_root", "source_copy"]

_COMPLETE = ".complete"


class SourcesUnavailable(Exception):
    """The run's sources are not stored (completely enough) to make a copy."""


@dataclass(frozen=True, slots=True)
class SourceCopy:
    """A copy of a run's sources: the folder, the script in it and how many files it holds."""


    folder: Path
    script: Path
    files: int
    """Source files copied."""
    resources: int = 0
    """Resources (files the run opened with open_resource) copied to where the run read them."""


def cache_root() -> Path:
    """The user's cache folder for sacred-tui (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sacred-tui"


def _relative(relpath: str) -> PurePosixPath | None:
    path = PurePosixPath(relpath.replace("\\", "/"))
    if not relpath or path.is_absolute() or ".." in path.parts or "\x00" in relpath:
        return None
    return path


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True


def _resources(stored: Any, runs_folder: Path, taken: set[str]) -> list[tuple[PurePosixPath, Path]]:
    """Stored resources the run read from inside its script's folder, at their relative paths."""
    base = stored.read_record().base_dir
    if not base:
        return []
    found = []
    for entry in stored.resources():
        try:
            relative = PurePosixPath(os.path.relpath(entry.original_path, base).replace(os.sep, "/"))
        except ValueError:
            continue
        path = entry.path
        if (_relative(str(relative)) is None or str(relative) in taken or not entry.exists
                or not _inside(path, runs_folder) or not path.is_file()):
            continue
        taken.add(str(relative))
        found.append((relative, path))
    return found


def source_copy(stored: Any, mainfile: str | None) -> SourceCopy:
    """Copy the stored sources of a run (a ``core.runs.StoredRun``) into the cache; reuse a copy.

    Raises:
        SourcesUnavailable: when the script itself or any source file is not stored.
    """
    if not mainfile or _relative(mainfile) is None:
        raise SourcesUnavailable("the run does not record its script's name")
    runs_folder = Path(stored.folder_path)
    files: list[tuple[PurePosixPath, Path]] = []
    missing: list[str] = []
    for entry in stored.sources():
        relative = _relative(entry.relpath)
        path = entry.stored_path
        if relative is None:
            missing.append(f"{entry.relpath} (a path outside the script's folder)")
        elif path is None or not entry.exists or not _inside(path, runs_folder) or not path.is_file():
            missing.append(entry.relpath)
        else:
            files.append((relative, path))
    if not any(str(relative) == str(_relative(mainfile)) for relative, _ in files):
        raise SourcesUnavailable(f"the script {mainfile} is not among the run's stored sources")
    if missing:
        raise SourcesUnavailable(f"stored sources are missing: {', '.join(missing)}")
    sources = len(files)
    files += _resources(stored, runs_folder, {str(relative) for relative, _ in files})
    digest = hashlib.md5()
    for relative, path in sorted(files):
        digest.update(f"{relative}\0{path.name}\0".encode())
    folder = cache_root() / "sources" / digest.hexdigest()[:16]
    script = folder / str(_relative(mainfile))
    if (folder / _COMPLETE).is_file():
        return SourceCopy(folder, script, sources, len(files) - sources)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        for relative, path in files:
            target = building / str(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        (building / _COMPLETE).write_text("")
        try:
            os.rename(building, folder)
        except OSError:
            if not (folder / _COMPLETE).is_file():  # not made by someone else meanwhile
                raise
    except OSError as exc:
        raise SourcesUnavailable(f"cannot copy the stored sources to {folder}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return SourceCopy(folder, script, sources, len(files) - sources)
