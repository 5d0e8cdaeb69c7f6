"""Provides RunsTable, the DataTable of runs that filters, sorts and updates rows in place.

The table keeps every known row (``RunRow``) and shows those matching the current query, in the
current sort order. Live updates change only the cells whose text changed, so the cursor and the
scroll position stay where the user left them. Rebuilding (new filter, new columns) keeps the
cursor on the same run. Cells are slim :class:`~sacred_tui.widgets.run_cells.Cell` objects that
know their width, so adding ten thousand rows skips DataTable's per-cell measuring (the column
widths are :class:`~sacred_tui.widgets.sized_table.SizedTable`'s work).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets.data_table import CellDoesNotExist, Row, RowDoesNotExist, RowKey

from sacred_tui.data.columns import BASE_COLUMNS, ColumnSpec, sort_key
from sacred_tui.data.query import Query, parse_query
from sacred_tui.data.rows import RunRow
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.row_store import CellsByRow
from sacred_tui.widgets.run_cells import MARKED, UNMARKED, Cell, RowCells
from sacred_tui.widgets.sized_table import SizedTable, width_cap

_REBUILD_REMOVALS = 50
"""Removing more rows than this at once rebuilds the table (removal is linear per row)."""


@contextmanager
def _no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector during bulk work on thousands of rows.

    Everything made there either lives on or is plain data; a collection in the middle would only
    rescan every row the app holds, several times per rebuild.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


FROZEN_COLUMNS = 3
"""The mark, ID and status columns stay on the left while the table scrolls right."""


class RunsTable(SizedTable):
    """The runs of a folder as a table; the row keys are the run ids."""

    DEFAULT_CSS = """
    RunsTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open"),
        Binding("space", "toggle_mark", "Mark and move down"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First run", show=False),
        Binding("G", "scroll_bottom", "Last run", show=False),
    ]

    class MarksChanged(Message):
        """The set of marked runs changed."""

        def __init__(self, marked: frozenset[str]) -> None:
            super().__init__()
            self.marked = marked

    def __init__(self, *, clock: Callable[[], float] = time.time, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, fixed_columns=FROZEN_COLUMNS,
                         **kwargs)  # type: ignore[arg-type]
        self.clock = clock
        self.specs: list[ColumnSpec] = list(BASE_COLUMNS)
        self.query_filter: Query = parse_query("")
        self.sort_column = "id"
        self.sort_reverse = True
        self.marked: set[str] = set()
        self.show_archived = False
        """Archived runs are left out unless this is set."""
        self._all: dict[str, RunRow] = {}
        self._cells = RowCells()
        self._cells.set_keys([spec.key for spec in self.specs])
        self._data: CellsByRow = CellsByRow(self._rebuild_stale)  # type: ignore[assignment]

    # -- public API --------------------------------------------------------------------------
    @property
    def all_rows(self) -> dict[str, RunRow]:
        """Every row the table knows, shown or filtered out (do not modify)."""
        return self._all

    @property
    def current_run_id(self) -> str | None:
        """The run under the cursor, or None when the table is empty."""
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return key.value

    def visible_ids(self) -> list[str]:
        """The run ids shown, top to bottom."""
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def ids_in_view(self, margin: int = 0) -> list[str]:
        """The run ids of the rows on screen (and ``margin`` rows around them), top to bottom."""
        first = max(0, int(self.scroll_y) - margin)
        last = min(self.row_count, int(self.scroll_y) + self.size.height + margin)
        keys = (self._row_locations.get_key(index) for index in range(first, last))
        return [key.value for key in keys if key is not None and key.value is not None]

    def set_rows(self, rows: Iterable[RunRow]) -> None:
        """Replace every row."""
        self._all = {row.run_id: row for row in rows}
        self.rebuild()

    def set_columns(self, specs: Sequence[ColumnSpec]) -> None:
        """Show these columns (in this order) and rebuild."""
        self.specs = list(specs)
        self._cells.set_keys([spec.key for spec in self.specs])
        if self.sort_column not in {spec.key for spec in self.specs}:
            self.sort_column, self.sort_reverse = "id", True
        self.rebuild(columns=True)

    def set_show_archived(self, shown: bool) -> None:
        """Show or hide the archived runs."""
        self.show_archived = shown
        self.rebuild()

    def set_query(self, query: Query) -> None:
        """Show only the rows matching ``query``."""
        self.query_filter = query
        self.rebuild()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by a column; ``reverse=None`` flips the direction when it is already the column."""
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else column == "id"
        self.sort_column, self.sort_reverse = column, reverse
        self._relabel()
        self._apply_sort(self.current_run_id)

    def cycle_sort(self) -> None:
        """Sort by the next column (descending for the id column, ascending otherwise)."""
        keys = [spec.key for spec in self.specs]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        column = keys[(index + 1) % len(keys)]
        self.sort_by(column, reverse=column == "id")

    def toggle_mark(self, run_id: str | None = None) -> None:
        """Mark or unmark a run (the one under the cursor by default)."""
        run_id = run_id or self.current_run_id
        if run_id is None:
            return
        self.marked.symmetric_difference_update({run_id})
        if run_id in self._row_locations:
            self.update_cell(run_id, "mark", MARKED if run_id in self.marked else UNMARKED)
        self.post_message(self.MarksChanged(frozenset(self.marked)))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the run under the cursor and move down (space), to mark runs in a row."""
        self.toggle_mark()
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    def update_rows(self, rows: Iterable[RunRow], removed: Iterable[str] = ()) -> None:
        """Apply new versions of some rows and drop removed runs, keeping cursor and scroll."""
        now = self.clock()
        keep = self.current_run_id
        row_before, scroll_before = self.cursor_row, self.scroll_y
        resort = False
        gone = [run_id for run_id in removed if self._all.pop(run_id, None) is not None]
        for run_id in gone:
            self._cells.forget(run_id)
        self.marked.difference_update(gone)
        to_remove = [run_id for run_id in gone if run_id in self._row_locations]
        to_add: list[RunRow] = []
        in_view = set(self.ids_in_view(margin=2))
        for row in rows:
            old = self._all.get(row.run_id)
            self._all[row.run_id] = row
            shown = row.run_id in self._row_locations
            matches = self._matches(row, now)
            if shown and not matches:
                to_remove.append(row.run_id)
            elif matches and not shown:
                to_add.append(row)
            elif shown:
                if row.run_id in in_view:
                    self._update_cells(row, now)
                else:
                    # Off screen: its cells are made when it is drawn or read (most never are).
                    self._data.stale.add(RowKey(row.run_id))
                resort |= old is None or sort_key(old, self.sort_column, now) != sort_key(row, self.sort_column, now)
        if to_add:
            self._add_many(to_add, now)
            resort = True
        if len(to_remove) > _REBUILD_REMOVALS:
            self.rebuild()
            return
        for run_id in to_remove:
            try:
                self.remove_row(run_id)
            except RowDoesNotExist:
                pass
        if resort:
            self._sort_rows()
        if resort or to_remove:
            self._hold_view(keep, row_before, scroll_before)

    def refresh_times(self) -> None:
        """Redraw time-dependent cells (durations of running runs) of the rows on screen.

        Rows off screen are brought up to date when a change of their run arrives or when the
        table is rebuilt; a row scrolled into view is at most one tick behind.
        """
        now = self.clock()
        for run_id in self.ids_in_view():
            row = self._all.get(run_id)
            if row is not None and row.running:
                self._update_cells(row, now)

    def rebuild(self, columns: bool = False) -> None:
        """Fill the table again from the known rows (keeps the cursor on the same run)."""
        keep = self.current_run_id
        now = self.clock()
        self.clear(columns=columns)
        if columns or not self.columns:
            self.add_column(Text(" "), key="mark")
            for spec in self.specs:
                self.add_column(Text(visible(spec.label)), key=spec.key)
        else:
            for column in self.columns.values():
                column.content_width = min(column.label.cell_len, width_cap(column.key.value))
        self._relabel()
        self._add_many([row for row in self._all.values() if self._matches(row, now)], now)
        self._apply_sort(keep)

    # -- internals ---------------------------------------------------------------------------
    def _matches(self, row: RunRow, now: float) -> bool:
        if row.archived and not self.show_archived:
            return False
        return self.query_filter.matches(row, now, self._haystack)

    def _haystack(self, row: RunRow) -> str:
        return self._cells.haystack(row, self.clock())

    def _row_cells(self, row: RunRow, now: float) -> list[Cell]:
        mark = MARKED if row.run_id in self.marked else UNMARKED
        return [mark, *self._cells.cells(row, now)]

    def _add(self, row: RunRow, now: float) -> None:
        self.add_row(*self._row_cells(row, now), key=row.run_id)

    def _add_many(self, rows: list[RunRow], now: float) -> None:
        """Append many rows at once: what ``add_row`` does, without its per-row bookkeeping."""
        if len(rows) < 100:
            for row in rows:
                self._add(row, now)
            return
        # Plain strings hash in C; a ColumnKey finds them (it hashes and compares as its string).
        keys = [column.key.value for column in self.ordered_columns]
        start = self.row_count
        locations, data, metadata, new_rows = self._row_locations, self._data, self.rows, self._new_rows
        with _no_collection():
            for offset, row in enumerate(rows):
                row_key = RowKey(row.run_id)  # callers pass rows that are not shown yet
                locations[row_key] = start + offset
                data[row_key] = dict(zip(keys, self._row_cells(row, now)))
                metadata[row_key] = Row(row_key, 1)
                new_rows.add(row_key)
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        self.check_idle()

    def _rebuild_stale(self, row_key: RowKey) -> None:
        """Make the cells of a row that changed while it was off screen (it is drawn or read now)."""
        run_id = row_key.value if isinstance(row_key, RowKey) else str(row_key)
        row = self._all.get(run_id or "")
        if row is None:
            return
        keys = [column.key.value for column in self.ordered_columns]
        cells = dict(zip(keys, self._row_cells(row, self.clock())))
        self._data.put(RowKey(run_id), cells)  # type: ignore[arg-type]
        self._grow_columns(cells)  # type: ignore[arg-type]

    def _update_cells(self, row: RunRow, now: float) -> bool:
        """Update the cells of a shown row whose text changed; True if any did."""
        current = self._data.get(RowKey(row.run_id))
        if current is None:
            return False
        changed = grew = False
        for column, cell in zip(self.ordered_columns, self._row_cells(row, now)):
            if current.get(column.key) == cell:
                continue
            self.update_cell(row.run_id, column.key, cell)
            changed = True
            width = min(cell.cell_len, width_cap(column.key.value))
            if width > column.content_width:
                column.content_width = width
                grew = True
        if grew:
            self._update_count += 1
            self._size_table()
        return changed

    def _relabel(self) -> None:
        arrow = " ▼" if self.sort_reverse else " ▲"
        for spec in self.specs:
            column = self.columns.get(spec.key)  # type: ignore[call-overload]
            if column is not None:
                column.label = Text(visible(spec.label) + (arrow if spec.key == self.sort_column else ""))
                column.content_width = max(column.content_width,
                                           min(column.label.cell_len, width_cap(spec.key)))
        self._update_count += 1
        self.refresh()

    def _apply_sort(self, keep: str | None) -> None:
        """Order the shown rows; then put the cursor back on run ``keep`` (top when None)."""
        self._sort_rows()
        if keep is not None and keep in self._row_locations:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        elif self.row_count:
            self.move_cursor(row=0, animate=False)

    def _sort_rows(self) -> None:
        column, reverse, now = self.sort_column, self.sort_reverse, self.clock()
        rows = self._all

        def key(cell: Cell) -> tuple[int, object]:
            row = rows.get(cell.plain)
            if row is None:
                return (99, 0)
            group, value = sort_key(row, column, now)
            # Missing values go last whichever the direction.
            return (-1 if reverse else 99, 0) if group == 9 else (group, value)

        if column in {spec.key for spec in self.specs} and self.row_count:
            with _no_collection():
                self.sort("id", key=key, reverse=reverse)

    def _hold_view(self, keep: str | None, row_before: int, scroll_before: float) -> None:
        """Keep the cursor's run on the same screen line after rows moved around it."""
        if keep is None or keep not in self._row_locations:
            return
        index = self.get_row_index(keep)
        self.move_cursor(row=index, animate=False, scroll=False)
        shift = index - row_before
        if shift:
            target = max(0.0, scroll_before + shift)
            # The new rows are measured on the next idle; scroll once the table has grown.
            self.call_after_refresh(self.scroll_to, y=target, animate=False, immediate=True)
