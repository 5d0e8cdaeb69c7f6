"""Provides SizedTable: a DataTable of one-line rows whose cells know their width.

Measuring every cell is what makes DataTable slow with ten thousand rows. Here the columns grow
from the widths the cells carry, up to a cap, and rows are placed by index (every row is one line
high). The comment column takes the width the other columns leave free.
"""
from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from sacred_tui.widgets.row_store import CellsByRow, RowLines
from sacred_tui.widgets.run_cells import Cell

MAX_COLUMN_WIDTH = 40
"""Widest a column grows (terminal cells); longer values end in '…' and show whole in the detail."""
MAX_ID_WIDTH = 24
"""Widest the run id column grows: a custom id of hundreds of characters must not fill the screen."""


def width_cap(key: str | None) -> int:
    """The widest the column ``key`` grows."""
    return MAX_ID_WIDTH if key == "id" else MAX_COLUMN_WIDTH


class SizedTable(DataTable[Cell]):
    """Column widths and row placement for tables of :class:`~sacred_tui.widgets.run_cells.Cell`."""

    _data: CellsByRow

    def scroll_to_column(self, key: str) -> None:
        """Scroll until the column ``key`` is in view (next to the frozen ones when it was not)."""
        keys = [column.key.value for column in self.ordered_columns]
        if key not in keys:
            return
        region = self._get_column_region(keys.index(key))
        fixed = self._get_fixed_offset()
        visible_from = self.scroll_x + fixed.left
        visible_to = self.scroll_x + self.scrollable_content_region.width
        if visible_from <= region.x and region.right <= visible_to:
            return
        # The column goes right next to the frozen ones, so the columns after it show too.
        self.scroll_to(x=max(0, region.x - fixed.left), animate=False, force=True)

    def fit_comment(self) -> None:
        """Let the comment column (the last base column) take the width the others leave free."""
        comment = self.columns.get("comment")  # type: ignore[call-overload]
        if comment is None or not self.size.width:
            return
        others = sum(column.get_render_width(self) for column in self.ordered_columns
                     if column is not comment)
        free = self.size.width - others - 2 * self.cell_padding - 1  # padding, vertical scrollbar
        longest = comment.label.cell_len
        for cells in self._data.values():
            cell = cells.get("comment")
            if cell is not None and cell.cell_len > longest:
                longest = cell.cell_len
        width = min(longest, max(free, MAX_COLUMN_WIDTH))
        if width != comment.content_width:
            comment.content_width = width
            self._update_count += 1
            self._require_update_dimensions = True
            self.refresh()

    def on_resize(self) -> None:
        self.fit_comment()

    def _grow_columns(self, cells: dict[str, Cell]) -> None:
        """Widen the columns that are too narrow for these cells of one row (up to their caps)."""
        grew = False
        for column in self.ordered_columns:
            cell = cells.get(column.key.value)  # type: ignore[arg-type]
            cap = width_cap(column.key.value)
            if cell is not None and cell.cell_len > column.content_width < cap:
                column.content_width = min(cell.cell_len, cap)
                grew = True
        if grew:
            self._update_count += 1
            self._require_update_dimensions = True
            self.refresh()

    @property
    def _y_offsets(self) -> RowLines:  # type: ignore[override]
        return RowLines(self.row_count, self._row_locations)

    def _get_row_region(self, row_index: int) -> Region:
        """DataTable's row region without summing the heights of every row above (all are 1)."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        width = sum(column.get_render_width(self) for column in self.columns.values()) + self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, width), 1)

    def _size_table(self) -> None:
        """Size the table for the column widths as they are now (no new rows to measure)."""
        super()._update_dimensions(())

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Grow column widths for new rows from the widths their cells know, then size the table."""
        columns = [(column, column.key.value, width_cap(column.key.value)) for column in self.ordered_columns]
        data = self._data
        grew = False
        for row_key in new_rows:
            cells = data.get(row_key)
            if cells is None:
                continue
            for column, key, cap in columns:
                cell = cells.get(key)
                if cell is not None and cell.cell_len > column.content_width < cap:
                    column.content_width = min(cell.cell_len, cap)
                    grew = True
        if grew:
            self._update_count += 1  # cells drawn at the old widths are stale now
            self.refresh()
        super()._update_dimensions(())
        self.call_after_refresh(self.fit_comment)
