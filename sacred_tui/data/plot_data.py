"""Provides PreparedSeries and plot_points: a metric turned into what one plot of a given width draws.

A live run appends points every beat, so the expensive per-point work (dropping non-finite values,
smoothing) is done once per point and kept; each redraw then only downsamples to the plot width
and looks up x values (steps or elapsed time) for the few points that are drawn.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sacred_tui.data.downsample import BlockMinMax, EmaCache, clean_points, elapsed_seconds, positive_points

__all__ = ["PlotData", "PreparedSeries", "plot_points", "time_unit"]

SMOOTHING_WEIGHTS: tuple[float, ...] = (0.0, 0.6, 0.9, 0.99)
"""Smoothing levels cycled through by the metrics view (TensorBoard's meaning of the weight)."""


class PreparedSeries:
    """Finite values of a growing metric with their original indices; appended points cost O(new)."""

    def __init__(self) -> None:
        self._indices: list[int] | None = None
        self.values: array = array("d")
        self.seen = 0
        self._ema: dict[float, EmaCache] = {}
        self._blocks = BlockMinMax()

    def original_index(self, index: int) -> int:
        """Index in the metric of the `index`-th finite value."""
        return index if self._indices is None else self._indices[index]

    def update(self, values: Sequence[Any]) -> None:
        """Take in the points of `values` not seen yet (a shorter series starts over)."""
        if len(values) < self.seen:
            self._indices, self.values, self.seen, self._ema = None, array("d"), 0, {}
            self._blocks = BlockMinMax()
        if len(values) == self.seen:
            return
        offset = self.seen
        indices, floats = clean_points(values[offset:] if offset else values)
        if not isinstance(indices, range) and self._indices is None:
            self._indices = list(range(len(self.values)))
        if self._indices is not None:
            self._indices.extend(index + offset for index in indices)
        self.values.extend(floats)
        self.seen = len(values)

    def smoothed(self, weight: float) -> Sequence[float]:
        """EMA of the finite values, kept up to date incrementally per weight."""
        return self._ema_cache(weight).update(self.values)

    def smoothing_lag(self, weight: float) -> int:
        """How many values the smoothed line for ``weight`` has yet to take in (all, if never asked)."""
        cache = self._ema.get(weight)
        return len(self.values) - (len(cache.smoothed) if cache is not None else 0)

    def adopt_smoothing(self, cache: EmaCache) -> None:
        """Use a smoothed line computed elsewhere from an earlier copy of ``values`` (it catches up)."""
        if len(cache.smoothed) <= len(self.values):
            self._ema[cache.weight] = cache

    def summarise(self) -> None:
        """Bring the block summaries (raw and smoothed) up to date, so a redraw only merges them."""
        self._blocks.update(self.values)
        for cache in self._ema.values():
            cache.blocks.update(cache.update(self.values))

    def _ema_cache(self, weight: float) -> EmaCache:
        cache = self._ema.get(weight)
        if cache is None:
            cache = self._ema[weight] = EmaCache(weight)
        return cache

    def downsampled(self, max_points: int, weight: float = 0.0) -> tuple[list[int], list[float]]:
        """Indices (into `values`) and values to draw, raw or smoothed, min/max per bucket."""
        if weight > 0:
            cache = self._ema_cache(weight)
            series = cache.update(self.values)
            chosen = cache.blocks.indices(series, max_points)
        else:
            series = self.values
            chosen = self._blocks.indices(series, max_points)
        return chosen, [series[i] for i in chosen]


@dataclass(frozen=True, slots=True)
class PlotData:
    """Points to draw: the raw line, the smoothed line (if any), and what was left out.

    `skipped` counts values that are not finite numbers; `log_hidden` tells that values <= 0
    exist and are not drawn on the log axis (the global minimum is always among the drawn points,
    so this is exact).
    """

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    smooth_xs: list[float] = field(default_factory=list)
    smooth_ys: list[float] = field(default_factory=list)
    total: int = 0
    skipped: int = 0
    log_hidden: bool = False
    x_label: str = "step"


def time_unit(seconds: float) -> tuple[str, float]:
    """Unit name and divisor that keep elapsed-time axis labels short."""
    if seconds >= 2 * 3600:
        return "h", 3600.0
    if seconds >= 120:
        return "min", 60.0
    return "s", 1.0


def plot_points(
    prepared: PreparedSeries,
    steps: Sequence[Any],
    timestamps: Sequence[Any],
    width: int,
    x_mode: str = "step",
    weight: float = 0.0,
    log_y: bool = False,
    origin: Any = None,
) -> PlotData:
    """Downsample a prepared metric to about four points per column of a `width`-cell plot.

    Args:
        prepared: The metric's finite values (PreparedSeries.update called with its values).
        steps: The metric's steps (x when `x_mode` is "step").
        timestamps: The metric's timestamps (x when `x_mode` is "time", seconds since `origin`).
        width: Plot width in cells.
        weight: EMA smoothing weight; 0 draws no smoothed line.
        log_y: Drop points with y <= 0 (a log axis cannot show them).
        origin: Start of the time axis (the run's start); defaults to the first timestamp.
    """
    if x_mode not in ("step", "time"):
        raise ValueError(f"x_mode must be 'step' or 'time', got {x_mode!r}")
    max_points = max(4, 4 * width)
    total = prepared.seen
    values = prepared.values
    if not values:
        return PlotData(total=total, skipped=total, x_label=x_mode)
    if origin is None and x_mode == "time":
        first = prepared.original_index(0)
        origin = timestamps[first] if first < len(timestamps) else None

    def x_values(chosen: list[int]) -> list[float]:
        original = [prepared.original_index(i) for i in chosen]
        if x_mode == "step":
            return [float(steps[i]) for i in original]
        return elapsed_seconds(timestamps, original, origin)

    chosen, ys = prepared.downsampled(max_points)
    xs = x_values(chosen)
    smooth_xs: list[float] = []
    smooth_ys: list[float] = []
    if weight > 0:
        smooth_chosen, smooth_ys = prepared.downsampled(max_points, weight)
        smooth_xs = x_values(smooth_chosen)
    x_label = "step"
    if x_mode == "time":
        unit, divisor = time_unit(max(xs + smooth_xs, default=0.0))
        xs = [x / divisor for x in xs]
        smooth_xs = [x / divisor for x in smooth_xs]
        x_label = f"time since start ({unit})"
    log_hidden = False
    if log_y:
        xs, ys, dropped = positive_points(xs, ys)
        smooth_xs, smooth_ys, _ = positive_points(smooth_xs, smooth_ys)
        log_hidden = dropped > 0
    return PlotData(xs, ys, smooth_xs, smooth_ys, total, total - len(values), log_hidden, x_label)
