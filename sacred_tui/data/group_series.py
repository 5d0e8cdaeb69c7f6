"""Provides group_band: one metric of a group's runs aligned by step, as a mean line with a band.

Runs of a seed group log the same steps, but not always (a crashed seed stops early, one logs every
step and another every tenth). Points are aligned by step: when every run has at most as many points
as the plot has buckets, each distinct step is its own bucket and the statistics are exact per step.
Longer series are cut into equal step intervals; each run contributes the mean of its points in an
interval, and the band is the spread of those per-run means. With each run's running sums kept, an
interval costs a bisection and two lookups per run, so ten runs of 100,000 points reduce in
milliseconds without numpy.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from itertools import accumulate
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.runs.follow import MetricsFollower
from core.runs.metrics import MetricSeries
from sacred_tui.data.downsample import clean_points
from sacred_tui.data.groups import stats_of

__all__ = ["GroupBand", "Prepared", "aligned_points", "band_of", "band_strokes", "group_band", "prepare_runs", "load_group_metrics", "metric_names"]


@dataclass(frozen=True, slots=True)
class GroupBand:
    """What the plot of one metric of one group draws, per aligned step (or step interval)."""

    xs: list[float] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    lows: list[float] = field(default_factory=list)
    highs: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    """How many runs have a point at each x."""
    runs: int = 0
    """Runs that logged the metric with at least one finite value."""
    points: int = 0
    """Finite points over all runs."""
    exact: bool = True
    """True when every x is one step (no interval averaging)."""


def aligned_points(series: MetricSeries) -> tuple[list[float], list[float]]:
    """Finite values of a metric and their steps as floats, ordered by step (stable)."""
    indices, values = clean_points(series.values)
    steps = series.steps
    if isinstance(indices, range) and len(steps) == len(values) and _all_numbers(steps):
        xs = list(map(float, steps))
    else:
        # A step that is not a number is taken as the point's position.
        xs = [float(steps[i]) if i < len(steps) and _is_number(steps[i]) else float(i) for i in indices]
    ys = list(values)
    ordered = sorted(xs)  # linear on sorted input, as the steps of a run usually are
    if ordered != xs:
        order = sorted(range(len(xs)), key=xs.__getitem__)
        xs = ordered
        ys = [ys[i] for i in order]
    return xs, ys


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _all_numbers(steps: Sequence[Any]) -> bool:
    try:
        total = sum(steps)
    except TypeError:
        return False
    return isinstance(total, (int, float)) and math.isfinite(total)


Prepared = list[tuple[list[float], list[float], list[float]]]
"""Each run's finite points of one metric ordered by step (see :func:`aligned_points`), and the
running sums of its values, so the mean of any range of points costs two lookups."""


def prepare_runs(series_by_run: Mapping[str, MetricSeries]) -> Prepared:
    """The runs' points ready for :func:`band_of`: done once per metric, not at every redraw."""
    prepared = [aligned_points(series) for series in series_by_run.values()]
    return [(xs, ys, list(accumulate(ys, initial=0.0))) for xs, ys in prepared if xs]


def group_band(series_by_run: Mapping[str, MetricSeries], buckets: int,
               use_range: bool = False) -> GroupBand:
    """Mean over runs per step (or step interval) with ±1 std or min–max, for a plot of ``buckets`` x values."""
    return band_of(prepare_runs(series_by_run), buckets, use_range)


def band_of(prepared: Prepared, buckets: int, use_range: bool = False) -> GroupBand:
    """:func:`group_band` of runs already prepared with :func:`prepare_runs`."""
    if not prepared:
        return GroupBand()
    points = sum(len(xs) for xs, _, _ in prepared)
    buckets = max(2, buckets)
    if all(len(xs) <= buckets for xs, _, _ in prepared):
        per_x = _exact(prepared)
        if len(per_x) <= buckets:
            return _band(sorted(per_x.items()), len(prepared), points, use_range, exact=True)
    return _band(_intervals(prepared, buckets), len(prepared), points, use_range, exact=False)


