"""Provides ScatterScreen: the hyperparameter view, a config key (x) against a metric summary (y).

It plots the runs the runs table shows (its filter applies), one point per run or, with ``g``, one
per seed group with an error bar. ``x`` and ``y`` choose the axes, ``X`` and ``Y`` switch them to a
log scale, ←/→ select a point (ordered by x), Enter opens the selected run (for a group, one of its
runs). The plot follows the runs as they change.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static

from sacred_tui.data.groups import DEFAULT_IGNORED
from sacred_tui.data.rows import RunRow
from sacred_tui.data.scatter import ScatterData, ScatterPoint, candidate_x_keys, scatter_points
from sacred_tui.data.visible_text import visible
from sacred_tui.messages import RunsUpdated
from sacred_tui.widgets.groups_table import field_label
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.scatter_plot import MAX_ERROR_BARS, ScatterPlot

if TYPE_CHECKING:
    from sacred_tui.data.store import RunStore

__all__ = ["ScatterScreen"]


class ScatterScreen(Screen[None]):
    """Scatter of ``config[x_key]`` against ``y_field`` over the runs ``source`` gives."""

    DEFAULT_CSS = """
    ScatterScreen #scatter-settings { height: 1; color: $text-muted; padding: 0 1; }
    ScatterScreen #scatter-info { height: auto; max-height: 3; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("x", "pick_x", "x key"),
        Binding("y", "pick_y", "y metric"),
        Binding("X", "toggle_log_x", "Log x"),
        Binding("Y", "toggle_log_y", "Log y"),
        Binding("g", "toggle_groups", "Runs / groups"),
        Binding("b", "toggle_spread", "Std / min–max", show=False),
        Binding("right,l", "move(1)", "Next point", show=False),
        Binding("left,h", "move(-1)", "Previous point", show=False),
        Binding("enter", "open", "Open run"),
    ]

    def __init__(self, store: RunStore, source: Callable[[], list[RunRow]], fields: Sequence[str], *,
                 grouped: bool = False, ignored: Sequence[str] = DEFAULT_IGNORED) -> None:
        super().__init__()
        self.store = store
        self.source = source
        self.fields = list(fields)
        self.grouped = grouped
        self.ignored = tuple(ignored)
        self.use_range = False
        self.log_x = self.log_y = False
        self.x_key: str | None = None
        self.y_field = next((name for name in self.fields if name.startswith("metric.")), "result")
        self.data = ScatterData()
        self.selected = 0
        self._timer: Timer | None = None
        self._cost = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="scatter-settings", markup=False)
        yield ScatterPlot(id="scatter-plot")
        yield Static(id="scatter-info", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Hyperparameters"
        keys = candidate_x_keys(self.source())
        self.x_key = next((key for key in keys if key not in self.ignored), keys[0] if keys else None)
        self.replot()

    # -- drawing -----------------------------------------------------------------------------
    def replot(self) -> None:
        """Compute the points again from the source's runs and draw them."""
        self._timer = None
        started = time.perf_counter()
        keep = self._selected_point()
        rows = self.source()
        if self.x_key is None:
            self.data = ScatterData(missing=len(rows))
        else:
            self.data = scatter_points(rows, self.x_key, self.y_field, grouped=self.grouped,
                                       ignored=self.ignored, use_range=self.use_range,
                                       log_x=self.log_x, log_y=self.log_y)
        labels = [point.label for point in self.data.points]
        self.selected = labels.index(keep.label) if keep is not None and keep.label in labels else 0
        self._draw()
        self._cost = time.perf_counter() - started

    def _draw(self) -> None:
        y_label = field_label(self.y_field)
        self.query_one(ScatterPlot).show(self.data, self.selected, f"config.{self.x_key or '?'}", y_label,
                                         self.log_x, self.log_y)
        what = "groups (mean, error bar " + ("min–max" if self.use_range else "±1 std") + ")" \
            if self.grouped else "runs"
        parts = [f"x: config.{self.x_key or '—'}{' (log)' if self.log_x else ''}",
                 f"y: {y_label}{' (log)' if self.log_y else ''}", f"{len(self.data.points)} {what}"]
        if self.data.missing:
            parts.append(f"{self.data.missing} runs without both values")
        if self.data.hidden:
            parts.append(f"{self.data.hidden} points <= 0 not on the log axis")
        bars = sum(1 for point in self.data.points if point.high > point.low)
        if self.grouped and bars > MAX_ERROR_BARS:
            parts.append(f"error bars left out ({bars} groups)")
        self.query_one("#scatter-settings", Static).update(visible(" · ".join(parts)))
        self._show_info()

    def _selected_point(self) -> ScatterPoint | None:
        points = self.data.points
        return points[self.selected] if 0 <= self.selected < len(points) else None

    def _show_info(self) -> None:
        point = self._selected_point()
        info = self.query_one("#scatter-info", Static)
        if point is None:
            info.update("No point to select: choose other axes (x, y) or change the filter.")
            return
        text = Text()
        text.append(f"{'Group' if self.grouped else 'Run'} {visible(point.label)}", style="bold")
        text.append(visible(f"  {self.x_key} = {point.x_text}  {field_label(self.y_field)} = {point.y:.6g}"))
        if self.grouped:
            spread = "min … max" if self.use_range else "mean ± std"
            text.append(visible(f"  ({spread}: {point.low:.4g} … {point.high:.4g}; runs {' '.join(point.run_ids)})"),
                        style="dim")
        text.append("  ←/→ select · Enter opens", style="dim")
        info.update(text)

    @on(RunsUpdated)
    def _runs_updated(self) -> None:
        if self._timer is None:
            # Thousands of points with live runs are replotted less often (at most a fifth of the time).
            self._timer = self.set_timer(max(0.3, 4 * self._cost), self.replot)

    # -- actions -----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        """Select the next (or previous) point in x order."""
        if self.data.points:
            self.selected = (self.selected + step) % len(self.data.points)
            self._draw()

    def action_open(self) -> None:
        """Open the selected run (a group asks which of its runs)."""
        point = self._selected_point()
        if point is None:
            return
        if len(point.run_ids) == 1:
            self._open_run(point.run_ids[0])
            return
        from sacred_tui.screens.key_picker import ChoiceScreen

        rows = {row.run_id: row for row in self.source()}
        choices = []
        for run_id in point.run_ids:
            row = rows.get(run_id)
            seed = row.config.get("seed") if row is not None else None
            choices.append((run_id, f"run {run_id}" + (f"  seed={seed}" if seed is not None else "")))
        self.app.push_screen(ChoiceScreen(f"Open a run of group {point.label}", choices), self._open_run)

    def _open_run(self, run_id: str | None) -> None:
        if run_id is None:
            return
        from sacred_tui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(self.store, run_id))

    def action_pick_x(self) -> None:
        """Choose the config key on the x axis."""
        from sacred_tui.screens.key_picker import ChoiceScreen

        keys = candidate_x_keys(self.source())
        self.app.push_screen(ChoiceScreen("x axis: config key (keys with several values first)",
                                          [(key, key) for key in keys], self.x_key), self._x_picked)

    def _x_picked(self, key: str | None) -> None:
        if key is not None:
            self.x_key = key
            self.replot()

    def action_pick_y(self) -> None:
        """Choose the metric summary (or result) on the y axis."""
        from sacred_tui.screens.key_picker import ChoiceScreen

        names = self.store.known_keys()[1]
        fields = ["result", *[f"metric.{name}.{stat}" for name in names for stat in ("last", "min", "max")]]
        self.app.push_screen(ChoiceScreen("y axis: metric summary", [(name, field_label(name)) for name in fields],
                                          self.y_field), self._y_picked)

    def _y_picked(self, name: str | None) -> None:
        if name is not None:
            self.y_field = name
            self.replot()

    def action_toggle_log_x(self) -> None:
        """Log scale on the x axis (numbers only)."""
        self.log_x = not self.log_x
        self.replot()

    def action_toggle_log_y(self) -> None:
        """Log scale on the y axis."""
        self.log_y = not self.log_y
        self.replot()

    def action_toggle_groups(self) -> None:
        """One point per run, or one per seed group with an error bar."""
        self.grouped = not self.grouped
        self.replot()

    def action_toggle_spread(self) -> None:
        """Error bars of ±1 std, or min–max."""
        self.use_range = not self.use_range
        self.replot()
