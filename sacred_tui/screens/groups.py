"""Provides GroupsScreen: the shown runs grouped by config, seed aside, with statistics per column.

The screen groups the runs the runs table shows (its filter applies) and regroups when runs change.
Enter expands a group into its runs (Enter on a run opens it), ``p`` plots the metrics of a group as
a mean line in a band, ``C`` compares the marked groups, ``i`` picks the keys the grouping ignores,
``b`` switches the spread between ±1 std and min–max, ``s`` sorts the groups (by the mean of a column).
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
from textual.widgets import DataTable, Header, Static

from sacred_tui.data.export import group_table, render_records
from sacred_tui.data.groups import (DEFAULT_IGNORED, SeedGroup, group_runs, sort_groups, stats_text,
                                    varying_keys)
from sacred_tui.data.rows import RunRow
from sacred_tui.data.visible_text import visible
from sacred_tui.messages import RunsUpdated
from sacred_tui.screens.run_actions import export_dialog
from sacred_tui.widgets.groups_table import GroupsTable, field_label

if TYPE_CHECKING:
    from sacred_tui.data.store import RunStore

__all__ = ["GroupsScreen"]

_REGROUP_DELAY = 0.3
from sacred_tui.widgets.key_bar import KeyBar
"""Runs that change in a burst are regrouped once."""
_REGROUP_SHARE = 0.2
"""Regrouping a big folder while runs keep changing takes at most this share of the time."""


class GroupsScreen(Screen[None]):
    """Seed groups of the runs given by ``source`` (the runs table's shown rows)."""

    DEFAULT_CSS = """
    GroupsScreen #groups-settings { height: 1; color: $text-muted; padding: 0 1; }
    GroupsScreen #group-info { height: auto; max-height: 25%; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to runs"),
        Binding("i", "pick_ignored", "Ignored keys"),
        Binding("b", "toggle_spread", "Std / min–max"),
        Binding("p", "plot_group", "Plot group"),
        Binding("C", "compare_marked", "Compare marked groups"),
        Binding("h", "scatter", "Hyperparameters"),
        Binding("E", "export", "Export"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
    ]

    def __init__(self, store: RunStore, source: Callable[[], list[RunRow]], fields: Sequence[str],
                 filter_text: str = "", ignored: Sequence[str] = DEFAULT_IGNORED) -> None:
        super().__init__()
        self.store = store
        self.source = source
        self.fields = list(fields)
        self.filter_text = filter_text
        self.ignored: tuple[str, ...] = tuple(ignored)
        self.sort_column = "group"
        self.sort_reverse = False
        self.use_range = False
        self.groups: list[SeedGroup] = []
        self._timer: Timer | None = None
        self._cost = 0.0
        """Seconds the last regrouping took."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="groups-settings", markup=False)
        yield GroupsTable(id="groups-table")
        yield Static(id="group-info", markup=False)
        yield KeyBar()

    @property
    def table(self) -> GroupsTable:
        """The groups table."""
        return self.query_one(GroupsTable)

    def on_mount(self) -> None:
        self.sub_title = "Seed groups"
        self.regroup()
        self.table.focus()

    def regroup(self) -> None:
        """Group the source's runs again and show them."""
        self._timer = None
        started = time.perf_counter()
        rows = self.source()
        groups = group_runs(rows, self.ignored)
        varying = varying_keys(groups)
        self.groups = sort_groups(groups, self.sort_column, self.sort_reverse, varying)
        table = self.table
        table.show_groups(self.groups, self.fields, varying, self.ignored, self.use_range,
                          (self.sort_column, self.sort_reverse))
        runs = sum(len(group.rows) for group in self.groups)
        label = {"group": "group", "runs": "runs", "config": "config"}.get(self.sort_column) or \
            f"mean {field_label(self.sort_column)}"
        parts = [f"{len(self.groups)} groups of {runs} runs", f"ignoring {', '.join(self.ignored) or 'nothing'} (i)",
                 f"spread: {'min … max' if self.use_range else 'mean ± std'} (b)",
                 f"sorted by {label} {'▼' if self.sort_reverse else '▲'} (s)"]
        if self.filter_text.strip():
            parts.append(f"filter: {self.filter_text}")
        self.query_one("#groups-settings", Static).update(visible(" · ".join(parts)))
        self._show_info()
        self._cost = time.perf_counter() - started

    @on(RunsUpdated)
    def _runs_updated(self, message: RunsUpdated) -> None:
        # The runs screen updates its table from the same message: regroup after it did.
        if self._timer is None:
            # A folder of thousands of runs with live ones regroups less often, so the screen stays usable.
            delay = max(_REGROUP_DELAY, self._cost * (1 - _REGROUP_SHARE) / _REGROUP_SHARE)
            self._timer = self.set_timer(delay, self.regroup)

    # -- actions -----------------------------------------------------------------------------
    def action_pick_ignored(self) -> None:
        """Choose the config keys the grouping ignores (seed by default)."""
        from sacred_tui.screens.key_picker import KeyPickerScreen

        keys = sorted({key for group in self.groups for row in group.rows for key in row.config})
        self.app.push_screen(KeyPickerScreen("Group ignoring these config keys (space toggles, a applies)",
                                             keys, self.ignored), self._ignored_picked)

    def _ignored_picked(self, keys: list[str] | None) -> None:
        if keys is not None:
            self.ignored = tuple(keys)
            self.regroup()

    def action_cycle_sort(self) -> None:
        """Sort the groups by the next column (a statistic column sorts by its mean)."""
        columns = ["group", "runs", "config", *self.fields]
        index = columns.index(self.sort_column) if self.sort_column in columns else -1
        self.sort_column, self.sort_reverse = columns[(index + 1) % len(columns)], False
        self.regroup()

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        self.sort_reverse = not self.sort_reverse
        self.regroup()

    @on(DataTable.HeaderSelected, "#groups-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        if column and column != "mark":
            self.sort_reverse = not self.sort_reverse if column == self.sort_column else False
            self.sort_column = column
            self.regroup()

    def action_toggle_spread(self) -> None:
        """Show min … max instead of mean ± std (and back), in the table and the plots."""
        self.use_range = not self.use_range
        self.regroup()

    def action_plot_group(self) -> None:
        """Plot the metrics of the group under the cursor: mean line in a spread band."""
        group = self.table.current_group
        if group is None:
            self.notify("No group is shown.", severity="warning", title="Plot group")
            return
        self._open_metrics([group])

    def action_compare_marked(self) -> None:
        """Compare the marked groups: statistics side by side and their metrics in one plot."""
        marked = [group for group in self.groups if group.group_id in self.table.marked]
        if len(marked) < 2:
            self.notify("Mark at least two groups (space) to compare them.", severity="warning",
                        title="Compare groups")
            return
        self._open_metrics(marked)

    def action_export(self) -> None:
        """Write the groups as shown (count, mean, std, min, max per column) to CSV, JSON or Markdown."""
        def produce(fmt: str) -> tuple[str, str]:
            records, keys = group_table(self.groups, self.fields, varying_keys(self.groups), time.time())
            count = len(self.groups)
            return render_records(records, keys, fmt), f"{count} group{'s' if count != 1 else ''}"

        export_dialog(self, "Export the seed groups (count, mean, std, min, max of each column)", produce)

    def action_scatter(self) -> None:
        """Scatter a config key against a metric, one point per group with error bars."""
        from sacred_tui.screens.scatter import ScatterScreen

        self.app.push_screen(ScatterScreen(self.store, self.source, self.fields, grouped=True,
                                           ignored=self.ignored))

    def _open_metrics(self, groups: list[SeedGroup]) -> None:
        from sacred_tui.screens.group_metrics import GroupMetricsScreen

        self.app.push_screen(GroupMetricsScreen(self.store, groups, varying_keys(self.groups), self.fields,
                                                self.use_range))

    # -- events ------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#groups-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("g:"):
            self.table.toggle_expand(key[2:])
        elif key.startswith("r:"):
            from sacred_tui.screens.run_detail import RunDetailScreen

            self.app.push_screen(RunDetailScreen(self.store, key[2:]))

    @on(DataTable.RowHighlighted, "#groups-table")
    def _row_highlighted(self) -> None:
        self._show_info()

    @on(GroupsTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._show_info()

    def _show_info(self) -> None:
        group = self.table.current_group
        info = self.query_one("#group-info", Static)
        if group is None:
            info.update("No runs to group." if not self.groups else "")
            return
        text = Text()
        text.append(f"Group {group.group_id}", style="bold")
        text.append(visible(f"  {group.experiment or '?'} · runs {' '.join(group.run_ids)}"))
        seeds = [value for value in group.ignored_values("seed") if value is not None] if "seed" in self.ignored else []
        if seeds:
            text.append(visible(f" · seeds {' '.join(str(seed) for seed in seeds)}"), style="dim")
        for name in self.fields:
            summary = group.stats(name)
            if summary is None:
                continue
            text.append("\n")
            text.append(visible(f"{field_label(name)}: "), style="bold")
            text.append(f"n={summary.count}  mean {summary.mean:.6g}  std {summary.std:.3g}  "
                        f"min {summary.min:.6g}  max {summary.max:.6g}")
        if self.table.marked:
            text.append("\n")
            text.append(f"{len(self.table.marked)} groups marked (C compares them)", style="dim")
        info.update(text)
