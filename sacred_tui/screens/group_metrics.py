"""Provides GroupMetricsScreen: one or more seed groups' statistics and metrics plotted as bands.

With one group it is the group's metrics plot; with several it compares them: a table of the
groups (shared config, count, statistics per column, each in its plot colour) above one plot per
chosen metric where every group is a mean line inside its ±1 std (or min–max) band, aligned by step.
The metrics of every run are read once in a worker thread; ``r`` reads them again.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from core.runs.metrics import MetricSeries
from sacred_tui.data.compare import RUN_COLORS
from sacred_tui.data.group_series import load_group_metrics, metric_names
from sacred_tui.data.groups import SeedGroup, shared_config_text, stats_text
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.group_plot import GroupPlot, PlottedGroup
from sacred_tui.widgets.groups_table import field_label
from sacred_tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from sacred_tui.data.store import RunStore

__all__ = ["GroupMetricsScreen"]


class GroupMetricsScreen(Screen[None]):
    """Statistics and band plots of ``groups`` (the first group is drawn in the first colour)."""

    DEFAULT_CSS = """
    GroupMetricsScreen #group-stats { height: auto; max-height: 12; }
    GroupMetricsScreen #group-body { height: 1fr; }
    GroupMetricsScreen #group-metric-list { width: 28; max-width: 30%; height: 1fr; }
    GroupMetricsScreen #group-plot-status { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("b", "toggle_spread", "Std / min–max"),
        Binding("r", "reload", "Reload metrics"),
    ]

    def __init__(self, store: RunStore, groups: Sequence[SeedGroup], varying: Sequence[str],
                 fields: Sequence[str], use_range: bool = False) -> None:
        super().__init__()
        self.store = store
        self.groups = list(groups)
        self.varying = list(varying)
        self.fields = list(fields)
        self.use_range = use_range
        self.group_colors = {group.group_id: RUN_COLORS[index % len(RUN_COLORS)]
                       for index, group in enumerate(self.groups)}
        self.plotted: list[PlottedGroup] = []
        self.metric: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="group-stats", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="group-body"):
            yield OptionList(id="group-metric-list")
            with Vertical():
                yield Static("Reading metrics…", id="group-plot-status", markup=False)
                yield GroupPlot(id="group-plot")
        yield KeyBar()

    def on_mount(self) -> None:
        names = ", ".join(group.group_id for group in self.groups)
        self.sub_title = f"Group {names}" if len(self.groups) == 1 else f"Comparing groups {names}"
        self._fill_stats()
        self.query_one("#group-metric-list", OptionList).focus()
        self._load()

    def _fill_stats(self) -> None:
        table = self.query_one("#group-stats", DataTable)
        table.clear(columns=True)
        table.add_column("Group", key="group")
        table.add_column("Runs", key="runs")
        table.add_column(visible(", ".join(self.varying)) or "Config", key="config")
        for name in self.fields:
            table.add_column(visible(field_label(name)), key=name)
        for group in self.groups:
            color = self.group_colors[group.group_id]
            cells = [Text(f"■ {group.group_id}", style=f"bold {color}"), Text(str(len(group.rows))),
                     Text(visible(shared_config_text(group, self.varying, 60)) if self.varying
                          else visible(group.experiment))]
            cells.extend(Text(stats_text(group.stats(name), self.use_range)) for name in self.fields)
            table.add_row(*cells, key=group.group_id)

    @work(thread=True, exclusive=True, group="group-metrics", exit_on_error=False,
          description="Reading the groups' metrics")
    def _load(self) -> None:
        run_ids = [run_id for group in self.groups for run_id in group.run_ids]
        loaded = load_group_metrics(self.store.path, run_ids)
        self.app.call_from_thread(self._loaded, loaded)

    def _loaded(self, loaded: dict[str, dict[str, MetricSeries]]) -> None:
        self.plotted = [PlottedGroup(group.group_id, self.group_colors[group.group_id],
                                     {run_id: loaded.get(run_id, {}) for run_id in group.run_ids})
                        for group in self.groups]
        names = metric_names(loaded)
        chooser = self.query_one("#group-metric-list", OptionList)
        chooser.clear_options()
        chooser.add_options([Option(Text(visible(name)), id=name) for name in names])
        if not names:
            self.metric = None
            self._show()
            return
        self.metric = self.metric if self.metric in names else names[0]
        chooser.highlighted = names.index(self.metric)
        self._show()

    @on(OptionList.OptionHighlighted, "#group-metric-list")
    def _metric_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        self.metric = message.option.id
        self._show()

    def _show(self) -> None:
        plot = self.query_one(GroupPlot)
        plot.show(self.plotted, self.metric, self.use_range)
        self.call_after_refresh(self._show_status)

    def _show_status(self) -> None:
        status = self.query_one("#group-plot-status", Static)
        if self.metric is None:
            status.update("No metrics logged by these runs." if self.plotted else "Reading metrics…")
            return
        plot = self.query_one(GroupPlot)
        parts = []
        for group, band in plot.bands:
            if band.runs:
                how = "" if band.exact else ", averaged per step interval"
                parts.append(f"{group.name}: {band.runs} runs, {band.points:,} points{how}")
            else:
                parts.append(f"{group.name}: not logged")
        spread = "min–max" if self.use_range else "±1 std"
        status.update(visible(f"{' · '.join(parts)} · band {spread} (b)"))

    def action_toggle_spread(self) -> None:
        """Switch the band (and the table) between ±1 std and min–max."""
        self.use_range = not self.use_range
        self._fill_stats()
        self._show()

    def action_reload(self) -> None:
        """Read the runs' metrics again."""
        self._load()
