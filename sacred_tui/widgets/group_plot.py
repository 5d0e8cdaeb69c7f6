"""Provides GroupPlot: one metric of one or more seed groups, each a mean line inside a spread band.

The band (±1 std, or min–max) is drawn as a vertical stroke per aligned step in a dim shade of the
group's colour, the mean as a line on top. The bands are computed for the plot's width and kept
until the metric, the width, the spread or the data change, so a redraw costs only plotext's
drawing of a few hundred points per group.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.app import RenderResult
from textual_plotext import Plot, PlotextPlot

from core.runs.metrics import MetricSeries
from sacred_tui.data.compare import color_rgb
from sacred_tui.data.group_series import GroupBand, Prepared, band_of, band_strokes, prepare_runs
from sacred_tui.data.visible_text import visible

__all__ = ["GroupPlot", "PlottedGroup", "draw_bands"]


@dataclass(frozen=True, slots=True)
class PlottedGroup:
    """A group as the plot sees it: its name, colour and each run's metrics."""

    name: str
    color: str
    metrics: Mapping[str, Mapping[str, MetricSeries]]
    """Run id -> metric name -> points."""
    _prepared: dict[str, Prepared] = field(default_factory=dict, compare=False)

    def series(self, metric: str) -> dict[str, MetricSeries]:
        """The runs' points of one metric (runs that did not log it are left out)."""
        return {run_id: found[metric] for run_id, found in self.metrics.items() if metric in found}

    def prepared(self, metric: str) -> Prepared:
        """The runs' points of one metric aligned by step, computed once per metric."""
        found = self._prepared.get(metric)
        if found is None:
            found = self._prepared[metric] = prepare_runs(self.series(metric))
        return found


def _dim(color: str) -> tuple[int, int, int]:
    red, green, blue = color_rgb(color)
    return red * 45 // 100, green * 45 // 100, blue * 45 // 100


def draw_bands(plt: Plot, bands: Sequence[tuple[PlottedGroup, GroupBand]], title: str, width: int) -> None:
    """Put each group's band (zig-zag strokes between low and high) and mean line on a figure."""
    plt.clear_figure()
    plt.title(title)
    plt.xlabel("step")
    for group, band in bands:
        if not band.xs:
            continue
        xs, ys = band_strokes(band, 2 * width)
        plt.plot(xs, ys, marker="hd", color=_dim(group.color))
    for group, band in bands:
        if band.xs:
            plt.plot(band.xs, band.means, marker="braille", color=color_rgb(group.color),
                     label=visible(group.name)[:30] if len(bands) > 1 else None)


class GroupPlot(PlotextPlot):
    """Draws ``metric`` for every group in ``groups``; set the attributes, then ``refresh()``."""

    DEFAULT_CSS = """
    GroupPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: list[PlottedGroup] = []
        self.metric: str | None = None
        self.use_range = False
        self.bands: list[tuple[PlottedGroup, GroupBand]] = []
        """What the latest redraw plotted (for the status line and for tests)."""
        self._key: tuple[Any, ...] | None = None

    def show(self, groups: Sequence[PlottedGroup], metric: str | None, use_range: bool) -> None:
        """Plot ``metric`` of ``groups`` with a ±1 std band (min–max with ``use_range``)."""
        self.groups, self.metric, self.use_range = list(groups), metric, use_range
        self._key = None
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.size.width, self.metric, self.use_range, id(self.groups))
        if key != self._key:
            self._key = key
            self._rebuild()
        return super().render()

    def _rebuild(self) -> None:
        if self.metric is None:
            self.bands = []
            self.plt.clear_figure()
            self.plt.title("No metric chosen")
            return
        width = max(self.size.width - 10, 10)
        buckets = width * 2
        self.bands = [(group, band_of(group.prepared(self.metric), buckets, self.use_range))
                      for group in self.groups]
        spread = "min–max" if self.use_range else "±1 std"
        draw_bands(self.plt, self.bands, f"{visible(self.metric)} · mean and {spread} band", width)
