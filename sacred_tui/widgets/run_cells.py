"""Provides Cell, a slim table cell, and RowCells, which builds and caches the cells of run rows.

A Rich ``Text`` per cell costs about half a kilobyte; twenty thousand runs times a dozen columns
would spend a hundred megabytes on them. A Cell holds only its text, style and width and becomes a
``Text`` when the table draws it (only the rows on screen are ever drawn).
"""
from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

from sacred_tui.data.columns import cell_text
from sacred_tui.data.rows import RunRow
from sacred_tui.data.visible_text import visible

STATUS_STYLES = {
    "COMPLETED": "green",
    "RUNNING": "bold dodger_blue2",
    "DEAD": "bold magenta",
    "FAILED": "bold red",
    "INTERRUPTED": "dark_orange3",
    "TIMEOUT": "dark_orange3",
    "QUEUED": "grey50",
}


def display_status_style(display_status: str) -> str:
    """The Rich style of a status as shown (``DEAD`` for probably dead; custom ones look interrupted)."""
    return STATUS_STYLES.get(display_status, "dark_orange3")


def status_style(row: RunRow) -> str:
    """Return the Rich style of a row's status cell: the same on every screen."""
    return display_status_style(row.display_status)


class Cell:
    """One table cell: plain text, a Rich style and the text's width in terminal cells.

    ``plain`` is the text as the run stored it (filters and sorting use it); what is drawn has
    its control characters made visible.
    """

    __slots__ = ("plain", "style", "cell_len")

    def __init__(self, plain: str, style: str = "") -> None:
        self.plain = plain
        self.style = style
        shown = visible(plain)
        self.cell_len = len(shown) if shown.isascii() else cell_len(shown)

    def __rich__(self) -> Text:
        return Text(visible(self.plain), style=self.style, end="", no_wrap=True, overflow="ellipsis")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and other.plain == self.plain and other.style == self.style

    def __hash__(self) -> int:
        return hash((self.plain, self.style))

    def __repr__(self) -> str:
        return f"Cell({self.plain!r}, {self.style!r})"


MARKED = Cell("●", "bold")
UNMARKED = Cell(" ")


def _live(row: RunRow) -> bool:
    """Rows whose cells change with time alone (the duration of a running run)."""
    return row.running


class RowCells:
    """Builds the cells of rows for a list of column keys, reusing them while a row is unchanged."""

    def __init__(self) -> None:
        self.keys: tuple[str, ...] = ()
        self._cache: dict[str, tuple[RunRow, list[Cell], str]] = {}

    def set_keys(self, keys: Sequence[str]) -> None:
        """Use these columns from now on (drops every cached cell)."""
        self.keys = tuple(keys)
        self._cache.clear()

    def forget(self, run_id: str) -> None:
        """Drop the cached cells of one run."""
        self._cache.pop(run_id, None)

    def cells(self, row: RunRow, now: float) -> list[Cell]:
        """Return the cells of ``row`` for :attr:`keys`."""
        return self._entry(row, now)[1]

    def haystack(self, row: RunRow, now: float) -> str:
        """Return the lower-cased text of the row's cells, for quick word filters."""
        return self._entry(row, now)[2]

    def _entry(self, row: RunRow, now: float) -> tuple[RunRow, list[Cell], str]:
        cached = self._cache.get(row.run_id)
        if cached is not None and cached[0] is row and not _live(row):
            return cached
        cells = []
        for key in self.keys:
            text = cell_text(row, key, now)
            if key == "status":
                cells.append(Cell(text, status_style(row)))
            elif key == "tags" and row.archived:
                cells.append(Cell(text, "dim italic"))
            else:
                cells.append(Cell(text))
        entry = (row, cells, "\x00".join(cell.plain for cell in cells).casefold())
        self._cache[row.run_id] = entry
        return entry
