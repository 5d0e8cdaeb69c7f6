"""Provides MetricsPanel: a list of a run's metrics and one plot per chosen metric, updated live.

Plots are drawn by textual-plotext from MetricTracks, which the reading thread keeps compact and
prepared (cleaned values, block summaries). Each redraw only merges those summaries down to the
plot's current width (min/max per bucket), so a million-point series redraws as fast as a short
one; a smoothed line not computed yet is computed in a worker thread while the raw line shows.
Keys: `x` step or time on the x axis, `s` cycles the smoothing, `y` toggles a log y axis. New
points extend the series without touching which metrics are chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection
from textual_plotext import Plot, PlotextPlot

from sacred_tui.data.metric_track import MetricTrack
from sacred_tui.data.plot_data import SMOOTHING_WEIGHTS, PlotData, plot_points
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.marked_selection import MarkedSelectionList

__all__ = ["MetricPlot", "MetricsPanel", "draw_plot"]

SMOOTH_AT_ONCE = 20_000
"""A smoothed line with more values than this to compute is computed in a worker thread."""


class MetricPlot(PlotextPlot):
    """Plot of one metric; recomputes its points only when data, settings or width changed."""

    DEFAULT_CSS = """
    MetricPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, name: str, panel: MetricsPanel) -> None:
        super().__init__(classes="metric-plot")
        self.metric = name
        self._panel = panel
        self._key: tuple[Any, ...] | None = None
        self.last_data: PlotData | None = None

    def mark_dirty(self) -> None:
        """The metric got new points: rebuild at the next render."""
        self._key = None
        self.refresh()

    def render(self) -> RenderResult:
        panel = self._panel
        track = panel.series.get(self.metric)
        key = (self.size.width, panel.x_mode, panel.smoothing, panel.log_y, len(track) if track else 0)
        if key != self._key and track is not None:
            if track.lock.acquire(timeout=0.02):
                try:
                    self._key = key
                    self._rebuild(track)
                finally:
                    track.lock.release()
            else:  # points are being added: keep the last picture, try again shortly
                self.set_timer(0.05, self.refresh)
        return super().render()

    def _rebuild(self, track: MetricTrack) -> None:
        panel = self._panel
        prepared = track.prepared
        weight = panel.smoothing
        if weight and prepared.smoothing_lag(weight) > SMOOTH_AT_ONCE:
            panel.call_later(panel.smooth_later, self.metric, weight)
            weight = 0.0
        data = plot_points(prepared, track.steps, track.timestamps, max(self.size.width - 10, 10),
                           panel.x_mode, weight, panel.log_y, panel.origin)
        self.last_data = data
        draw_plot(self.plt, data, _title(self.metric, track, data, self.size.width), panel.log_y)


def draw_plot(plt: Plot, data: PlotData, title: str, log_y: bool) -> None:
    """Put prepared points on a plotext figure (the raw line dims when a smoothed one is drawn).

    Braille dots give the finest lines but cost plotext time per dot, which adds up for a
    downsampled noisy series (every column a vertical min-max stroke); such series use
    half-block cells instead, five times cheaper.
    """
    plt.clear_figure()
    plt.title(title)
    plt.xlabel(data.x_label)
    if log_y:
        plt.yscale("log")
    marker = "braille" if data.total <= len(data.xs) else "hd"
    if data.xs:
        plt.plot(data.xs, data.ys, marker=marker, color="gray" if data.smooth_xs else "cyan")
    if data.smooth_xs:
        plt.plot(data.smooth_xs, data.smooth_ys, marker=marker, color="orange")


def _title(name: str, series: MetricTrack, data: PlotData, width: int = 1000) -> str:
    """Title line: name, last/min/max, and how many points are shown, cut to fit ``width``.

    plotext leaves out a title wider than the plot, so on a narrow screen the less important
    parts go first (the point count, then min/max) and the name is cut last.
    """
    parts = [visible(name)]
    last = series.last_value()
    if last is not None:
        parts.append(f"last {last:.6g}")
    if data.ys:
        parts.append(f"min {min(data.ys):.6g}  max {max(data.ys):.6g}")
    shown = f"{data.total:,} points"
    if data.skipped:
        shown += f", {data.skipped:,} not finite"
    if data.log_hidden:
        shown += ", values <= 0 hidden"
    parts.append(shown)
    room = max(width - 2, 8)
    while len(parts) > 1 and len(" · ".join(parts)) > room:
        parts.pop(1 if len(parts) == 2 else -1)
    title = " · ".join(parts)
    return title if len(title) <= room else title[:room - 1] + "…"