def _exact(prepared: Prepared) -> dict[float, list[float]]:
    """Per distinct step, each run's value there (its mean, when a run logged a step twice)."""
    per_x: dict[float, list[float]] = {}
    for xs, ys, _ in prepared:
        mine: dict[float, list[float]] = {}
        for x, y in zip(xs, ys):
            mine.setdefault(x, []).append(y)
        for x, values in mine.items():
            per_x.setdefault(x, []).append(values[0] if len(values) == 1 else sum(values) / len(values))
    return per_x


def _intervals(prepared: Prepared,
               buckets: int) -> list[tuple[float, list[float]]]:
    """Per equal step interval, each run's mean value in it; x is the interval's middle."""
    low = min(xs[0] for xs, _, _ in prepared)
    high = max(xs[-1] for xs, _, _ in prepared)
    if high <= low:
        return [(low, [sums[-1] / len(ys) for _, ys, sums in prepared])]
    width = (high - low) / buckets
    edges = [low + width * k for k in range(buckets)] + [math.inf]
    per_bucket: list[list[float]] = [[] for _ in range(buckets)]
    for xs, _, sums in prepared:
        bounds = [bisect_left(xs, edge) for edge in edges]
        for index in range(buckets):
            start, stop = bounds[index], bounds[index + 1]
            if stop > start:
                per_bucket[index].append((sums[stop] - sums[start]) / (stop - start))
    return [(low + width * (k + 0.5), values) for k, values in enumerate(per_bucket) if values]


def _band(per_x: list[tuple[float, list[float]]], runs: int, points: int, use_range: bool,
          exact: bool) -> GroupBand:
    xs: list[float] = []
    means: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    counts: list[int] = []
    for x, values in per_x:
        summary = stats_of(values)
        if summary is None:
            continue
        low, high = summary.spread(use_range)
        xs.append(x)
        means.append(summary.mean)
        lows.append(low)
        highs.append(high)
        counts.append(summary.count)
    return GroupBand(xs, means, lows, highs, counts, runs, points, exact)


def load_group_metrics(folder: str | Path, run_ids: Sequence[str]) -> dict[str, dict[str, MetricSeries]]:
    """Every metric of the given runs, read in full (metrics.json, or its live sidecar)."""
    loaded: dict[str, dict[str, MetricSeries]] = {}
    for run_id in run_ids:
        follower = MetricsFollower(Path(folder) / run_id)
        loaded[run_id] = follower.poll()
    return loaded


def metric_names(loaded: Mapping[str, Mapping[str, MetricSeries]]) -> list[str]:
    """Metric names logged by any of the loaded runs, sorted."""
    return sorted({name for metrics in loaded.values() for name in metrics})


def band_strokes(band: GroupBand, count: int) -> tuple[list[float], list[float]]:
    """A zig-zag line through ``count`` vertical strokes from low to high, evenly over the band's x.

    Drawn as one line it fills the band; between aligned steps low and high are interpolated
    linearly, so a band of 20 steps fills a wide plot as well as one of 100,000.
    """
    xs, lows, highs = band.xs, band.lows, band.highs
    if not xs:
        return [], []
    if len(xs) == 1 or xs[-1] <= xs[0]:
        return [xs[0], xs[0]], [lows[0], highs[0]]
    count = max(2, count)
    first, span = xs[0], xs[-1] - xs[0]
    out_x: list[float] = []
    out_y: list[float] = []
    for index in range(count):
        x = first + span * index / (count - 1)
        right = min(max(bisect_left(xs, x), 1), len(xs) - 1)
        left = right - 1
        share = (x - xs[left]) / (xs[right] - xs[left]) if xs[right] > xs[left] else 0.0
        low = lows[left] + (lows[right] - lows[left]) * share
        high = highs[left] + (highs[right] - highs[left]) * share
        out_x.extend((x, x))
        out_y.extend((low, high) if index % 2 == 0 else (high, low))
    return out_x, out_y
