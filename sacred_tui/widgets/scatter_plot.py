"""Provides ScatterPlot: points of a config key against a metric, error bars for groups, one selected."""
from __future__ import annotations

import math

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from sacred_tui.data.scatter import ScatterData
from sacred_tui.data.visible_text import visible

__all__ = ["ScatterPlot", "MAX_ERROR_BARS"]

MAX_ERROR_BARS = 400
"""plotext draws each bar on its own; beyond this many groups the bars are left out (and said so)."""

_POINT = (79, 195, 247)
_BAR = (90, 110, 130)
_SELECTED = (242, 142, 43)


class ScatterPlot(PlotextPlot):
    """Draws ``data``; ``selected`` is the index of the highlighted point."""

    DEFAULT_CSS = """
    ScatterPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = ScatterData()
        self.selected = 0
        self.x_label = ""
        self.y_label = ""
        self.log_x = False
        self.log_y = False

    def show(self, data: ScatterData, selected: int, x_label: str, y_label: str, log_x: bool,
             log_y: bool) -> None:
        """Draw these points at the next refresh."""
        self.data, self.selected = data, selected
        self.x_label, self.y_label, self.log_x, self.log_y = x_label, y_label, log_x, log_y
        self.refresh()

    def render(self) -> RenderResult:
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel(visible(self.x_label))
        plt.ylabel(visible(self.y_label))
        data = self.data
        if self.log_x and not data.categories:
            plt.xscale("log")
        if self.log_y:
            plt.yscale("log")
        if not data.points:
            plt.title("No run has both values")
            return
        if data.categories:
            plt.xticks(list(range(len(data.categories))), [visible(name)[:12] for name in data.categories])
            plt.xlim(-0.5, len(data.categories) - 0.5)
        else:
            plt.xlim(*_padded([point.x for point in data.points], self.log_x))
        plt.ylim(*_padded([v for point in data.points for v in (point.low, point.high)], self.log_y))
        bars = [point for point in data.points if point.high > point.low]
        if len(bars) <= MAX_ERROR_BARS:
            for point in bars:
                plt.plot([point.x, point.x], [point.low, point.high], marker="│", color=_BAR)
        plt.scatter([point.x for point in data.points], [point.y for point in data.points],
                    marker="●" if len(data.points) < 200 else "dot", color=_POINT)
        if 0 <= self.selected < len(data.points):
            chosen = data.points[self.selected]
            plt.scatter([chosen.x], [chosen.y], marker="◆", color=_SELECTED)


def _padded(values: list[float], log: bool) -> tuple[float, float]:
    """Axis limits with a margin of 5% each side, so no point sits on the frame.

    On a log axis plotext takes the limits as powers of ten, so they are returned as such.
    """
    low, high = min(values), max(values)
    if log:
        low, high = math.log10(low), math.log10(high)
    margin = (high - low) * 0.05 or (abs(high) * 0.05 or 0.5)
    return low - margin, high + margin
