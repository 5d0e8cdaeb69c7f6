"""Provides FolderPoller: finds the runs that changed with about one stat call per run directory.

Stating every tracked file of every run (six per run) costs about a second per poll in a folder of
20,000 runs. Most runs are finished and never change again, so a run is stated in full only when
it is *active* (one of its files was written in the last :data:`ACTIVE_SECONDS`), when its
run.json changed (a heartbeat, a status: Sacred rewrites run.json at every heartbeat, with its
output and metrics, and a run that comes back to life writes it first), or when its turn comes in
a slow rotation that stats every run in full once every :data:`ROTATION` polls, which catches a
file added to or rewritten in an old run. The result has the shape of
:meth:`core.runs.RunsFolder.scan`, so callers compare the same stamps.
"""
from __future__ import annotations

import os
import time
from collections.abc import Mapping

from core.runs import RUN_JSON, RunsFolder, RunStamp, ScanResult, sort_run_ids
from core.runs.folder import FileStamp, stamp_run
from core.runs.layout import TRACKED_FILES

ACTIVE_SECONDS = 300.0
"""A run with a file written this recently is stated in full at every poll."""

ROTATION = 16
"""Every run is stated in full at least once every this many polls."""


def _newest_write_ns(stamp: RunStamp) -> int:
    return max((entry[0] for entry in stamp.files if entry is not None), default=0)


_RUN_JSON_INDEX = TRACKED_FILES.index(RUN_JSON)
_RUN_JSON_SUFFIX = "/" + RUN_JSON


class FolderPoller:
    """Scans one runs folder repeatedly; keeps what it needs between scans (one thread only)."""

    def __init__(self, folder: RunsFolder, *, rotation: int = ROTATION,
                 active_seconds: float = ACTIVE_SECONDS) -> None:
        self.folder = folder
        self.rotation = max(1, rotation)
        self.active_seconds = active_seconds
        self._turn = 0
        self._quiet: dict[str, tuple[RunStamp, str, FileStamp | None, int]] = {}
        """Per run: the stamp last seen, its run.json path and stamp, and the time of its newest
        write (worked out once per stamp, so an unchanged run costs a lookup and one stat)."""
        self._names: list[str] = []
        self._sorted: list[str] = []
        """The run directory names of the previous scan, as listed and sorted (sorting 20,000 ids
        every poll is a tenth of its time; the listing rarely changes)."""
        self.full_stats = 0
        """How many runs the latest scan stated in full (for tests and benchmarks)."""

    def _run_ids(self) -> list[str]:
        names = self.folder.run_dir_names()
        if names != self._names:
            self._names, self._sorted = names, sort_run_ids(names)
        return list(self._sorted)

    def scan(self, known: Mapping[str, RunStamp]) -> ScanResult:
        """Compare the folder with ``known`` (the stamps of the previous scan or of the first read)."""
        result = ScanResult(run_ids=self._run_ids())
        prefix = os.fspath(self.folder.path) + "/"
        active_since = int((time.time() - self.active_seconds) * 1e9)
        rotation = self.rotation
        turn, self._turn = self._turn, (self._turn + 1) % rotation
        quiet_get, quiet_now = self._quiet.get, {}
        known_get, stamps, stat = known.get, result.stamps, os.stat
        full = 0
        for index, run_id in enumerate(result.run_ids):
            before = known_get(run_id)
            if before is not None and index % rotation != turn:
                entry = quiet_get(run_id)
                if entry is None or entry[0] is not before:
                    entry = (before, prefix + run_id + _RUN_JSON_SUFFIX, before.files[_RUN_JSON_INDEX],
                             _newest_write_ns(before))
                quiet_now[run_id] = entry
                if entry[3] < active_since:
                    try:
                        st = stat(entry[1])
                        same = (st.st_mtime_ns, st.st_size) == entry[2]
                    except OSError:
                        same = entry[2] is None
                    if same:
                        stamps[run_id] = before  # nothing points to a change: trust the last stamp
                        continue
            full += 1
            stamp = stamps[run_id] = stamp_run(prefix + run_id)
            if before is None:
                result.new.append(run_id)
            elif stamp != before:
                result.changed[run_id] = stamp.changed_files(before)
        self._quiet = quiet_now
        self.full_stats = full
        if result.new or len(stamps) != len(known):  # else every known run is still here
            result.removed = sort_run_ids([run_id for run_id in known if run_id not in stamps])
        for run_id in result.removed:
            self.folder.forget(run_id)
        return result
