"""Provides RunRowReader: how one run's row is read from its files, for the store's index.

Reading is kept apart from the index (:class:`~sacred_tui.data.store.RunStore`) because it is the
part that touches files: it runs on the caller's thread, never under the store's lock, and turns
anything unexpected about one run into a problem on that run's row. It keeps a metrics follower
per running run, so appended metrics are read incrementally.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from core.runs import CONFIG_JSON, METRICS_JSON, METRICS_JSONL, RUN_JSON, MetricsFollower, RunsFolder, RunStamp
from sacred_tui.data.annotations import ANNOTATIONS_FILE, Annotations, read_annotations
from sacred_tui.data.liveness import is_running
from sacred_tui.data.child_pool import ChildPool
from sacred_tui.data.child_worker import ChildGone, ChildWorker
from sacred_tui.data.metric_summaries import is_huge, quick_summaries, whole_summaries
from sacred_tui.data.processes import read_process_info
from sacred_tui.data.queue_view import read_queue_view
from sacred_tui.data.row_cache import RowCache, stamp_with_key
from sacred_tui.data.rows import MetricSummary, RunRow, flatten_config, row_from_run_json
from sacred_tui.data.run_files import RunFiles

logger = logging.getLogger("sacred_tui.data.store")
"""Logs under the store's name: reading is part of keeping the index."""

_CHILD_READERS: dict[str, RunRowReader] = {}
"""In a child process: the reader of each folder it was given work for."""

_UNREADABLE_RUN = "this run could not be read"

ALL_FILES: frozenset[str] = frozenset()
"""An empty set of changed file names means "anything may have changed"."""


def _finished(row: RunRow) -> bool:
    """A run whose files no longer change by themselves: its config and metrics are read once."""
    return not is_running(row.status) and row.queue is None


def last_write_of(stamp: RunStamp | None) -> float | None:
    """The newest modification time of a run's tracked files (POSIX seconds), None when none."""
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


class ReaderClosed(Exception):
    """The reader was closed while a batch was read in child processes (the app quits)."""


CHILD_BATCH = 50
"""Batches of at least this many finished runs have their config and metrics read in a child process."""


Details = tuple[Mapping[str, Any], Mapping[str, MetricSummary], tuple[str, ...]]
"""A finished run's flattened config, metric summaries and problems: what the second pass adds."""


EnrichItem = tuple[str, tuple[str, ...], "RunRow | None", "RunStamp | None"]
"""(run id, problems so far, first-pass row, stamp): the row and stamp only for running or waiting
runs, which are read whole (run.json again, process.json, queue files); finished ones need only
their details."""


def enrich_in_child(folder: str, items: list[EnrichItem], now: float) -> list[Details | RunRow | None]:
    """The job :meth:`RunRowReader.enrich_many` gives its child processes: the details of each
    finished run (None where the careful path must read it: the caller does) and the whole row of
    each running or waiting one.

    Finished runs send only their details across the pipe each way, not whole rows: pickling
    costs per object.
    """
    reader = _child_reader(folder)
    return [reader.details(run_id, problems) if before is None
            else reader.read_safely(run_id, ALL_FILES, now, full=True, previous=before, stamp=stamp)
            for run_id, problems, before, stamp in items]


FirstPass = tuple[RunStamp, "str | None", RunRow, "str | None"]
"""(stamp, rows-cache key, row, payload): the payload when the row came from the rows cache (then
it has its config and metrics), None when run.json was read."""


def stamped_first_pass_in_child(folder: str, run_ids: list[str], now: float, racy_before_ns: int,
                                cache: RowCache) -> list[FirstPass]:
    """The job :meth:`RunRowReader.stamped_first_pass` gives its child processes."""
    reader = _child_reader(folder)
    return [reader.stamped_first_pass_one(run_id, now, racy_before_ns, cache) for run_id in run_ids]


def _child_reader(folder: str) -> RunRowReader:
    """The reader a child process keeps for ``folder`` between jobs."""
    reader = _CHILD_READERS.get(folder)
    if reader is None:
        reader = _CHILD_READERS[folder] = RunRowReader(RunsFolder(folder), children=False)
    return reader


