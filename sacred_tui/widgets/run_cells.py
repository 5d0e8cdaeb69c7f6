"""Provides Cell, a slim table cell, and RowCells, which builds and caches the cells of run rows.

A Rich ``Text`` per cell costs about half a kilobyte; twenty thousand runs times a dozen columns
would spend a hundred megabytes on them. A Cell holds only its text, style and width and becomes a
``Text`` when the table draws it (only the rows on screen are ever drawn).
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text

from sacred_tui.data.columns import cell_text, changes_with_time
from sacred_tui.data.liveness import usable_heartbeat
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


def ticks(row: RunRow) -> bool:
    """Whether the row's duration changes with time alone: a running run that is not judged dead
    (a dead one ran until its last heartbeat), or one whose heartbeat lies ahead of this clock."""
    if row.stop is not None or not row.running:
        return False
    return not row.liveness.dead or usable_heartbeat(row.heartbeat, time.time()) is None


class _Entry:
    """What is known of one version of a row: texts per column and its cells."""

    __slots__ = ("row", "texts", "cells", "cells_keys")

    def __init__(self, row: RunRow) -> None:
        self.row = row
        self.texts: dict[str, str] = {}
        self.cells: list[Cell] = []
        self.cells_keys: tuple[str, ...] | None = None


def _cell(row: RunRow, key: str, text: str) -> Cell:
    if key == "status":
        return Cell(text, status_style(row))
    if key == "tags" and row.archived:
        return Cell(text, "dim italic")
    return Cell(text)


class RowCells:
    """Texts, word-search haystacks and cells of run rows, each made once per row version.

    A row version is the RunRow object: the store replaces a row when its run changes, and the
    table calls :meth:`forget` then. Texts are kept per column, so adding a column makes only
    that column's texts, and only for the rows drawn or searched; the duration of a running run
    is made again at every use.
    """

    def __init__(self) -> None:
        self.keys: tuple[str, ...] = ()
        self._live: frozenset[str] = frozenset()
        """The columns whose text changes with time alone while a run is running."""
        self._entries: dict[str, _Entry] = {}
        self._hays: dict[str, str] = {}
        """Lower-cased texts of each run's cells that do not change with time, for :attr:`keys`."""
        self._ticking: set[str] = set()
        """Runs whose haystack also needs the texts that change with time (see :meth:`haystacks`)."""

    def set_keys(self, keys: Sequence[str]) -> None:
        """Use these columns from now on (texts of columns kept stay valid)."""
        if tuple(keys) != self.keys:
            self.keys = tuple(keys)
            self._live = frozenset(key for key in self.keys if changes_with_time(key))
            self._hays.clear()
            self._ticking.clear()

    def forget(self, run_id: str) -> None:
        """Drop what is known of one run (it changed or is gone)."""
        self._entries.pop(run_id, None)
        self._hays.pop(run_id, None)
        self._ticking.discard(run_id)

    def sync(self, rows: Mapping[str, RunRow]) -> None:
        """Forget runs that are not in ``rows`` or whose row is another version there."""
        for run_id in [run_id for run_id, entry in self._entries.items() if rows.get(run_id) is not entry.row]:
            self.forget(run_id)

    def _entry(self, row: RunRow) -> _Entry:
        entry = self._entries.get(row.run_id)
        if entry is None or entry.row is not row:
            self.forget(row.run_id)
            entry = self._entries[row.run_id] = _Entry(row)
        return entry

    def _ticks(self, row: RunRow) -> bool:
        """Whether some of the row's texts change with time alone (a running run's duration)."""
        return bool(self._live) and ticks(row)

    def _texts(self, entry: _Entry, now: float, keys: Sequence[str] | None = None) -> list[str]:
        row, texts = entry.row, entry.texts
        live = self._live if self._ticks(row) else ()
        parts = []
        for key in self.keys if keys is None else keys:
            text = texts.get(key)
            if text is None or key in live:
                text = texts[key] = cell_text(row, key, now)
            parts.append(text)
        return parts

    def _steady_hay(self, row: RunRow, now: float) -> str:
        hay = self._hays.get(row.run_id)
        entry = self._entries.get(row.run_id)
        if hay is None or entry is None or entry.row is not row:
            entry = self._entry(row)
            steady = [key for key in self.keys if key not in self._live]
            hay = self._hays[row.run_id] = "\x00".join(self._texts(entry, now, steady)).casefold()
            if self._ticks(row):
                self._ticking.add(row.run_id)
        return hay

    def _ticking_hay(self, row: RunRow, hay: str, now: float) -> str:
        """A word never holds the separator, so the order of the texts does not matter."""
        ticking = [key for key in self.keys if key in self._live]
        return hay + "\x00" + "\x00".join(self._texts(self._entry(row), now, ticking)).casefold()

    def haystack(self, row: RunRow, now: float) -> str:
        """Return the lower-cased text of the row's cells, for quick word filters."""
        hay = self._steady_hay(row, now)
        return self._ticking_hay(row, hay, now) if row.run_id in self._ticking else hay

    def haystacks(self, rows: Mapping[str, RunRow], now: float) -> Mapping[str, str]:
        """The haystack of every row (made for rows without one), by run id (do not modify)."""
        hays = self._hays
        if len(hays) < len(rows) or not hays.keys() >= rows.keys():
            for run_id in rows.keys() - hays.keys():
                self._steady_hay(rows[run_id], now)
        if not self._ticking:
            return hays
        view = dict(hays)
        for run_id in self._ticking:
            row = rows.get(run_id)
            if row is not None:
                view[run_id] = self._ticking_hay(row, hays[run_id], now)
        return view

    def without_haystack(self, rows: Mapping[str, RunRow]) -> set[str]:
        """The runs of ``rows`` whose haystack is not made yet."""
        return rows.keys() - self._hays.keys()

    def cells(self, row: RunRow, now: float) -> list[Cell]:
        """Return the cells of ``row`` for :attr:`keys`."""
        entry = self._entry(row)
        if entry.cells_keys is self.keys and not self._ticks(row):
            return entry.cells
        old = dict(zip(entry.cells_keys or (), entry.cells))
        cells = []
        for key, text in zip(self.keys, self._texts(entry, now)):
            cell = old.get(key)
            cells.append(cell if cell is not None and cell.plain == text else _cell(row, key, text))
        entry.cells, entry.cells_keys = cells, self.keys
        return cells
