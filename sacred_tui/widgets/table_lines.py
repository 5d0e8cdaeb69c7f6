"""Provides the columns of :class:`~sacred_tui.widgets.virtual_table.VirtualTable` and how its lines are drawn.

A line is the frozen columns' cells followed by the other cells, cut at the horizontal scroll
position; the segments of the rows drawn lately are kept until the row, the widths or the look
change.
"""
from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

from sacred_tui.data.visible_text import visible

MAX_COLUMN_WIDTH = 40
"""Widest a column grows (terminal cells); longer values end in '…' and show whole in the detail."""
MAX_ID_WIDTH = 24
"""Widest the run id column grows: a custom id of hundreds of characters must not fill the screen."""


def width_cap(key: str | None) -> int:
    """The widest the column ``key`` grows."""
    return MAX_ID_WIDTH if key == "id" else MAX_COLUMN_WIDTH


def fit(text: str, width: int) -> str:
    """``text`` made exactly ``width`` terminal cells wide: padded, or cut with '…'."""
    if text.isascii():
        if len(text) <= width:
            return text + " " * (width - len(text))
        return text[:width - 1] + "…" if width > 0 else ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


class Column:
    """A column: its key, header label, the widest text it met (up to ``cap``) and its drawn width."""

    __slots__ = ("key", "label", "cap", "widest", "content_width")

    def __init__(self, key: str, label: Text, cap: int) -> None:
        self.key = key
        self.label = label
        self.cap = cap
        self.widest = min(label.cell_len, cap)
        self.content_width = self.widest

    def grow(self, width: int) -> bool:
        """Widen for a text ``width`` cells wide (up to the cap); True if the column grew."""
        if width > self.widest < self.cap:
            self.widest = min(width, self.cap)
            return True
        return False

    def __repr__(self) -> str:
        return f"Column({self.key!r}, {self.content_width})"


def cut(segments: list[Segment], widths: list[int], start: int, end: int) -> list[Segment]:
    """The cells ``start`` to ``end`` of a line of ``segments``, each as wide as ``widths`` says."""
    shown: list[Segment] = []
    position = 0
    for segment, width in zip(segments, widths):
        stop = position + width
        if position >= end:
            break
        if stop > start:
            if start <= position and stop <= end:
                shown.append(segment)
            else:
                low, high = max(start, position) - position, min(end, stop) - position
                if segment.text.isascii():
                    shown.append(Segment(segment.text[low:high], segment.style))
                else:
                    shown.append(segment.split_cells(low)[1].split_cells(high - low)[0])
        position = stop
    return shown


class TableLines:
    """Drawing of the header and the rows on screen (mixed into VirtualTable, which has the state)."""

    columns: dict[str, Column]
    fixed_columns: int
    zebra_stripes: bool
    cell_padding: int
    scroll_x: float
    scroll_y: float
    size: Any
    rich_style: Style
    _keys: list[str]
    _cursor: int
    _look: int
    _drawn: dict[str, tuple[tuple[object, ...], list[Segment], list[Segment]]]
    _base_style: Style
    _styles: dict[tuple[str, bool, str, bool], Style]
    _styles_look: int
    _widths: tuple[int, list[int], list[int]]
    get_component_rich_style: Any
    row_key_at: Any
    rows_in_view: Any
    row_cells: Any
    grow_columns: Any
    fit_widths: Any

    def render_lines(self, crop: Region) -> list[Strip]:
        base = self.rich_style
        if base != self._base_style:  # the widget's own look changed: every kept row is stale
            self._base_style = base
            self._look += 1
            self._drawn.clear()
        # Columns widen for the rows about to be drawn before any of them is drawn.
        grew = False
        for index in self.rows_in_view():
            grew |= self.grow_columns(self.row_cells(self._keys[index]))
        if grew:
            self.fit_widths()  # and the lines outside ``crop`` are drawn again next
        return super().render_lines(crop)  # type: ignore[misc]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            fixed, scrolling, extend = self._header()
        else:
            index = y - 1 + int(self.scroll_y)
            key = self.row_key_at(index)
            if key is None:
                return Strip.blank(width, self._base_style)
            fixed, scrolling, extend = self._row(index, key)
        if self._widths[0] != self._look:
            columns = list(self.columns.values())
            widths = [column.content_width + 2 * self.cell_padding for column in columns]
            self._widths = (self._look, widths[:self.fixed_columns], widths[self.fixed_columns:])
        _, fixed_widths, scrolling_widths = self._widths
        fixed_width = sum(fixed_widths)
        if fixed_width > width:  # a terminal narrower than the frozen columns
            return Strip(fixed).crop(0, width)
        start = int(self.scroll_x)
        segments = fixed + cut(scrolling, scrolling_widths, start, start + width - fixed_width)
        used = fixed_width + max(0, min(width - fixed_width, sum(scrolling_widths) - start))
        if used < width:
            segments.append(Segment(" " * (width - used), extend))
        return Strip(segments, width)

    def _style(self, stripe: str, frozen: bool, cell_style: str, cursor: bool) -> Style:
        """The style of a cell (kept per combination until the look changes)."""
        if self._styles_look != self._look:
            self._styles.clear()
            self._styles_look = self._look
        combination = (stripe, frozen, cell_style, cursor)
        style = self._styles.get(combination)
        if style is None:
            get = self.get_component_rich_style
            style = self._base_style + get("vtable--fixed" if frozen else stripe)
            if cell_style:
                style += Style.parse(cell_style)
            if cursor:  # the cursor's colours win over the cell's
                style += get("vtable--cursor")
                if frozen:
                    style += get("vtable--fixed-cursor")
            self._styles[combination] = style
        return style

    def _row(self, index: int, key: str) -> tuple[list[Segment], list[Segment], Style]:
        cursor = index == self._cursor
        stripe = "vtable--odd-row" if index % 2 or not self.zebra_stripes else "vtable--even-row"
        extend = self._style(stripe, False, "", cursor)
        state = (stripe, cursor, self._look)
        drawn = self._drawn.get(key)
        if drawn is not None and drawn[0] == state:
            return drawn[1], drawn[2], extend
        pad = " " * self.cell_padding
        fixed: list[Segment] = []
        scrolling: list[Segment] = []
        style = self._style
        for number, (column, cell) in enumerate(zip(self.columns.values(), self.row_cells(key))):
            text = pad + fit(visible(cell.plain), column.content_width) + pad
            frozen = number < self.fixed_columns
            (fixed if frozen else scrolling).append(Segment(text, style(stripe, frozen, cell.style, cursor)))
        if len(self._drawn) > 400:
            self._drawn.clear()
        self._drawn[key] = (state, fixed, scrolling)
        return fixed, scrolling, extend

    def _header(self) -> tuple[list[Segment], list[Segment], Style]:
        style = self._base_style + self.get_component_rich_style("vtable--header")
        pad = " " * self.cell_padding
        fixed: list[Segment] = []
        scrolling: list[Segment] = []
        for number, column in enumerate(self.columns.values()):
            text = pad + fit(column.label.plain, column.content_width) + pad
            (fixed if number < self.fixed_columns else scrolling).append(Segment(text, style))
        return fixed, scrolling, style