class RunRowReader:
    """Reads the rows of the runs of one runs folder, one run at a time."""

    def __init__(self, folder: RunsFolder, *, children: bool = True) -> None:
        self.folder = folder
        self.children = children
        """Whether huge metrics files and batches of finished runs are read in child processes
        (False in such a child itself)."""
        self.closed = False
        self._followers: dict[str, MetricsFollower] = {}
        self._follow_lock = threading.Lock()
        """One metrics follower is polled at a time (the refresher and the loader may share one)."""
        self.child = ChildWorker(jobs_per_child=1)
        """Summarises huge metrics files in another process (a fresh one each: the memory a
        million points took goes back to the system)."""
        self.batch_children = ChildPool(jobs_per_child=200)
        """Read batches of runs in other processes, on as many cores as there are (up to two)."""

    def close(self) -> None:
        """End the reads still being made in child processes (when the app quits); what was being
        read is then not read here instead."""
        self.closed = True
        self.child.close()
        self.batch_children.close()

    def stamped_first_pass(self, run_ids: list[str], now: float, racy_before_ns: int,
                           cache: RowCache) -> list[FirstPass]:
        """The first pass over these runs: each run's files stated just before it is read, its
        row taken from ``cache`` when none of its files changed, else read from run.json. A big
        batch is done in child processes, each given the cache lines of its part."""
        if self.children and len(run_ids) >= CHILD_BATCH:
            try:
                done = self.batch_children.map_with(stamped_first_pass_in_child, run_ids, cache.part,
                                                    str(self.folder.path), now, racy_before_ns)
            except (ChildGone, RuntimeError) as exc:
                if self.closed:
                    raise ReaderClosed from None
                logger.warning("reading %d runs in a child process failed (%s): reading them here", len(run_ids), exc)
            else:
                if [row.run_id for _stamp, _key, row, _payload in done] == run_ids:
                    return done
        return [self.stamped_first_pass_one(run_id, now, racy_before_ns, cache) for run_id in run_ids]

    def stamped_first_pass_one(self, run_id: str, now: float, racy_before_ns: int,
                               cache: RowCache) -> FirstPass:
        """One run of :meth:`stamped_first_pass`."""
        stamp, key = stamp_with_key(f"{self.folder.path}/{run_id}", racy_before_ns)
        kept = cache.kept_row(run_id, key, last_write=last_write_of(stamp), now=now) if key and cache else None
        if kept is not None:
            return stamp, key, kept[0], kept[1]
        return stamp, key, self.read_safely(run_id, ALL_FILES, now, full=False, previous=None, stamp=stamp), None

    def enrich_many(self, items: list[tuple[str, RunRow, RunStamp | None]],
                    now: float) -> list[tuple[RunRow, RunRow]]:
        """(row before, row with config and metrics) for each item (run id, first-pass row, stamp).

        A big enough batch is read in child processes, so parsing thousands of files never holds
        this process's interpreter (the UI's); if they fail, here. A running run read there has
        no metrics follower here: its next change is read from the start, then followed.
        """
        done: dict[str, Details | RunRow | None] = {}
        if self.children and len(items) >= CHILD_BATCH:
            jobs: list[EnrichItem] = [
                (run_id, before.problems, None, None) if _finished(before) else (run_id, (), before, stamp)
                for run_id, before, stamp in items]
            try:
                found = self.batch_children.map(enrich_in_child, jobs, str(self.folder.path), now)
            except (ChildGone, RuntimeError) as exc:
                if self.closed:
                    raise ReaderClosed from None
                logger.warning("reading %d runs in a child process failed (%s): reading them here", len(items), exc)
            else:
                done = {job[0]: result for job, result in zip(jobs, found)}
        read = []
        for run_id, before, stamp in items:
            result = done.get(run_id)
            if isinstance(result, RunRow):
                read.append((before, result))
            elif result is not None:
                read.append((before, before.with_details(*result)))
            else:
                read.append((before, self.with_config_and_metrics(run_id, before, now, stamp)))
        return read

    def forget(self, run_id: str) -> None:
        """Drop what is kept of a run between reads (its metrics follower, its cached reader)."""
        self._followers.pop(run_id, None)
        self.folder.forget(run_id)

    def with_config_and_metrics(self, run_id: str, previous: RunRow, now: float,
                                stamp: RunStamp | None) -> RunRow:
        """The row with its config and metrics read (run.json was read by the first pass).

        Running and waiting runs are read whole, as a refresh reads them (their metrics are followed).
        """
        if _finished(previous):
            details = self.details(run_id, previous.problems)
            if details is not None:
                return previous.with_details(*details)
        # the careful path words what is wrong with this run
        return self.read_safely(run_id, ALL_FILES, now, full=True, previous=previous, stamp=stamp)

    def details(self, run_id: str, problems: tuple[str, ...]) -> Details | None:
        """A finished run's config, metric summaries and problems (``problems``: those found so far);
        None when something unexpected needs the careful path."""
        try:
            reader = RunFiles(self.folder, run_id)
            config = flatten_config(reader.config_json())
            # the first pass already found some of these (run.json, a locked folder): each counts once
            found = list(dict.fromkeys([*problems, *reader.problems()]))
            metrics: Mapping[str, MetricSummary] | None = quick_summaries(f"{self.folder.path}/{run_id}")
            if metrics is None:
                metrics, metric_problem = self._read_metrics(run_id, {}, running=False)
                if metric_problem and not reader.folder_unreadable():  # a locked folder is one problem
                    found.append(metric_problem)
            return config, metrics, tuple(found)
        except Exception:
            return None

    def read_safely(self, run_id: str, files: frozenset[str], now: float, *, full: bool,
                    previous: RunRow | None, stamp: RunStamp | None, changed: bool = False) -> RunRow:
        """:meth:`read`, with anything unexpected about one run shown as that run's problem."""
        try:
            return self.read(run_id, files, now, full=full, changed=changed, previous=previous, stamp=stamp)
        except Exception as exc:  # the reader reports bad files itself; this guards the rest
            logger.exception("reading run %r failed", run_id)
            problem = f"{_UNREADABLE_RUN} ({type(exc).__name__}: {str(exc)[:200]})"
            self.forget(run_id)
            if previous is not None:
                kept = tuple(p for p in previous.problems if not p.startswith(_UNREADABLE_RUN))
                return replace(previous, problems=(*kept, problem))
            return RunRow(run_id=run_id, problems=(problem,))

    def read(self, run_id: str, files: frozenset[str], now: float, *, full: bool,
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
            self.forget(run_id)
        waiting = not raw.get("start_time") and bool(raw)
        queue = (read_queue_view(self.folder.path / run_id, ticket=waiting)
                 if waiting or running or changed else None)
        row = row_from_run_json(run_id, raw, config=config, metrics=metrics, problems=problems,
                                last_write=last_write_of(stamp),
                                process=read_process_info(self.folder.path / run_id) if running else None,
                                queue=queue, annotations=annotations, now=now)
        if previous is not None and not raw and any(p.startswith(RUN_JSON) for p in problems):
            # run.json is torn right now: keep what was known and show the problem.
            row = replace(previous, problems=row.problems, last_write=row.last_write)
        if row.liveness.dead:
            # A follower holds the run's metrics; a dead run gets a new one if it revives.
            self.forget(run_id)
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
        run_dir = f"{self.folder.path}/{run_id}"
        if self.children and is_huge(run_dir, following=run_id in self._followers):
            # Parsing it here would hold the interpreter (and so the UI) for seconds.
            self._followers.pop(run_id, None)
            try:
                return self.child.run(whole_summaries, run_dir)
            except ChildGone as exc:
                return known, f"metrics: not read ({exc})"
            except RuntimeError as exc:
                return known, f"metrics: not read ({exc})"
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