class MetricsPanel(Horizontal):
    """Metric chooser on the left, stacked plots on the right, a status line with the settings."""

    DEFAULT_CSS = """
    MetricsPanel > SelectionList { width: 30; max-width: 30%; height: 1fr; }
    MetricsPanel > #metrics-right { width: 1fr; }
    MetricsPanel #metrics-status { height: auto; max-height: 2; color: $text-muted; }
    """
    BINDINGS = [
        Binding("x", "toggle_x", "Step/time"),
        Binding("s", "cycle_smoothing", "Smooth"),
        Binding("y", "toggle_log", "Log y"),
        Binding("j", "chooser_down", "Down", show=False),
        Binding("k", "chooser_up", "Up", show=False),
    ]

    x_mode: reactive[str] = reactive("step")
    """What the x axis shows: "step" or "time" (seconds since the run started)."""
    smoothing: reactive[float] = reactive(0.0)
    """EMA weight of the smoothed line; 0 means no smoothing."""
    log_y: reactive[bool] = reactive(False)
    """Log scale on the y axis."""
    cadence: reactive[str] = reactive("")
    """How often new points can arrive, when not at once (runs written by Sacred)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: dict[str, MetricTrack] = {}
        self.origin: datetime | None = None
        self._smoothing: set[tuple[str, float]] = set()
        self._read_once = False

    def compose(self) -> ComposeResult:
        yield MarkedSelectionList(id="metrics-list")
        with Vertical(id="metrics-right"):
            yield Static("Reading the run's metrics…", id="metrics-status")  # as _update_status says
            yield Vertical(id="metrics-plots")

    @property
    def chooser(self) -> SelectionList[str]:
        """The list of metric names."""
        return self.query_one("#metrics-list", SelectionList)

    @property
    def plots(self) -> list[MetricPlot]:
        """The plots shown, top to bottom."""
        return list(self.query(MetricPlot))

    def add_tracks(self, tracks: Mapping[str, MetricTrack]) -> None:
        """Take in metrics with new points; unknown ones join the list (the first one is chosen if none is)."""
        self._read_once = True
        chooser = self.chooser
        for name, track in tracks.items():
            if name not in self.series:
                self.series[name] = track
                chooser.add_option(Selection(Text(visible(name)), name, len(self.series) == 1))
                if chooser.highlighted is None:
                    chooser.highlighted = 0
        dirty = set(tracks)
        for plot in self.plots:
            if plot.metric in dirty:
                plot.mark_dirty()
        self._sync_plots()
        self._update_status()

    def smooth_later(self, name: str, weight: float) -> None:
        """Compute a metric's smoothed line in a worker thread; its plot redraws when it is done."""
        if (name, weight) not in self._smoothing:
            self._smoothing.add((name, weight))
            self._smooth(name, weight)
            self._update_status()

    @work(thread=True, group="metric-smoothing", exit_on_error=False)
    def _smooth(self, name: str, weight: float) -> None:
        self.series[name].smooth(weight)
        self.app.call_from_thread(self._smoothed, name, weight)

    def _smoothed(self, name: str, weight: float) -> None:
        self._smoothing.discard((name, weight))
        if self.is_attached:
            for plot in self.plots:
                if plot.metric == name:
                    plot.mark_dirty()
            self._update_status()

    def show_metrics(self, names: list[str]) -> None:
        """Choose which metrics are plotted (names not logged are ignored)."""
        chooser = self.chooser
        chooser.deselect_all()
        for name in names:
            if name in self.series:
                chooser.select(name)
        self._sync_plots()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        self._sync_plots()

    def _sync_plots(self) -> None:
        """Mount or remove plots so they match the chosen metrics, in list order."""
        chosen = set(self.chooser.selected)
        wanted = [name for name in self.series if name in chosen]
        if [plot.metric for plot in self.plots] == wanted:
            return
        container = self.query_one("#metrics-plots", Vertical)
        container.remove_children()
        container.mount_all([MetricPlot(name, self) for name in wanted])

    def _update_status(self) -> None:
        if not self.series:
            text = Text("No metrics logged (yet)." if self._read_once else "Reading the run's metrics…")
        else:
            smoothing = f"smoothing {self.smoothing:g}" if self.smoothing else "no smoothing"
            axis = "time" if self.x_mode == "time" else "step"
            scale = "log y" if self.log_y else "linear y"
            if self._smoothing:
                smoothing += " (computing…)"
            text = Text(f"x: {axis} (x) · {smoothing} (s) · {scale} (y) · space chooses metrics")
        if self.cadence:
            text = Text.assemble((self.cadence, "bold"), " · ", text)
        self.query_one("#metrics-status", Static).update(text)

    def _settings_changed(self) -> None:
        if self.is_mounted:
            self._update_status()
            for plot in self.plots:
                plot.refresh()

    def watch_x_mode(self) -> None:
        self._settings_changed()

    def watch_smoothing(self) -> None:
        self._settings_changed()

    def watch_log_y(self) -> None:
        self._settings_changed()

    def watch_cadence(self) -> None:
        if self.is_mounted:
            self._update_status()

    def action_chooser_down(self) -> None:
        """Move the highlight in the metric list down (vim key)."""
        self.chooser.action_cursor_down()

    def action_chooser_up(self) -> None:
        """Move the highlight in the metric list up (vim key)."""
        self.chooser.action_cursor_up()

    def action_toggle_x(self) -> None:
        """Switch the x axis between step and time."""
        self.x_mode = "time" if self.x_mode == "step" else "step"

    def action_cycle_smoothing(self) -> None:
        """Next smoothing level (none, light, medium, heavy)."""
        levels = SMOOTHING_WEIGHTS
        index = levels.index(self.smoothing) if self.smoothing in levels else 0
        self.smoothing = levels[(index + 1) % len(levels)]

    def action_toggle_log(self) -> None:
        """Switch between linear and log y axis."""
        self.log_y = not self.log_y
