"""Provides the list of run ids a runs folder must never hand out again (runs that were deleted).

Deleting a run folder would free its id: the next run would get the number of a run people may
still cite. So before a run folder is deleted its id is recorded in
``<runs folder>/_sacred-tui/retired-ids.json``, and new runs are numbered above the highest id
recorded there as well as above the existing run folders. Real Sacred ignores this file.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable

from core.observers.atomic import atomic_write_text

__all__ = ["RETIRED_IDS_DIR", "RETIRED_IDS_FILE", "highest_retired_id", "read_retired_ids", "retire_ids"]

RETIRED_IDS_DIR = "_sacred-tui"
RETIRED_IDS_FILE = "retired-ids.json"


def _path(basedir: str | os.PathLike[str]) -> str:
    return os.path.join(os.fspath(basedir), RETIRED_IDS_DIR, RETIRED_IDS_FILE)


def read_retired_ids(basedir: str | os.PathLike[str]) -> list[str]:
    """Return the retired ids of a runs folder (empty when none; a damaged file reads as none)."""
    try:
        with open(_path(basedir), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    ids = data.get("ids") if isinstance(data, dict) else None
    return [str(run_id) for run_id in ids if isinstance(run_id, (str, int))] if isinstance(ids, list) else []


def highest_retired_id(basedir: str | os.PathLike[str]) -> int:
    """The highest numeric retired id, 0 when there is none."""
    numbers = [int(run_id) for run_id in read_retired_ids(basedir) if run_id.isdigit() and run_id.isascii()]
    return max(numbers, default=0)


def retire_ids(basedir: str | os.PathLike[str], run_ids: Iterable[str]) -> None:
    """Add ``run_ids`` to the folder's retired ids (atomically; call before deleting the runs)."""
    known = read_retired_ids(basedir)
    added = [str(run_id) for run_id in run_ids if str(run_id) not in known]
    if not added:
        return
    os.makedirs(os.path.join(os.fspath(basedir), RETIRED_IDS_DIR), exist_ok=True)
    text = json.dumps({"about": "Ids of deleted runs: new runs are numbered above them (sacred-tui).",
                       "ids": known + added}, indent=1)
    atomic_write_text(_path(basedir), text + "\n")
