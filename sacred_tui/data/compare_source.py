"""Provides CompareSource (N runs followed live) and MetricOverlay (their metrics, ready to plot).

The compare screen polls CompareSource about once a second from a worker thread. A poll costs a
few `stat` calls per run plus what was appended: run.json and config.json are re-read only when
their (inode, mtime, size) changed, metric points are followed incrementally. MetricOverlay keeps
every run's points and downsamples one metric of each run to the plot width on demand, with x as
the step or as the time since that run's own start (so runs started days apart line up).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.runs.follow import MetricsFollower
from core.runs.metrics import MetricSeries
from core.runs.record import RunRecord
from core.runs.stored import StoredRun
from sacred_tui.data.downsample import elapsed_seconds, minmax_indices
from sacred_tui.data.liveness import NOT_APPLICABLE, Liveness, is_running
from sacred_tui.data.plot_data import PreparedSeries, time_unit
from sacred_tui.data.run_detail_data import folder_path_of
from sacred_tui.data.run_state import run_state

__all__ = ["CompareSource", "CompareUpdate", "MetricOverlay", "Overlay", "OverlayLine"]


@dataclass(slots=True)
class CompareUpdate:
    """What changed since the previous poll, per run id; absent runs did not change."""

    records: dict[str, RunRecord] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, dict[str, MetricSeries]] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)
    liveness: dict[str, Liveness] = field(default_factory=dict)
    """Runs whose liveness changed (probably dead, alive again), judged as the runs table does."""

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.records or self.configs or self.metrics or self.problems or self.liveness)


class CompareSource:
    """The compared runs' files, followed incrementally; call `poll()` from one thread at a time."""

    def __init__(self, store_or_folder: Any, run_ids: Sequence[str]) -> None:
        if not run_ids:
            raise ValueError("CompareSource needs at least one run id, got none")
        self.folder = folder_path_of(store_or_folder)
        self.store = store_or_folder if callable(getattr(store_or_folder, "get", None)) else None
        self.run_ids: tuple[str, ...] = tuple(str(run_id) for run_id in run_ids)
        self.runs = {run_id: StoredRun(self.folder, run_id) for run_id in self.run_ids}
        self._followers = {run_id: MetricsFollower(run.dir) for run_id, run in self.runs.items()}
        self._records: dict[str, RunRecord] = {}
        self._configs: dict[str, dict[str, Any]] = {}
        self._problems: dict[str, list[str]] = {}
        self._liveness: dict[str, Liveness] = {}
        self._lock = threading.Lock()

    @property
    def records(self) -> dict[str, RunRecord]:
        """The latest record of each run polled so far."""
        return dict(self._records)

    @property
    def running(self) -> bool:
        """True while any compared run is RUNNING (or has not been read yet)."""
        return any(self._records.get(run_id) is None or is_running(self._records[run_id].status)
                   for run_id in self.run_ids)

    def poll(self) -> CompareUpdate:
        """Read what changed in every compared run (the first call returns everything)."""
        update = CompareUpdate()
        with self._lock:
            for run_id in self.run_ids:
                self._poll_run(run_id, update)
        return update

    def _poll_run(self, run_id: str, update: CompareUpdate) -> None:
        run = self.runs[run_id]
        record = run.read_record()
        if record is not self._records.get(run_id):
            self._records[run_id] = update.records[run_id] = record
        config = run.read_config()
        if run_id not in self._configs or config is not self._configs[run_id]:
            self._configs[run_id] = update.configs[run_id] = config
        follower = self._followers[run_id]
        points = follower.poll()
        if points:
            update.metrics[run_id] = points
        problems = run.problems()
        if follower.problem:
            problems.append(follower.problem)
        if problems != self._problems.get(run_id, []):
            self._problems[run_id] = update.problems[run_id] = problems
        liveness = run_state(self.store, run.dir, record).liveness
        if liveness != self._liveness.get(run_id, NOT_APPLICABLE):
            self._liveness[run_id] = update.liveness[run_id] = liveness


