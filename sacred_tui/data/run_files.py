"""Provides RunFiles: quick reads of one run's JSON files, with core.runs' tolerant reader behind.

Loading a folder of twenty thousand runs reads sixty thousand small JSON files; most are fine, and
a plain parse of each (:func:`core.runs.fast_json.loads`) is the fastest way through. Only when a
file is missing, torn or not JSON does the read go through :class:`core.runs.StoredRun`, which retries torn files, keeps the
last good value and words the problem (``run.json: incomplete JSON ...``).
"""
from __future__ import annotations

from typing import Any

from core.runs import CONFIG_JSON, RUN_JSON, RunsFolder, StoredRun, fast_json
from core.runs.layout import PROCESS_JSON
from core.runs.safe_open import read_regular


class RunFiles:
    """Reads the files of one run; ``problems()`` tells what was wrong with them."""

    def __init__(self, folder: RunsFolder, run_id: str, *, keep: bool = False) -> None:
        self.folder = folder
        self.run_id = run_id
        self.keep = keep
        self._stored: StoredRun | None = None
        self._base = f"{folder.path}/{run_id}/"

    def _stored_run(self) -> StoredRun:
        if self._stored is None:
            # A kept reader remembers the last good values of a run that is still being written.
            self._stored = (self.folder.run(self.run_id) if self.keep
                            else StoredRun(self.folder.path, self.run_id))
        return self._stored

    def _quick(self, name: str) -> dict[str, Any] | None:
        if self.keep:
            return None
        try:
            # A FIFO or device named run.json must not block or flood: regular files only.
            value = fast_json.loads(read_regular(self._base + name))
        except (OSError, ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None

    def run_json(self) -> dict[str, Any]:
        """Return run.json as a dict ({} when it cannot be read at all)."""
        value = self._quick(RUN_JSON)
        if value is not None:
            return value
        return self._stored_run().read_record().raw

    def config_json(self) -> dict[str, Any]:
        """Return config.json as a dict ({} when it cannot be read)."""
        value = self._quick(CONFIG_JSON)
        if value is not None:
            return value
        return self._stored_run().read_config()

    def process(self) -> tuple[int | None, str | None]:
        """Return (pid, hostname) from process.json, which our observer writes (Sacred does not)."""
        value = self._quick(PROCESS_JSON)
        if value is None:
            return self._stored_run().read_process() if self.keep else (None, None)
        pid, hostname = value.get("pid"), value.get("hostname")
        return (pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
                hostname if isinstance(hostname, str) else None)

    def problems(self) -> list[str]:
        """Return the problems found by the reads that needed the tolerant reader."""
        return [] if self._stored is None else self._stored.problems()

    def folder_unreadable(self) -> bool:
        """True when the run folder itself cannot be entered (its files' own problems say no more)."""
        return self._stored is not None and self._stored.folder_problem() is not None
