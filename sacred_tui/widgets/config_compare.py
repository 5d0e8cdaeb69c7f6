"""Provides ConfigCompareTable: compared runs' configs side by side, one row per dotted key.

Cells are coloured relative to the first run as in Sacred's print_config: modified blue, added
(missing in the first run) green, type changed red, removed (missing in this run) dim. Column
headers carry each run's colour, the same colour its lines have in the metric plots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from sacred_tui.data.compare import MISSING, CellKind, ConfigComparison, ConfigRow, next_difference
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.config_view import format_value
from sacred_tui.data.visible_text import visible

__all__ = ["CELL_STYLES", "ConfigCompareTable", "cell_text", "kind_legend"]

CELL_STYLES: dict[CellKind, str] = {
    CellKind.MODIFIED: change_styles.MODIFIED,
    CellKind.ADDED: change_styles.ADDED,
    CellKind.TYPECHANGED: change_styles.TYPECHANGED,
    CellKind.REMOVED: "dim",
    CellKind.ABSENT: "dim",
}
CELL_CHARS = 36
"""Values longer than this are cut in the table (the row info shows more)."""


def cell_text(value: Any, kind: CellKind, limit: int = CELL_CHARS) -> Text:
    """One cell: the value as Python would show it, styled by its kind; missing keys say so."""
    if value is MISSING:
        return Text("(removed)" if kind is CellKind.REMOVED else "·", style="dim")
    return Text(visible(format_value(value, limit)), style=CELL_STYLES.get(kind, ""))


def kind_legend() -> Text:
    """The colour key shown above the table."""
    legend = Text()
    for kind, word in ((CellKind.MODIFIED, "modified"), (CellKind.ADDED, "added"),
                       (CellKind.TYPECHANGED, "type changed"), (CellKind.REMOVED, "removed")):
        legend.append(word, style=CELL_STYLES[kind]).append("  ")
    legend.append("(relative to the first run)", style="dim")
    return legend


class ConfigCompareTable(DataTable[Text]):
    """Keys down, runs across; `show()` refills it and keeps the cursor on the same key."""

    DEFAULT_CSS = """
    ConfigCompareTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "scroll_top", "First key", show=False),
        Binding("G,end", "scroll_bottom", "Last key", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[ConfigRow] = []
        """The rows in display order (row keys are the dotted keys)."""
        self._columns_for: tuple[tuple[str, ...], tuple[tuple[str, str], ...]] | None = None

    @property
    def current_row(self) -> ConfigRow | None:
        """The row under the cursor, or None when the table is empty."""
        if not self.rows_shown or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]

    def show(self, comparison: ConfigComparison, run_ids: Sequence[str], colors: Mapping[str, str],
             only_changed: bool) -> None:
        """Fill the table with the comparison's rows (only those that differ if `only_changed`)."""
        current = self.current_row
        keep = current.key if current is not None else None
        columns = (tuple(run_ids), tuple(sorted(colors.items())))
        if columns != self._columns_for:
            self.clear(columns=True)
            self.add_column(Text("key", style="bold"), key="key")
            for run_id in run_ids:
                # Keyed apart from the "key" column, which a run may be named too.
                self.add_column(Text(f"run {visible(run_id)}", style=f"bold {colors.get(run_id, '')}"),
                                key=f"run:{run_id}")
            self._columns_for = columns
        else:
            self.clear()
        self.rows_shown = comparison.visible(only_changed)
        for row in self.rows_shown:
            key_text = Text(visible(row.key), style="bold" if row.differs else "")
            cells = [cell_text(value, kind) for value, kind in zip(row.values, row.kinds, strict=True)]
            self.add_row(key_text, *cells, key=row.key)
        if keep is not None:
            self.select_key(keep)

    def select_key(self, key: str) -> bool:
        """Move the cursor to a dotted key; False when it is not shown."""
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, scroll=True)
        return True

    def jump(self, step: int) -> ConfigRow | None:
        """Move to the next (1) or previous (-1) differing row, wrapping; None if none differs."""
        current = self.cursor_row if self.rows_shown else None
        index = next_difference(self.rows_shown, current, step)
        if index is None:
            return None
        self.move_cursor(row=index, scroll=True)
        return self.rows_shown[index]
