"""Provides RunStore, the cached index of a runs folder: one RunRow per run, refreshed by change.

The first load reads run.json of every run (enough to paint the table), then config.json and the
metrics in a second pass (the runs on screen first, see :meth:`RunStore.prefer`; a finished run's
metrics are summarised straight from metrics.json). Afterwards only runs whose files changed are
read again, and only the files that changed: a new heartbeat re-reads run.json, appended metrics
are read incrementally for running runs. Nothing of a run is kept but its row, so a folder of
20,000 runs stays small. All methods are thread-safe; reading happens on the caller's thread and
never under the store's lock, which is held only to swap rows in, so the UI thread asking for a
row never waits for a file. One run that cannot be read never stops the others: its row carries
the problem instead.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.runs import (CONFIG_JSON, METRICS_JSON, METRICS_JSONL, RUN_JSON, MetricsFollower,
                       RunsFolder, RunStamp, StoredRun)
from core.runs.folder import stamp_run
from sacred_tui.data.annotations import ANNOTATIONS_FILE, Annotations, read_annotations
from sacred_tui.data.rows import (MetricSummary, RunRow, flatten_config, row_from_run_json,
                                  run_id_sort_key)
from sacred_tui.data.liveness import is_running
from sacred_tui.data.metric_summaries import quick_summaries
from sacred_tui.data.processes import read_process_info
from sacred_tui.data.queue_view import read_queue_view
from sacred_tui.data.run_files import RunFiles

logger = logging.getLogger(__name__)

_UNREADABLE_RUN = "this run could not be read"

ALL_FILES: frozenset[str] = frozenset()
"""An empty set of changed file names means "anything may have changed"."""


@dataclass(slots=True)
class StoreUpdate:
    """Rows that changed (new or updated) and ids of runs that are gone."""

    rows: list[RunRow] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rows or self.removed)


def _last_write(stamp: RunStamp | None) -> float | None:
    if stamp is None:
        return None
    times = [entry[0] for entry in stamp.files if entry is not None]
    return max(times) / 1e9 if times else None


def _extend(summary: MetricSummary | None, values: Iterable[float | None]) -> MetricSummary:
    added = MetricSummary.of(values)
    if summary is None or summary.count == 0:
        return added
    if added.count == 0:
        return summary
    lows = [v for v in (summary.min, added.min) if v is not None]
    highs = [v for v in (summary.max, added.max) if v is not None]
    return MetricSummary(added.last, min(lows) if lows else None, max(highs) if highs else None,
                         summary.count + added.count)


class RunStore:
    """The rows of every run in one runs folder (which may not exist yet)."""

    def __init__(self, path: str | Path) -> None:
        self.folder = RunsFolder(path)
        self._rows: dict[str, RunRow] = {}
        self._stamps: dict[str, RunStamp] = {}
        self._followers: dict[str, MetricsFollower] = {}
        self._unenriched: dict[str, None] = {}
        """Runs whose config and metrics are not read yet, in the order they will be."""
        self._preferred: list[str] = []
        self._order: list[str] | None = None
        """The run ids in the order :meth:`rows` returns them (None: sort again)."""
        self._generation = 0
        """Counts loads: rows read for an older load are not committed."""
        self._lock = threading.RLock()
        """Guards the dicts above; held only to read or swap entries, never across a file read."""
        self._follow_lock = threading.Lock()
        """One metrics follower is polled at a time (the refresher and the loader may share one)."""

    @property
    def path(self) -> Path:
        """The runs folder."""
        return self.folder.path

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
        """How many runs still wait for their config and metrics to be read."""
        return len(self._unenriched)

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
            self._order = None
        run_ids = self.folder.list_run_ids()
        newest_first = sorted(run_ids, key=run_id_sort_key, reverse=True)
        base = self.folder.path
        rest = newest_first[first:]
        batches = [newest_first[:first], *(rest[start:start + chunk] for start in range(0, len(rest), chunk))]
        for batch in batches:
            read = []
            for run_id in batch:
                stamp = stamp_run(f"{base}/{run_id}")
                read.append((stamp, self._read_row_safely(run_id, ALL_FILES, now, full=False, previous=None,
                                                          stamp=stamp)))
            with self._lock:
                if generation != self._generation:
                    return
                self._order = None
                for stamp, row in read:
                    self._stamps[row.run_id] = stamp
                    self._rows[row.run_id] = row
                    self._unenriched[row.run_id] = None
            yield [row for _stamp, row in read]

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
            stamp_now = time.time() if now is None else now
            read = [(before, self._enriched_row_safely(run_id, before, stamp_now))
                    for run_id, before in previous if before is not None]
            rows = []
            with self._lock:
                if generation != self._generation:
                    return
                for before, row in read:
                    if self._rows.get(row.run_id) is before:
                        self._rows[row.run_id] = row
                        rows.append(row)
            yield rows

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
            row = self._read_row_safely(run_id, files, now, full=True, changed=True,
                                        previous=self._rows.get(run_id), stamp=stamp)
            with self._lock:
                if run_id not in self._rows:
                    self._order = None
                self._stamps[run_id] = stamp
                self._rows[run_id] = row
                self._unenriched.pop(run_id, None)  # read whole just now
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
                    judged = self._read_row_safely(run_id, frozenset({RUN_JSON}), now, full=True, changed=True,
                                                   previous=row, stamp=self._stamps.get(run_id))
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

    def _enriched_row_safely(self, run_id: str, previous: RunRow, now: float) -> RunRow:
        """The row with its config and metrics read (run.json was read by the first pass).

        Running and waiting runs are read whole, as a refresh reads them (their metrics are followed).
        """
        if is_running(previous.status) or previous.queue is not None:
            return self._read_row_safely(run_id, ALL_FILES, now, full=True, previous=previous,
                                         stamp=self._stamps.get(run_id))
        try:
            reader = RunFiles(self.folder, run_id)
            config = flatten_config(reader.config_json())
            # the first pass already found some of these (run.json, a locked folder): each counts once
            problems = list(dict.fromkeys([*previous.problems, *reader.problems()]))
            metrics: Mapping[str, MetricSummary] | None = quick_summaries(f"{self.folder.path}/{run_id}")
            if metrics is None:
                metrics, metric_problem = self._read_metrics(run_id, {}, running=False)
                if metric_problem and not reader.folder_unreadable():  # a locked folder is one problem
                    problems.append(metric_problem)
            return replace(previous, config=config, metrics=metrics, problems=tuple(problems))
        except Exception:  # the careful path words what is wrong with this run
            return self._read_row_safely(run_id, ALL_FILES, now, full=True, previous=previous,
                                         stamp=self._stamps.get(run_id))

    def _drop(self, run_id: str) -> bool:
        self._order = None
        self._unenriched.pop(run_id, None)
        self._stamps.pop(run_id, None)
        self._followers.pop(run_id, None)
        self.folder.forget(run_id)
        return self._rows.pop(run_id, None) is not None

    def _read_row_safely(self, run_id: str, files: frozenset[str], now: float, *, full: bool,
                         previous: RunRow | None, stamp: RunStamp | None, changed: bool = False) -> RunRow:
        """:meth:`_read_row`, with anything unexpected about one run shown as that run's problem."""
        try:
            return self._read_row(run_id, files, now, full=full, changed=changed, previous=previous,
                                  stamp=stamp)
        except Exception as exc:  # the reader reports bad files itself; this guards the rest
            logger.exception("reading run %r failed", run_id)
            problem = f"{_UNREADABLE_RUN} ({type(exc).__name__}: {str(exc)[:200]})"
            self._followers.pop(run_id, None)
            self.folder.forget(run_id)
            if previous is not None:
                kept = tuple(p for p in previous.problems if not p.startswith(_UNREADABLE_RUN))
                return replace(previous, problems=(*kept, problem))
            return RunRow(run_id=run_id, problems=(problem,))

    def _read_row(self, run_id: str, files: frozenset[str], now: float, *, full: bool,
                  previous: RunRow | None, stamp: RunStamp | None, changed: bool = False) -> RunRow:
        """Read what changed of one run and merge it with the row known so far.

        The queue facts (queue.json, slurm.json) are read for waiting and running runs, and for any
        run that ``changed`` while the folder is followed (a SLURM run that just ended still has a
        job to follow); the first load leaves them out for finished runs, so it stays fast.
        ``previous`` is the row known so far, ``stamp`` the file stamps taken before this read.
        """
        live = previous is not None and is_running(previous.status)
        reader = RunFiles(self.folder, run_id, keep=live)
        everything = not files
        raw = reader.run_json()
        running = is_running(raw.get("status"))
        config = previous.config if previous is not None else {}
        if full and (everything or CONFIG_JSON in files or previous is None or not config):
            config = flatten_config(reader.config_json())
        problems = reader.problems()
        annotations, annotation_problem = self._annotations(run_id, files, previous)
        if annotation_problem and not reader.folder_unreadable():  # a locked folder is one problem
            problems = [*problems, annotation_problem]
        metrics = previous.metrics if previous is not None else {}
        if full and (everything or METRICS_JSON in files or METRICS_JSONL in files or not metrics):
            metrics, metric_problem = self._read_metrics(run_id, metrics, running)
            if metric_problem and not reader.folder_unreadable():
                problems = [*problems, metric_problem]
        if not running:
            self._followers.pop(run_id, None)
            self.folder.forget(run_id)
        waiting = not raw.get("start_time") and bool(raw)
        queue = (read_queue_view(self.folder.path / run_id, ticket=waiting)
                 if waiting or running or changed else None)
        row = row_from_run_json(run_id, raw, config=config, metrics=metrics, problems=problems,
                                last_write=_last_write(stamp),
                                process=read_process_info(self.folder.path / run_id) if running else None,
                                queue=queue, annotations=annotations, now=now)
        if previous is not None and not raw and any(p.startswith(RUN_JSON) for p in problems):
            # run.json is torn right now: keep what was known and show the problem.
            row = replace(previous, problems=row.problems, last_write=row.last_write)
        if row.liveness.dead:
            # A follower holds the run's metrics; a dead run gets a new one if it revives.
            self._followers.pop(run_id, None)
            self.folder.forget(run_id)
        return row

    def _annotations(self, run_id: str, files: frozenset[str],
                     previous: RunRow | None) -> tuple[Annotations, str | None]:
        """The run's note, tags and archive flag: read again only when their file may have changed."""
        if previous is None or not files or ANNOTATIONS_FILE in files:
            return read_annotations(f"{self.folder.path}/{run_id}")
        kept = next((p for p in previous.problems if p.startswith(ANNOTATIONS_FILE)), None)
        return Annotations(previous.note, previous.tags, previous.archived), kept

    def _read_metrics(self, run_id: str, known: Mapping[str, MetricSummary],
                      running: bool) -> tuple[Mapping[str, MetricSummary], str | None]:
        with self._follow_lock:
            follower = self._followers.get(run_id)
            if follower is None:
                follower = MetricsFollower(self.folder.path / run_id)
                known = {}
            new = follower.poll()
            if running:
                self._followers[run_id] = follower
        if not new:
            return known, follower.problem
        merged = dict(known)
        for name, series in new.items():
            merged[name] = _extend(merged.get(name), series.values)
        return merged, follower.problem
