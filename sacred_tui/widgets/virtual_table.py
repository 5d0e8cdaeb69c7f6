"""Provides VirtualTable: a table of one-line rows that draws only the rows on screen.

DataTable keeps a dictionary of cells per row and rebuilds them, with their positions, whenever
the rows are filtered or sorted: with tens of thousands of rows that costs a second per change.
Here the table holds only the keys of the shown rows, in order; a subclass gives the cells of a
row when it is drawn (:meth:`VirtualTable.row_cells`). Filtering or sorting is handing over a new
list of keys; marking a row redraws one line.

What the user sees is DataTable's: a header (a click on it posts :class:`HeaderSelected`), a row
cursor (Enter or a click on the highlighted row posts :class:`RowSelected`), zebra stripes and
frozen columns on the left while the table scrolls right.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView

from sacred_tui.widgets.run_cells import Cell
from sacred_tui.widgets.table_lines import MAX_COLUMN_WIDTH, Column, TableLines

class VirtualTable(TableLines, ScrollView, can_focus=True):
    """One-line rows keyed by strings; only the rows on screen are ever turned into text."""

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .vtable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .vtable--header { background-tint: $foreground 5%; }
            & > .vtable--fixed-cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
        }
        &:dark > .vtable--even-row { background: $surface-darken-1 40%; }
        & > .vtable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .vtable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .vtable--fixed { background: $secondary-muted; color: $foreground; }
        & > .vtable--odd-row { }
        & > .vtable--even-row { background: $surface-lighten-1 50%; }
        & > .vtable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .vtable--fixed-cursor { background: $block-cursor-blurred-background; color: $foreground; }
    }
    """

    COMPONENT_CLASSES = {"vtable--header", "vtable--fixed", "vtable--odd-row", "vtable--even-row",
                         "vtable--cursor", "vtable--fixed-cursor"}

    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    class RowHighlighted(Message):
        """The cursor moved to another row (or another row came under it)."""

        def __init__(self, table: VirtualTable, row_key: str, cursor_row: int) -> None:
            super().__init__()
            self.table, self.row_key, self.cursor_row = table, row_key, cursor_row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowSelected(Message):
        """Enter was pressed on a row, or the highlighted row was clicked."""

        def __init__(self, table: VirtualTable, row_key: str, cursor_row: int) -> None:
            super().__init__()
            self.table, self.row_key, self.cursor_row = table, row_key, cursor_row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class HeaderSelected(Message):
        """A column header was clicked."""

        def __init__(self, table: VirtualTable, column_key: str) -> None:
            super().__init__()
            self.table, self.column_key = table, column_key

        @property
        def control(self) -> VirtualTable:
            return self.table

    cell_padding = 1
    fill_column: str | None = None
    """The column that takes the width the others leave free (up to its widest text)."""

    def __init__(self, *, fixed_columns: int = 0, zebra_stripes: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.fixed_columns = fixed_columns
        self.zebra_stripes = zebra_stripes
        self.columns: dict[str, Column] = {}
        self._keys: list[str] = []
        self._index: dict[str, int] | None = None
        self._cursor = 0
        self._highlighted: str | None = None
        self._drawn: dict[str, tuple[tuple[object, ...], list[Segment], list[Segment]]] = {}
        """Segments of recently drawn rows (fixed part, scrolling part), by row key."""
        self._look = 0
        """Bumped whenever every drawn row is stale (widths, columns, focus, styles)."""
        self._base_style = Style()
        """The widget's own style, read once per drawing (reading it is not free)."""
        self._styles: dict[tuple[str, bool, str, bool], Style] = {}
        """Cell styles by stripe, frozen, cell style and cursor, made at look ``_styles_look``."""
        self._styles_look = 0
        self._widths: tuple[int, list[int], list[int]] = (-1, [], [])
        """Widths of the frozen and the other columns' cells, made at look ``_widths[0]``."""

    # -- what subclasses provide -----------------------------------------------------------------
    def row_cells(self, key: str) -> Sequence[Cell]:
        """The cells of row ``key``, one per column in :attr:`ordered_columns`."""
        raise NotImplementedError

    # -- rows ------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        """Index of the highlighted row."""
        return self._cursor

    def row_key_at(self, index: int) -> str | None:
        """The key of the row at ``index``, None when out of range."""
        return self._keys[index] if 0 <= index < len(self._keys) else None

    def get_row_index(self, key: str) -> int:
        """The index of row ``key``; raises KeyError when it is not shown."""
        if self._index is not None:
            return self._index[key]
        try:
            return self._keys.index(key)
        except ValueError:
            raise KeyError(key) from None

    def is_shown(self, key: str) -> bool:
        """True when row ``key`` is among the shown rows (the first call after a change is linear)."""
        if self._index is None:
            self._index = {row_key: index for index, row_key in enumerate(self._keys)}
        return key in self._index

    def show_keys(self, keys: list[str]) -> None:
        """Show these rows, in this order (the list is kept, not copied)."""
        self._keys = keys
        self._index = None
        self._resize()
        self.refresh()

    def rows_in_view(self) -> range:
        """Indices of the rows on screen."""
        first = int(self.scroll_y)
        return range(first, min(len(self._keys), first + self._body_height()))

    def refresh_row(self, key: str) -> None:
        """Draw row ``key`` again (its cells changed); nothing happens when it is off screen."""
        self.refresh_rows((key,))

    def refresh_rows(self, keys: Iterable[str]) -> None:
        """Draw these rows again (their cells changed); rows off screen are only forgotten.

        Which rows are on screen is asked once: Textual takes some 60 µs to answer, and a tick may
        change a thousand rows.
        """
        view: range | None = None
        for key in keys:
            self._drawn.pop(key, None)
            if not self.is_shown(key):
                continue
            if view is None:
                view = self.rows_in_view()
            self._refresh_line(self.get_row_index(key), view)

    def _refresh_line(self, index: int, view: range | None = None) -> None:
        """Draw the row at ``index`` again when it is on screen (``view``: :meth:`rows_in_view`)."""
        view = self.rows_in_view() if view is None else view
        if index in view:
            self.refresh(Region(0, index - view.start + 1, self.size.width, 1))

    def redraw_all(self) -> None:
        """Forget every drawn row and draw the screen again (widths or columns changed)."""
        self._look += 1
        self._drawn.clear()
        self._resize()
        self.refresh()

    # -- cursor ----------------------------------------------------------------------------------
    def move_cursor(self, *, row: int | None = None, column: int | None = None,
                    animate: bool = False, scroll: bool = True) -> None:
        """Highlight row ``row`` (clamped to the table) and scroll it into view."""
        del column, animate  # rows only, never animated: kept for DataTable's signature
        if row is not None:
            self._set_cursor(row)
        if scroll:
            self._scroll_cursor_into_view()

    def _set_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self._keys) - 1))
        if row != self._cursor:
            before, self._cursor = self._cursor, row
            self._refresh_line(before)  # their look depends on the cursor: no cell changed
            self._refresh_line(row)
        self.note_highlight()

    def note_highlight(self) -> None:
        """Post RowHighlighted when the row under the cursor is not the one last announced (a
        row that only moved, by a sort or a filter, is not announced again)."""
        key = self.row_key_at(self._cursor)
        if key != self._highlighted:
            self._highlighted = key
            if key is not None:
                self.post_message(self.RowHighlighted(self, key, self._cursor))

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top, height = int(self.scroll_y), self._body_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        height = self._body_height()
        self.scroll_to(y=max(0, self.scroll_y - height), animate=False, immediate=True)
        self.move_cursor(row=self._cursor - height)

    def action_page_down(self) -> None:
        height = self._body_height()
        self.scroll_to(y=self.scroll_y + height, animate=False, immediate=True)
        self.move_cursor(row=self._cursor + height)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def action_scroll_home(self) -> None:
        self.scroll_to(x=0, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False, immediate=True)

    def action_select_cursor(self) -> None:
        key = self.row_key_at(self._cursor)
        if key is not None:
            self.post_message(self.RowSelected(self, key, self._cursor))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        index = offset.y - 1 + int(self.scroll_y)
        if index < len(self._keys):
            if index == self._cursor:
                self.action_select_cursor()
            self.move_cursor(row=index)
            event.stop()

    def _column_at(self, x: int) -> Column | None:
        columns, fixed = self.ordered_columns, self.fixed_columns
        left = 0
        for column in columns[:fixed]:
            left += self.render_width(column)
            if x < left:
                return column
        x += int(self.scroll_x)
        for column in columns[fixed:]:
            left += self.render_width(column)
            if x < left:
                return column
        return None

    def _on_focus(self, event: events.Focus) -> None:
        self.redraw_all()

    def _on_blur(self, event: events.Blur) -> None:
        self.redraw_all()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look += 1
        self._drawn.clear()

    # -- columns ---------------------------------------------------------------------------------
    @property
    def ordered_columns(self) -> list[Column]:
        return list(self.columns.values())

    def set_table_columns(self, columns: Sequence[Column]) -> None:
        """Show these columns, in this order."""
        self.columns = {column.key: column for column in columns}
        self.fit_widths()

    def get_column_index(self, key: str) -> int:
        """Position of column ``key``; raises KeyError when there is no such column."""
        for index, column_key in enumerate(self.columns):
            if column_key == key:
                return index
        raise KeyError(key)

    def render_width(self, column: Column) -> int:
        """Width of a column on screen, padding included."""
        return column.content_width + 2 * self.cell_padding

    def grow_columns(self, cells: Sequence[Cell]) -> bool:
        """Widen the columns for these cells of one row (up to their caps); True if any grew."""
        grew = False
        for column, cell in zip(self.columns.values(), cells):
            if cell.cell_len > column.widest and column.grow(cell.cell_len):
                grew = True
        return grew

    def fit_widths(self) -> None:
        """Set the drawn widths from the widest texts; the fill column takes the free width."""
        fill = self.columns.get(self.fill_column or "")
        for column in self.columns.values():
            column.content_width = column.widest
        if fill is not None and self.size.width:
            others = sum(self.render_width(column) for column in self.columns.values() if column is not fill)
            free = self.size.width - others - 2 * self.cell_padding - 1  # padding, vertical scrollbar
            fill.content_width = min(fill.widest, max(free, MAX_COLUMN_WIDTH))
        self.redraw_all()

    def scroll_to_column(self, key: str) -> None:
        """Scroll until the column ``key`` is in view (next to the frozen ones when it was not)."""
        columns = self.ordered_columns
        keys = [column.key for column in columns]
        if key not in keys or keys.index(key) < self.fixed_columns:
            return
        position = keys.index(key)
        fixed = sum(self.render_width(column) for column in columns[:self.fixed_columns])
        start = sum(self.render_width(column) for column in columns[self.fixed_columns:position])
        end = start + self.render_width(columns[position])
        shown_from = int(self.scroll_x)
        shown_to = shown_from + self.scrollable_content_region.width - fixed
        if shown_from <= start and end <= shown_to:
            return
        # The column goes right next to the frozen ones, so the columns after it show too.
        self.scroll_to(x=start, animate=False, force=True, immediate=True)

    def on_resize(self) -> None:
        self.fit_widths()

    def _resize(self) -> None:
        width = sum(self.render_width(column) for column in self.columns.values())
        size = Size(width, len(self._keys) + 1)
        if size != self.virtual_size:
            self.virtual_size = size
        if self._cursor >= len(self._keys):
            self._cursor = max(0, len(self._keys) - 1)
        if self.scroll_y > self.max_scroll_y:  # fewer rows: no empty lines below the last one
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