@dataclass(frozen=True, slots=True)
class OverlayLine:
    """One run's line in an overlaid plot: the points to draw and how many the metric has."""

    run_id: str
    xs: list[float]
    ys: list[float]
    total: int
    skipped: int
    """Points that are not finite numbers (not drawn)."""


@dataclass(frozen=True, slots=True)
class Overlay:
    """The lines of one metric for every run that logged it, x in one unit for all of them."""

    lines: list[OverlayLine]
    x_label: str


class MetricOverlay:
    """Every compared run's metric points; appends cost O(new points), drawing is downsampled."""

    def __init__(self, run_ids: Sequence[str]) -> None:
        self.run_ids: tuple[str, ...] = tuple(run_ids)
        self.series: dict[str, dict[str, MetricSeries]] = {run_id: {} for run_id in self.run_ids}
        self.origins: dict[str, datetime | None] = {}
        self._prepared: dict[tuple[str, str], PreparedSeries] = {}

    def add(self, run_id: str, new: Mapping[str, MetricSeries]) -> None:
        """Append a run's new points (metrics not seen before are added)."""
        known = self.series.setdefault(run_id, {})
        for name, points in new.items():
            if name in known:
                known[name].extend(points)
            else:
                known[name] = MetricSeries(list(points.steps), list(points.timestamps), list(points.values))

    def set_origin(self, run_id: str, start: datetime | None) -> None:
        """Start of the run's time axis (its start time; None: its first point)."""
        self.origins[run_id] = start

    def names(self) -> list[str]:
        """Every metric name logged by any compared run, sorted."""
        found: set[str] = set()
        for metrics in self.series.values():
            found.update(metrics)
        return sorted(found)

    def runs_with(self, name: str) -> list[str]:
        """The runs that logged `name`, in comparison order."""
        return [run_id for run_id in self.run_ids if name in self.series.get(run_id, {})]

    def point_count(self, name: str) -> int:
        """Points of `name` summed over the runs (changes whenever any run appended)."""
        return sum(len(metrics[name]) for metrics in self.series.values() if name in metrics)

    def overlay(self, name: str, width: int, x_mode: str = "step") -> Overlay:
        """Each run's points of metric `name`, min/max downsampled for a plot `width` cells wide.

        In time mode every run's x is the time since its own start, in one unit for all runs.
        """
        if x_mode not in ("step", "time"):
            raise ValueError(f"x_mode must be 'step' or 'time', got {x_mode!r}")
        max_points = max(4, 4 * width)
        lines: list[OverlayLine] = []
        for run_id in self.run_ids:
            series = self.series.get(run_id, {}).get(name)
            if series is None:
                continue
            prepared = self._prepared.get((run_id, name))
            if prepared is None:
                prepared = self._prepared[(run_id, name)] = PreparedSeries()
            prepared.update(series.values)
            values = prepared.values
            chosen = minmax_indices(values, max_points) if values else []
            original = [prepared.original_index(index) for index in chosen]
            if x_mode == "step":
                xs = [float(series.steps[index]) for index in original]
            else:
                origin: datetime | str | None = self.origins.get(run_id)
                if origin is None and original:
                    origin = series.timestamps[original[0]]
                xs = elapsed_seconds(series.timestamps, original, origin)
            lines.append(OverlayLine(run_id, xs, [values[index] for index in chosen], prepared.seen,
                                     prepared.seen - len(values)))
        if x_mode == "step":
            return Overlay(lines, "step")
        unit, divisor = time_unit(max((max(line.xs) for line in lines if line.xs), default=0.0))
        if divisor != 1.0:
            lines = [OverlayLine(line.run_id, [x / divisor for x in line.xs], line.ys, line.total,
                                 line.skipped) for line in lines]
        return Overlay(lines, f"time since start ({unit})")
