"""Provides OverlayPlot: one metric of several runs in one plot, each run in its own colour.

The plot redraws only when the metric, the x axis, its width or the number of points changed;
each redraw downsamples every run's series to the plot width (MetricOverlay.overlay), so long
series cost the same as short ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from sacred_tui.data.compare import color_rgb
from sacred_tui.data.compare_source import MetricOverlay, Overlay
from sacred_tui.data.visible_text import visible

__all__ = ["OverlayPlot"]


class OverlayPlot(PlotextPlot):
    """Draws `metric` of every run in `overlay` that logged it; set attributes, then `refresh()`."""

    DEFAULT_CSS = """
    OverlayPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, overlay: MetricOverlay, colors: Mapping[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.overlay = overlay
        self.color_of = dict(colors)
        self.metric: str | None = None
        self.x_mode = "step"
        self.last: Overlay | None = None
        """What the latest redraw plotted (for the legend and for tests)."""
        self._key: tuple[Any, ...] | None = None

    def render(self) -> RenderResult:
        key = (self.size.width, self.metric, self.x_mode,
               self.overlay.point_count(self.metric) if self.metric else 0)
        if key != self._key:
            self._key = key
            self._rebuild()
        return super().render()

    def _rebuild(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if self.metric is None:
            self.last = None
            plt.title("No metric chosen")
            return
        data = self.overlay.overlay(self.metric, max(self.size.width - 10, 10), self.x_mode)
        self.last = data
        plt.title(visible(self.metric))
        plt.xlabel(data.x_label)
        for line in data.lines:
            if line.xs:
                color = self.color_of.get(line.run_id)
                plt.plot(line.xs, line.ys, marker="braille",
                         color=color_rgb(color) if color else None)
