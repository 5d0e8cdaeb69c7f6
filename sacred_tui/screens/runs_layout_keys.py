"""Provides RunsLayoutKeys: the runs screen's keys for sort and columns, and the layout they keep.

Mixed into the runs screen, which supplies ``table``, ``store``, ``layouts`` (a TableStateStore),
``committed`` (the applied filter) and its status line. Every change of sort or columns is saved,
so a runs folder opens with the columns, sort and filter it was left with.
"""
from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import Input

from sacred_tui.data.columns import BASE_COLUMNS, BASE_KEYS, ColumnSpec, column_for
from sacred_tui.data.query import QueryError, parse_query
from sacred_tui.data.table_state import TableState
from sacred_tui.screens.columns import ColumnsScreen
from sacred_tui.screens.sort_picker import SortPickerScreen
from sacred_tui.widgets.runs_table import RunsTable

__all__ = ["LAYOUT_BINDINGS", "RunsLayoutKeys"]

LAYOUT_BINDINGS = [
    Binding("s", "cycle_sort", "Sort"),
    Binding("S", "reverse_sort", "Reverse sort", show=False),
    Binding("o", "pick_sort", "Sort by…", show=False),
    Binding("c", "choose_columns", "Columns"),
]


class RunsLayoutKeys:
    """The actions behind :data:`LAYOUT_BINDINGS`, and the remembered layout of each runs folder."""

    table: RunsTable
    store: Any
    layouts: Any
    committed: Any
    app: Any
    notify: Any
    query_one: Any
    call_after_refresh: Any
    _show_status: Any

    # -- the remembered layout ---------------------------------------------------------------
    def _restore_layout(self) -> None:
        """Columns, sort and filter as they were when this folder was last open."""
        saved = self.layouts.load(self.store.path)
        specs = list(BASE_COLUMNS)
        for key in saved.columns:
            try:
                spec = column_for(key)
            except ValueError:
                continue
            if spec not in specs:
                specs.append(spec)
        table = self.table
        if len(specs) != len(BASE_COLUMNS):
            table.set_columns(specs)
        if saved.sort in {spec.key for spec in specs}:
            table.sort_by(saved.sort, saved.reverse)
        if saved.filter.strip():
            try:
                self.committed = parse_query(saved.filter)
            except QueryError:
                return
            table.set_query(self.committed)
            self.query_one("#filter", Input).add_class("-shown")
            self.query_one("#filter", Input).value = saved.filter

    def _save_layout(self) -> None:
        table = self.table
        state = TableState(tuple(spec.key for spec in table.specs if spec.key not in BASE_KEYS),
                           table.sort_column, table.sort_reverse, self.committed.text)
        problem = self.layouts.save(self.store.path, state)
        if problem is not None:
            self.notify(problem, severity="warning", title="Table layout", timeout=4)

    # -- sort --------------------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        self.table.cycle_sort()
        self._save_layout()
        self._show_status()

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        table = self.table
        table.sort_by(table.sort_column, not table.sort_reverse)
        self._save_layout()
        self._show_status()

    def action_pick_sort(self) -> None:
        """Choose the sort column from a list."""
        table = self.table
        self.app.push_screen(SortPickerScreen(table.specs, table.sort_column, table.sort_reverse),
                             self._sort_picked)

    def _sort_picked(self, choice: tuple[str, bool] | None) -> None:
        if choice is None:
            return
        self.table.sort_by(*choice)
        self._save_layout()
        self._show_status()

    # -- columns -----------------------------------------------------------------------------
    def action_choose_columns(self) -> None:
        """Open the picker of config and metric columns."""
        config_keys, metric_names = self.store.known_keys()
        current = [spec.key for spec in self.table.specs if spec.key not in BASE_KEYS]
        self.app.push_screen(ColumnsScreen(config_keys, metric_names, current), self._set_extra_columns)

    def _set_extra_columns(self, keys: list[str] | None) -> None:
        if keys is None:
            return
        specs: list[ColumnSpec] = list(BASE_COLUMNS)
        for key in keys:
            try:
                specs.append(column_for(key))
            except ValueError as exc:
                self.notify(str(exc), severity="error", title="Column")
        table = self.table
        before = {spec.key for spec in table.specs}
        table.set_columns(specs)
        added = [spec.key for spec in specs if spec.key not in before]
        if added:
            # Shown where it is, next to the frozen ID and status columns, once it is measured.
            self.call_after_refresh(table.scroll_to_column, added[0])
        self._save_layout()
        self._show_status()
