"""Provides RunStore, the cached index of a runs folder: one RunRow per run, refreshed by change.

The first load reads run.json of every run (enough to paint the table), then config.json and the
metrics in a second pass (the runs on screen first, see :meth:`RunStore.prefer`; a finished run's
metrics are summarised straight from metrics.json). Afterwards only runs whose files changed are
read again, and only the files that changed: a new heartbeat re-reads run.json, appended metrics
are read incrementally for running runs. Nothing of a run is kept but its row, so a folder of
20,000 runs stays small. All methods are thread-safe; reading happens on the caller's thread and
never under the store's lock, which is held only to swap rows in, so the UI thread asking for a
row never waits for a file. One run that cannot be read never stops the others: its row carries
the problem instead (reading one run is :class:`~sacred_tui.data.run_row_reader.RunRowReader`'s work).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.runs import RUN_JSON, RunsFolder, RunStamp, StoredRun
from core.runs.folder import stamp_run
from sacred_tui.data.liveness import is_running
from sacred_tui.data.queue_view import read_queue_view
from sacred_tui.data import row_cache
from sacred_tui.data.row_cache import RowCache, kept_line, verified_payload, write_cache
from sacred_tui.data.rows import RunRow, run_id_sort_key
from sacred_tui.data.run_row_reader import ALL_FILES, ReaderClosed, RunRowReader, last_write_of


@dataclass(slots=True)
class StoreUpdate:
    """Rows that changed (new or updated) and ids of runs that are gone."""

    rows: list[RunRow] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rows or self.removed)


class RunStore:
    """The rows of every run in one runs folder (which may not exist yet)."""

    def __init__(self, path: str | Path) -> None:
        self.folder = RunsFolder(path)
        self._rows: dict[str, RunRow] = {}
        self._stamps: dict[str, RunStamp] = {}
        self.reader = RunRowReader(self.folder)
        """Reads one run's row from its files (and follows the metrics of running runs)."""
        self._unenriched: dict[str, None] = {}
        """Runs whose config and metrics are not read yet, in the order they will be."""
        self._preferred: list[str] = []
        self._in_flight: frozenset[str] = frozenset()
        """Runs of the batch :meth:`enrich` is reading (no longer in ``_unenriched``)."""
        self._order: list[str] | None = None
        """The run ids in the order :meth:`rows` returns them (None: sort again)."""
        self._kept: dict[str, tuple[str, RunRow, str | None]] = {}
        """Rows the rows cache may keep: run id -> (cache key, the row read with that key, its payload
        when it came from the cache). Only while the row in ``_rows`` is that very row."""
        self._cache_lines = 0
        """How many rows the cache file held when the latest load read it."""
        self._generation = 0
        """Counts loads: rows read for an older load are not committed."""
        self._lock = threading.RLock()
        """Guards the dicts above; held only to read or swap entries, never across a file read."""

    @property
    def path(self) -> Path:
        """The runs folder."""
        return self.folder.path

    def close(self) -> None:
        """Stop reading: a huge metrics file being summarised in a child process is abandoned."""
        self.reader.close()

    # -- reading the index -------------------------------------------------------------------
    def get(self, run_id: str) -> RunRow | None:
        """Return the row of a run, or None if it is not known."""
        return self._rows.get(run_id)

    def rows(self) -> list[RunRow]:
        """Return every row, numeric ids in numeric order first.

        The order is kept between calls (it changes only when runs come or go), so asking for
        every row of 20,000 runs costs a few milliseconds.
        """
        with self._lock:
            if self._order is None or len(self._order) != len(self._rows):
                self._order = sorted(self._rows, key=run_id_sort_key)
            rows = self._rows
            return [rows[run_id] for run_id in self._order]

    def __len__(self) -> int:
        return len(self._rows)

    def stamps(self) -> dict[str, RunStamp]:
        """Return a copy of the file stamps seen at the latest read of each run."""
        with self._lock:
            return dict(self._stamps)

    @property
    def pending(self) -> int:
        """How many runs still wait for their config and metrics to be read (or are being read)."""
        return len(self._unenriched) + len(self._in_flight)

    def waits_for_details(self, run_id: str) -> bool:
        """True while a run's config and metrics are still to be read (its row will change)."""
        return run_id in self._unenriched or run_id in self._in_flight

    def prefer(self, run_ids: Iterable[str]) -> None:
        """Read the config and metrics of these runs (the ones on screen) before the others."""
        with self._lock:
            self._preferred = [run_id for run_id in run_ids if run_id in self._unenriched]

    def stored_run(self, run_id: str) -> StoredRun:
        """Return the cached reader of one run, for screens that show its details."""
        return self.folder.run(run_id)

    def known_keys(self) -> tuple[list[str], list[str]]:
        """Return the config keys and metric names found in any run, sorted."""
        config: set[str] = set()
        metrics: set[str] = set()
        with self._lock:
            for row in self._rows.values():
                config.update(row.config)
                metrics.update(row.metrics)
        return sorted(config), sorted(metrics)

    # -- loading -----------------------------------------------------------------------------
    def load(self, now: float | None = None) -> list[RunRow]:
        """Read run.json of every run (first pass); config and metrics follow in :meth:`enrich`."""
        return [row for batch in self.load_batches(now=now) for row in batch]

    def load_batches(self, first: int = 200, now: float | None = None,
                     chunk: int = 5000) -> Iterator[list[RunRow]]:
        """Like :meth:`load`, yielding the newest ``first`` runs, then the others ``chunk`` at a time.

        The newest runs are what the table shows on top, so they can be drawn at once; the rest
        arrive in a few big batches (each one costs the table a sort).
        """
        now = time.time() if now is None else now
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._rows, self._stamps, self._unenriched, self._preferred = {}, {}, {}, []
            self._kept, self._order = {}, None
        run_ids = self.folder.list_run_ids()
        newest_first = sorted(run_ids, key=run_id_sort_key, reverse=True)
        base = self.folder.path
        rest = newest_first[first:]
        batches = [newest_first[:first], *(rest[start:start + chunk] for start in range(0, len(rest), chunk))]
        cache = RowCache()
        first_keys: list[tuple[str, str, float | None]] = []
        for index, batch in enumerate(batches):
            if index == 1:  # the newest rows are drawn by now: the kept rows come next
                cache = RowCache.read(base)
                self._cache_lines = len(cache)
            racy_before = time.time_ns() - int(row_cache.RACY_SECONDS * 1e9)
            kept: dict[str, tuple[RunRow, str]] = {}
            try:
                if index == 0:
                    # The newest runs are read here, at once (they are drawn first); the cache later.
                    read = [self.reader.stamped_first_pass_one(run_id, now, racy_before, cache)
                            for run_id in batch]
                    first_keys = [(row.run_id, key, last_write_of(stamp)) for stamp, key, row, _payload in read if key]
                else:
                    # Child processes state each run's files, take its kept row or read run.json.
                    read = self.reader.stamped_first_pass(batch, now, racy_before, cache)
                    if index == 1 and cache:
                        kept = {run_id: found for run_id, key, last_write in first_keys
                                if (found := cache.kept_row(run_id, key, last_write=last_write, now=now))}
            except ReaderClosed:
                return
            with self._lock:
                if generation != self._generation:
                    return
                self._order = None
                for stamp, key, row, payload in read:
                    self._stamps[row.run_id] = stamp
                    self._rows[row.run_id] = row
                    if payload is None:
                        self._unenriched[row.run_id] = None
                    if key is not None:
                        self._kept[row.run_id] = (key, row, payload)
                # The newest runs, read before the cache: their kept rows (config, metrics) too.
                early = [row for row, _payload in kept.values() if self._swap_kept(row, _payload)]
            yield [*early, *(row for _stamp, _key, row, _payload in read)]

    def _swap_kept(self, row: RunRow, payload: str) -> bool:
        """Take the kept row of a run the first batch read without its config and metrics."""
        kept = self._kept.get(row.run_id)
        if (kept is None or kept[2] is not None or row.run_id not in self._unenriched
                or self._rows.get(row.run_id) is not kept[1]):
            return False
        self._rows[row.run_id] = row
        del self._unenriched[row.run_id]
        self._kept[row.run_id] = (kept[0], row, payload)
        return True

    def enrich(self, batch_size: int = 500, now: float | None = None) -> Iterator[list[RunRow]]:
        """Read config and metrics of the rows the first pass left out, yielding batches of rows.

        The runs passed to :meth:`prefer` come first. A row that changed meanwhile (a refresh read
        it whole) is left as it is.
        """
        while True:
            with self._lock:
                generation = self._generation
                batch = self._next_unenriched(batch_size)
                if not batch:
                    return
                previous = [(run_id, self._rows.get(run_id)) for run_id in batch]
                self._in_flight = frozenset(batch)
            stamp_now = time.time() if now is None else now
            try:
                read = self.reader.enrich_many([(run_id, before, self._stamps.get(run_id))
                                                for run_id, before in previous if before is not None], stamp_now)
            except ReaderClosed:
                self._in_flight = frozenset()
                return
            rows = []
            with self._lock:
                self._in_flight = frozenset()
                if generation != self._generation:
                    return
                for before, row in read:
                    if self._rows.get(row.run_id) is before:
                        self._rows[row.run_id] = row
                        rows.append(row)
                        kept = self._kept.get(row.run_id)
                        if kept is not None and kept[1] is before:
                            self._kept[row.run_id] = (kept[0], row, None)
            yield rows

    def save_row_cache(self) -> bool:
        """Write the rows of finished runs to the rows cache, for the next opening of the folder.

        Returns False when nothing was written (nothing new to keep, or the folder is read-only).
        """
        with self._lock:
            entries = [(run_id, key, row, payload) for run_id, (key, row, payload) in self._kept.items()
                       if self._rows.get(run_id) is row]
        now = time.time()
        lines, fresh = [], 0
        for run_id, key, row, payload in entries:
            if payload is None:
                payload = verified_payload(row, now=now)
                if payload is None:
                    continue
                fresh += 1
            lines.append(kept_line(run_id, key, payload))
        if not fresh and len(lines) == self._cache_lines:
            return False  # the file holds exactly these rows already
        return write_cache(self.folder.path, lines)

    def load_all(self, now: float | None = None) -> list[RunRow]:
        """Load every run completely (both passes)."""
        self.load(now)
        for _batch in self.enrich(now=now):
            pass
        return self.rows()

    def refresh(self, changes: Mapping[str, frozenset[str]], removed: Iterable[str] = (),
                now: float | None = None) -> StoreUpdate:
        """Re-read the runs in ``changes`` (run id -> changed file names; empty = all files)."""
        now = time.time() if now is None else now
        update = StoreUpdate()
        with self._lock:
            for run_id in removed:
                if self._drop(run_id):
                    update.removed.append(run_id)
        for run_id, files in changes.items():
            run_dir = self.folder.path / run_id
            if not os.path.isdir(run_dir):
                with self._lock:
                    if self._drop(run_id):
                        update.removed.append(run_id)
                continue
            stamp = stamp_run(str(run_dir))
            row = self.reader.read_safely(run_id, files, now, full=True, changed=True,
                                          previous=self._rows.get(run_id), stamp=stamp)
            with self._lock:
                if run_id not in self._rows:
                    self._order = None
                self._stamps[run_id] = stamp
                self._rows[run_id] = row
                self._unenriched.pop(run_id, None)  # read whole just now
                self._kept.pop(run_id, None)
            update.rows.append(row)
            update.files[run_id] = files
        return update

    def tick(self, now: float | None = None) -> list[RunRow]:
        """Judge liveness of RUNNING runs (and of the queues of waiting ones) again; return changed rows."""
        now = time.time() if now is None else now
        with self._lock:
            candidates = [row for row in self._rows.values()
                          if is_running(row.status) or (row.status == "QUEUED" and row.queue is not None
                                                        and row.queue.owner_alive)]
        changed = []
        for row in candidates:
            run_id = row.run_id
            if is_running(row.status):
                judged = row.with_liveness(now)
                if judged.liveness.dead and not row.liveness.dead:
                    # Its process may just have ended after writing its final status, before the
                    # watcher's news of it arrived: read run.json again before calling it dead.
                    judged = self.reader.read_safely(run_id, frozenset({RUN_JSON}), now, full=True,
                                                     changed=True, previous=row, stamp=self._stamps.get(run_id))
            else:
                # Does the process holding its queue still run? (A queue that stopped is shown.)
                judged = replace(row, queue=read_queue_view(self.folder.path / run_id) or row.queue)
            if judged is not row and judged != row:
                with self._lock:
                    if self._rows.get(run_id) is not row:
                        continue  # read again meanwhile: that is newer
                    self._rows[run_id] = judged
                changed.append(judged)
        return changed

    # -- internals ---------------------------------------------------------------------------
    def _next_unenriched(self, count: int) -> list[str]:
        """Take up to ``count`` runs waiting for their config and metrics (preferred ones first)."""
        batch = [run_id for run_id in self._preferred[:count] if run_id in self._unenriched]
        self._preferred = self._preferred[count:]
        taken = set(batch)
        for run_id in self._unenriched:
            if len(batch) >= count:
                break
            if run_id not in taken:
                batch.append(run_id)
        for run_id in batch:
            del self._unenriched[run_id]
        return batch

    def _drop(self, run_id: str) -> bool:
        self._order = None
        self._unenriched.pop(run_id, None)
        self._kept.pop(run_id, None)
        self._stamps.pop(run_id, None)
        self.reader.forget(run_id)
        return self._rows.pop(run_id, None) is not None
