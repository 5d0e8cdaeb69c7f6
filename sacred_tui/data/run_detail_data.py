"""Provides RunDetailSource: one run's files, loaded once and then followed by incremental updates.

The run detail screen polls this source twice a second (in a worker thread). Each poll costs a
few `stat` calls plus what was appended since the last poll: new cout.txt bytes, new metric
points, and a JSON file only when its (inode, mtime, size) changed. A huge cout.txt is opened at
its last `tail_bytes`; earlier chunks are read on demand with `load_earlier_stdout()`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.runs import numeric_run_id
from core.runs.follow import MetricsFollower, TextTail
from core.runs.layout import RESOURCES_DIR
from core.runs.metrics import MetricSeries
from core.runs.record import RunRecord
from core.runs.stored import SourceEntry, StoredRun
from sacred_tui.data.artifact_preview import ArtifactItem, ArtifactPreview, file_size, load_preview
from sacred_tui.data.config_diff import ConfigDiff, diff_against_defaults, diff_config
from sacred_tui.data.defaults_probe import script_defaults
from sacred_tui.data.liveness import Liveness
from sacred_tui.data.source_lexer import lexer_for
from sacred_tui.data.metric_track import MetricTrack
from sacred_tui.data.processes import read_process_info
from sacred_tui.data.reproduce import Reproduction, choose_interpreter, reproduce_run
from sacred_tui.data.run_state import RunState, metrics_cadence, run_state

__all__ = ["RunDetailSource", "RunDetailUpdate", "StdoutChunk", "folder_path_of"]

TAIL_BYTES = 1024 * 1024
"""How much of cout.txt is shown at first, and how much each 'load earlier' adds."""
BIG_FILE = 1_000_000
"""Files from this size on are named in ``activity`` while they are read."""
MAX_BASELINE_CANDIDATES = 200
"""Run directories inspected, nearest ids first, when looking for a baseline config."""


@dataclass(frozen=True, slots=True)
class StdoutChunk:
    """New captured output. `reset` means: drop what is shown and start from this text.

    `problem` says why cout.txt cannot be read (a directory, a FIFO, no permission), if it cannot.
    """

    text: str
    reset: bool
    start_offset: int
    total_size: int
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RunDetailUpdate:
    """What changed since the previous poll; None (or empty) fields did not change."""

    record: RunRecord | None = None
    config: dict[str, Any] | None = None
    config_diff: ConfigDiff | None = None
    info: dict[str, Any] | None = None
    files: list[ArtifactItem] | None = None
    sources: list[SourceEntry] | None = None
    metrics: dict[str, MetricSeries] = field(default_factory=dict)
    """The new points of each metric."""
    tracks: dict[str, MetricTrack] = field(default_factory=dict)
    """Every point so far of the metrics with new points, compact and prepared for plotting."""
    stdout: StdoutChunk | None = None
    problems: list[str] | None = None
    state: RunState | None = None
    """Liveness and duration, when the liveness changed (or with a new record)."""
    reproduction: Reproduction | None = None
    """The command that runs it again, when the record or config changed."""
    metrics_note: str | None = None
    """How often metrics arrive ('' when at once), with a new record."""
    metrics_pending: bool = False
    """The metric files are big and were left for the next poll, so the rest shows first."""
    diff_pending: bool = False
    """The config's diff against a baseline run comes with the next poll (finding that run reads
    up to 200 other runs: the overview shows first)."""

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return (self.record is None and self.config is None and self.config_diff is None
                and self.info is None and self.files is None
                and self.sources is None and not self.metrics and self.stdout is None
                and self.problems is None and self.state is None and self.reproduction is None
                and self.metrics_note is None)


def folder_path_of(store_or_folder: Any) -> Path:
    """The runs folder path behind a path, a RunsFolder, or a store exposing `folder`/`root`/`path`."""
    if isinstance(store_or_folder, (str, os.PathLike)):
        return Path(store_or_folder)
    for attribute in ("folder", "root", "path"):
        value = getattr(store_or_folder, attribute, None)
        if value is not None and value is not store_or_folder:
            return folder_path_of(value)
    raise TypeError(f"Expected a runs folder path, a RunsFolder or a run store, got {store_or_folder!r}")


class RunDetailSource:
    """Loads one run and reports what changed on each `poll()`; safe to call from one worker thread."""

    def __init__(self, store_or_folder: Any, run_id: str, tail_bytes: int = TAIL_BYTES) -> None:
        self.folder = folder_path_of(store_or_folder)
        self.store = store_or_folder if callable(getattr(store_or_folder, "get", None)) else None
        """The app's run store, whose liveness verdict this screen repeats (None: judge here)."""
        self.launcher_python: str | None = None
        """The interpreter the app launches runs with, a fallback for the reproduce command."""
        self.run_id = str(run_id)
        self.run = StoredRun(self.folder, self.run_id)
        self.tail_bytes = tail_bytes
        self._lock = threading.Lock()
        self._metrics = MetricsFollower(self.run.dir)
        self._tracks: dict[str, MetricTrack] = {}
        self._first_poll = True
        self.activity: str | None = None
        """What a poll is busy with when it reads a big file ("reading metrics.json (150.2 MB)")."""
        self._tail: TextTail | None = None
        self._stdout_problem: str | None = None
        self._stdout_start = 0
        self._record: RunRecord | None = None
        self._config: dict[str, Any] | None = None
        self._info: dict[str, Any] | None = None
        self._resources: list[ArtifactItem] = []
        self._files: list[ArtifactItem] | None = None
        self._problems: list[str] | None = None
        self._baseline: tuple[str, dict[str, Any]] | None = None
        self._baseline_searched = False
        self._diff_due = False
        self._liveness: Liveness | None = None

    @property
    def stdout_start(self) -> int:
        """Byte offset in cout.txt where the shown output begins (0 = everything is shown)."""
        return self._stdout_start

    def poll(self) -> RunDetailUpdate:
        """Read what changed since the previous call (the first call returns everything)."""
        with self._lock:
            self._reading("run.json")
            record = self.run.read_record()
            self._reading("config.json")
            config = self.run.read_config()
            self._reading("info.json")
            info = self.run.read_info()
            new_record = record if record is not self._record else None
            new_config = config if config is not self._config else None
            self._record, self._config = record, config
            new_info = info if info is not self._info else None
            self._info = info
            if new_record is not None:
                shared = self.folder / RESOURCES_DIR
                self._resources = [ArtifactItem(r.original_path, r.path, file_size(r.path, shared), r.exists,
                                                "resource", shared) for r in self.run.resources()]
            files = [ArtifactItem(a.name, a.path, a.size, a.exists, "artifact", self.run.dir, a.problem)
                     for a in self.run.artifacts()]
            files += self._resources
            new_files = files if files != self._files else None
            self._files = files
            diff = None
            if new_record or new_config or self._diff_due:
                self._diff_due = self._first_poll and self._baseline_wanted(record)
                diff = None if self._diff_due else self._config_diff(record, config)
            metrics_file = "metrics.jsonl" if self._size("metrics.jsonl") else "metrics.json"
            pending = self._first_poll and self._size(metrics_file) >= BIG_FILE
            self._first_poll = False
            metrics: dict[str, MetricSeries] = {}
            if not pending:
                self._reading(metrics_file)
                metrics = self._metrics.poll()
            tracks = self._add_to_tracks(metrics)
            self.activity = None
            stdout = self._read_stdout()
            problems = self.run.problems()
            if self.run.folder_problem() is None:  # else that one problem says it all
                for problem in (self._metrics.problem, self._tail.problem if self._tail else None):
                    if problem and problem not in problems:
                        problems.append(problem)
            new_problems = problems if problems != self._problems else None
            self._problems = problems
            state = run_state(self.store, self.run.dir, record)
            new_state = state if new_record or state.liveness != self._liveness else None
            self._liveness = state.liveness
            reproduction = None
            if new_record or new_config:
                reproduction = reproduce_run(record, config, self.folder,
                                             read_process_info(self.run.dir).python, self.launcher_python)
            return RunDetailUpdate(
                record=new_record,
                config=new_config,
                config_diff=diff,
                info=new_info,
                files=new_files,
                sources=self.run.sources() if new_record else None,
                metrics=metrics,
                tracks=tracks,
                stdout=stdout,
                problems=new_problems,
                state=new_state,
                reproduction=reproduction,
                metrics_note=metrics_cadence(record, self.run.dir) if new_record else None,
                metrics_pending=pending,
                diff_pending=self._diff_due,
            )

    def _size(self, name: str) -> int:
        """Size of a file of the run (0 when absent or unreadable: the readers report why)."""
        try:
            return (self.run.dir / name).stat().st_size
        except OSError:
            return 0

    def _reading(self, name: str) -> None:
        """Say which file is being read, when it is big enough for a reader to wait on it."""
        size = self._size(name)
        if size >= BIG_FILE:
            self.activity = f"reading {name} ({size / 1e6:,.1f} MB)"

    def _add_to_tracks(self, metrics: dict[str, MetricSeries]) -> dict[str, MetricTrack]:
        """Add new points to the compact tracks (here, in the reading thread) and return those tracks."""
        for name, series in metrics.items():
            track = self._tracks.get(name)
            if track is None:
                track = self._tracks[name] = MetricTrack()
            track.add(series)
        return {name: self._tracks[name] for name in metrics}

    def _read_stdout(self) -> StdoutChunk | None:
        """New cout.txt text; opens (or re-opens after truncation or a large jump) at the tail."""
        tail = self._tail
        reset = False
        if tail is None:
            tail = self._tail = TextTail(self.run.cout_path)
            reset = True
        size = tail.size()
        if reset or size < tail.offset or size - tail.offset > 4 * self.tail_bytes:
            self._stdout_start = self._open_at_tail(tail, size)
            reset = True
        text = tail.read_new()
        if tail.restarted:
            self._stdout_start = self._open_at_tail(tail, tail.size())
            text, reset = tail.read_new(), True
        if reset and self._stdout_start > 0:
            cut = text.find("\n")
            if cut >= 0:
                self._stdout_start += len(text[: cut + 1].encode("utf-8", errors="replace"))
                text = text[cut + 1:]
        problem_changed = tail.problem != self._stdout_problem
        self._stdout_problem = tail.problem
        if not text and not reset and not problem_changed:
            return None
        return StdoutChunk(text, reset, self._stdout_start, tail.offset, tail.problem)

    def _open_at_tail(self, tail: TextTail, size: int) -> int:
        start = max(0, size - self.tail_bytes)
        tail.seek(start)
        return tail.offset

    def load_earlier_stdout(self, max_bytes: int | None = None) -> str | None:
        """Text of the chunk before what is shown (whole lines), or None when everything is shown."""
        with self._lock:
            if self._tail is None or self._stdout_start <= 0:
                return None
            end = self._stdout_start
            start = max(0, end - (max_bytes or self.tail_bytes))
            text = self._tail.read_range(start, end)
            if start > 0:
                cut = text.find("\n")
                if cut >= 0 and cut + 1 < len(text):
                    start += len(text[: cut + 1].encode("utf-8", errors="replace"))
                    text = text[cut + 1:]
            self._stdout_start = start
            return text

    def preview_artifact(self, item: ArtifactItem) -> ArtifactPreview:
        """Preview of an artifact or resource file (first bytes only; refused items are not read)."""
        if not item.exists and item.problem:
            return ArtifactPreview(item.name, item.kind, None, problem=f"{item.name}: {item.problem}")
        return load_preview(item.path, item.name, inside=item.inside)

    def read_source(self, entry: SourceEntry) -> str | None:
        """Text of a stored source file, or None if it cannot be read."""
        return self.run.read_source_text(entry)

    def read_coloured_source(self, entry: SourceEntry) -> tuple[str | None, str]:
        """Text of a stored source file (None if unreadable) and the lexer that colours it."""
        text = self.run.read_source_text(entry)
        return text, lexer_for(entry.relpath, text) if text else "default"

    def interpreter(self) -> str:
        """The interpreter that runs this run's script: the run's own, else one like it."""
        record = self._record or self.run.read_record()
        return choose_interpreter(read_process_info(self.run.dir).python, record.host.python_version,
                                  self.launcher_python).path

    def defaults_diff(self, timeout: float = 20.0) -> ConfigDiff:
        """The config diff against the experiment's defaults, asked of its script (blocks; cached).

        When the script cannot answer, the fallback diff says why in its basis.
        """
        with self._lock:
            record = self._record or self.run.read_record()
            config = self._config if self._config is not None else self.run.read_config()
        found = script_defaults(record, self.run, self.interpreter(), timeout)
        if found.defaults is None:
            with self._lock:  # a poll may be searching for the baseline run right now
                fallback = self._config_diff(record, config)
            basis = f"the experiment's defaults are unknown ({found.error}); {fallback.basis}"
            return replace(fallback, basis=basis)
        docs = {key: marks.doc for key, marks in found.defaults.entries.items() if marks.doc}
        return diff_against_defaults(
            config, record.config_updates, found.defaults.config,
            named_entries={name: preview.entries for name, preview in found.named.items()},
            unattributed=[f"{name} ({why})" for name, why in found.failed_named.items()],
            docs=docs, origin=found.origin)

    def _baseline_wanted(self, record: RunRecord) -> bool:
        """Whether the diff needs a baseline run that has not been looked for yet."""
        return (bool(record.config_updates) or bool(record.named_configs)) and not self._baseline_searched

    def _config_diff(self, record: RunRecord, config: dict[str, Any]) -> ConfigDiff:
        """Diff against a baseline run when the run had updates or named configs."""
        wants_baseline = bool(record.config_updates) or bool(record.named_configs)
        if wants_baseline and not self._baseline_searched:
            self._baseline_searched = True
            self._baseline = self._find_baseline(record)
        if wants_baseline and self._baseline is not None:
            label, baseline = self._baseline
            return diff_config(config, record.config_updates, record.named_configs, baseline, label)
        return diff_config(config, record.config_updates, record.named_configs)

    def _find_baseline(self, record: RunRecord) -> tuple[str, dict[str, Any]] | None:
        """Config of the nearest run of the same script without updates, same sources preferred."""
        if record.mainfile is None:
            return None
        fallback: tuple[str, dict[str, Any]] | None = None
        for run_id in self._nearest_run_ids():
            other = StoredRun(self.folder, run_id)
            candidate = other.read_record()
            if (candidate.mainfile != record.mainfile or candidate.base_dir != record.base_dir
                    or candidate.named_configs or candidate.config_updates):
                continue
            config = other.read_config()
            if not config:
                continue
            if candidate.sources == record.sources:
                return f"run {run_id}", config
            if fallback is None:
                fallback = (f"run {run_id} (other source version)", config)
        return fallback

    def _nearest_run_ids(self) -> list[str]:
        """Other run directories, nearest numeric id first (custom ids last)."""
        try:
            names = [entry.name for entry in os.scandir(self.folder)
                     if entry.is_dir() and not entry.name.startswith(("_", ".")) and entry.name != self.run_id]
        except OSError:
            return []
        own = numeric_run_id(self.run_id)

        def distance(name: str) -> tuple[int, int, str]:
            number = numeric_run_id(name)
            if number is None:
                return 1, 0, name
            return (0, abs(number - own), name) if own is not None else (0, number, name)

        return sorted(names, key=distance)[:MAX_BASELINE_CANDIDATES]
