"""Provides the file operations of the file storage: run-id claims, content-addressed copies, artifacts."""
from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from core.observers.atomic import atomic_copy
from core.observers.retired_ids import highest_retired_id

__all__ = ["RESERVED_NAMES", "check_artifact_name", "claim_run_dir", "copy_artifact", "file_md5",
           "is_inside", "store_by_content", "stored_copy"]

RESERVED_NAMES = ("config.json", "cout.txt", "info.json", "metrics.json", "metrics.jsonl", "process.json",
                  "run.json", "sacred-tui.json")
"""Files of the run record that an artifact may not replace."""

MAX_CLAIM_ATTEMPTS = 1000
_CHUNK = 1 << 20
_md5_cache: dict[tuple[str, int, int, int], str] = {}


def claim_run_dir(basedir: str, run_id: object = None, *, take_queued: bool = False) -> tuple[str, object]:
    """Create and return ``(run folder, id)``: ``run_id`` if given, else the highest numeric id + 1.

    Ids of deleted runs count as taken (see ``retired_ids``): a new run never gets the id of an old one.

    The folder is claimed with ``os.mkdir`` (atomic); on a collision with another process the folder
    is listed again, so any number of processes starting at once get distinct ids. With
    ``take_queued``, an existing folder ``run_id`` holding a QUEUED run is taken over (see
    ``queued_claim``): that is how a run queued with ``-q`` is started with ``--id``.
    """
    key = os.path.abspath(basedir)
    if key not in _last_claimed:
        os.makedirs(basedir, exist_ok=True)  # once per folder and process: later claims need no check
    if run_id is not None:
        path = os.path.join(basedir, str(run_id))
        try:
            _mkdir(basedir, path)
        except FileExistsError:
            if not take_queued:
                raise FileExistsError(f'Run folder "{path}" already exists; choose another --id.') from None
            from core.observers.queued_claim import claim_queued_run
            claim_queued_run(path, "start")
        return path, run_id
    guess = _last_claimed.get(key)
    if guess is not None and not os.path.isdir(os.path.join(basedir, str(guess))):
        guess = None  # the folder was emptied or replaced: number from what is there, as Sacred does
    retired = highest_retired_id(basedir)  # ids of deleted runs are never handed out again
    for _ in range(MAX_CLAIM_ATTEMPTS):
        # The id after the one this process claimed last is usually free: try it before listing the folder.
        number = max(guess + 1 if guess is not None else _max_numeric_id(basedir) + 1, retired + 1)
        guess = None
        path = os.path.join(basedir, str(number))
        try:
            _mkdir(basedir, path)
        except FileExistsError:
            continue
        _last_claimed[key] = number
        return path, str(number)
    raise FileExistsError(f"Could not claim a new run folder in {basedir!r} after {MAX_CLAIM_ATTEMPTS} "
                          "attempts: other processes keep taking the next id.")


_last_claimed: dict[str, int | None] = {}
"""Per runs folder, the numeric id this process claimed last (None: the folder exists, no number yet)."""


def _mkdir(basedir: str, path: str) -> None:
    """``os.mkdir(path)``, making ``basedir`` first if it went away since it was last seen."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(basedir, exist_ok=True)
        os.mkdir(path)
    _last_claimed.setdefault(os.path.abspath(basedir), None)


def _max_numeric_id(basedir: str) -> int:
    highest = 0
    try:
        entries = os.scandir(basedir)
    except FileNotFoundError:  # the folder went away since this process last used it
        os.makedirs(basedir, exist_ok=True)
        return 0
    with entries:
        for entry in entries:
            name = entry.name
            if name.isdigit() and name.isascii() and entry.is_dir():
                highest = max(highest, int(name))
    return highest


def file_md5(path: str | os.PathLike) -> str:
    """Hex md5 of a file's bytes (remembered while the file's size and mtime stay the same)."""
    info = os.stat(path)
    key = (os.path.abspath(path), info.st_size, info.st_mtime_ns, info.st_ino)
    digest = _md5_cache.get(key)
    if digest is None:
        hasher = hashlib.md5()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                hasher.update(chunk)
        digest = _md5_cache[key] = hasher.hexdigest()
    return digest


def store_by_content(filename: str | os.PathLike, store_dir: str | os.PathLike) -> Path:
    """Copy ``filename`` to ``store_dir/<stem>_<md5><ext>`` unless that copy exists; return its path."""
    return Path(stored_copy(filename, store_dir))


def stored_copy(filename: str | os.PathLike, store_dir: str | os.PathLike) -> str:
    """``store_by_content`` as a string path."""
    stem, extension = os.path.splitext(os.path.basename(filename))
    name = f"{stem}_{file_md5(filename)}{extension}"
    store_path = os.path.join(store_dir, name)
    try:
        os.stat(store_path)  # usually there already: each run of an experiment stores the same sources
    except (OSError, ValueError):
        os.makedirs(store_dir, exist_ok=True)
        atomic_copy(filename, store_path)
    return store_path


def is_inside(filename: str | os.PathLike, directory: str | os.PathLike) -> bool:
    """Whether ``filename`` lies inside ``directory`` (both resolved)."""
    try:
        Path(filename).resolve().relative_to(Path(directory).resolve())
    except ValueError:
        return False
    return True


def check_artifact_name(name: str) -> None:
    """Refuse names that would leave the run folder or replace a file of the run record."""
    if not isinstance(name, str) or name in ("", ".", ".."):
        raise ValueError(f"Artifact name {name!r} is not a file name; pass name='something.ext'.")
    if _CONTROL_CHAR.search(name):
        raise ValueError(f"Artifact name {name!r} contains a control character (such as a NUL byte or a line "
                         "break); pass a plain name='file.ext'.")
    if os.path.isabs(name) or _SEPARATOR.search(name):
        raise ValueError(f"Artifact name {name!r} must be a plain file name inside the run folder "
                         "(no path separators, no '..', not absolute); pass name='file.ext'.")
    if name in RESERVED_NAMES:
        raise ValueError(f"Artifact name {name!r} would overwrite a file of the run record; reserved names "
                         f"are {', '.join(RESERVED_NAMES)}. Pass another name='...'.")


_CONTROL_CHAR = re.compile("[\x00-\x1f\x7f]")
_SEPARATOR = re.compile("[" + re.escape("".join({"/", "\\", os.sep, os.altsep or "/"})) + "]")


def copy_artifact(source: str | os.PathLike, target: str) -> None:
    """Copy ``source`` to ``target`` through a temporary name; copying a file onto itself is a no-op."""
    try:
        target_info = os.stat(target)
    except (OSError, ValueError):
        target_info = None  # the usual case: a new artifact
    if target_info is not None:
        if os.path.samestat(os.stat(source), target_info):
            return
        if stat.S_ISDIR(target_info.st_mode):
            raise IsADirectoryError(f"Cannot store artifact at {target!r}: a folder of that name exists.")
    atomic_copy(source, target)
