"""Provides RunsTable, the table of runs that filters, sorts and updates rows in place.

The table keeps every known row (``RunRow``) and shows the ids of those matching the current
query, in the current sort order (:class:`~sacred_tui.widgets.virtual_table.VirtualTable` draws
only the rows on screen). Filtering is one pass over the rows, sorting one ``sorted`` over ids;
what is costly per row (cell texts, the word-search haystack, sort keys) is made once per row
version and kept. Live updates keep the cursor on its run and that run on the same screen line.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer

from sacred_tui.data.columns import BASE_COLUMNS, ColumnSpec
from sacred_tui.data.query import Query, parse_query
from sacred_tui.data.rows import RunRow
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.run_cells import MARKED, UNMARKED, Cell, RowCells
from sacred_tui.widgets.run_order import RunOrder
from sacred_tui.widgets.table_lines import Column, width_cap
from sacred_tui.widgets.virtual_table import VirtualTable

FROZEN_COLUMNS = 3
"""The mark, ID and status columns stay on the left while the table scrolls right."""
COMMENT_CHARS = 400
"""The comment column grows up to this (it takes the free width; see ``fill_column``)."""
_WARM_CHUNK = 200
"""Haystacks or sort keys made between looks at the clock."""
_WARM_EVERY = 0.1
"""Seconds between idle steps, which make the haystacks and sort keys rows lack after they change."""
_WARM_TIME = 0.02
"""How long one idle step works at most (seconds): search texts, then sort keys."""


@contextmanager
def _no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector during a pass over thousands of rows.

    Everything made there is plain data; a collection in the middle would only rescan every row
    the app holds.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class RunsTable(VirtualTable):
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
        Binding("home", "scroll_top", "First run", show=False),
        Binding("end", "scroll_bottom", "Last run", show=False),
    ]

    fill_column = "comment"

    class MarksChanged(Message):
        """The set of marked runs changed."""

        def __init__(self, marked: frozenset[str]) -> None:
            super().__init__()
            self.marked = marked

    def __init__(self, *, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(fixed_columns=FROZEN_COLUMNS, zebra_stripes=True, **kwargs)
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
        self._order = RunOrder()
        self._archived: set[str] = set()
        """The archived runs among all rows (left out unless :attr:`show_archived`)."""
        self._warm_timer: Timer | None = None
        self._hayless: Iterator[str] | None = None
        """The runs that lacked a haystack when the rows last changed, walked by the idle steps
        (finding them anew at each step cost a set difference over every run)."""
        self.unsettled: Callable[[str], bool] = lambda run_id: False
        """True for a run whose row will change soon (its config and metrics are still being
        read): no haystack is made for it in idle steps, it would be made twice."""
        self.settling: Callable[[], bool] = lambda: False
        """True while some rows will still change: sort keys are made in idle steps only after."""
        self._make_columns()

    # -- public API --------------------------------------------------------------------------
    @property
    def all_rows(self) -> dict[str, RunRow]:
        """Every row the table knows, shown or filtered out (do not modify)."""
        return self._all

    @property
    def archived_count(self) -> int:
        """How many of all rows are archived (shown or not)."""
        return len(self._archived)

    @property
    def current_run_id(self) -> str | None:
        """The run under the cursor, or None when the table is empty."""
        return self.row_key_at(self.cursor_row)

    def visible_ids(self) -> list[str]:
        """The run ids shown, top to bottom."""
        return list(self._keys)

    def ids_in_view(self, margin: int = 0) -> list[str]:
        """The run ids of the rows on screen (and ``margin`` rows around them), top to bottom."""
        shown = self.rows_in_view()
        return self._keys[max(0, shown.start - margin):shown.stop + margin]

    def get_row(self, run_id: str) -> list[Cell]:
        """The cells of a run's row as drawn now (mark first); KeyError for an unknown run."""
        return self._row_cells_of(self._all[run_id])

    def get_cell(self, run_id: str, column: str) -> Cell:
        """One cell of a run's row; KeyError for an unknown run or column."""
        return self.get_row(run_id)[self.get_column_index(column)]

    def set_rows(self, rows: Iterable[RunRow]) -> None:
        """Replace every row."""
        self._all = {row.run_id: row for row in rows}
        self._archived = {run_id for run_id, row in self._all.items() if row.archived}
        self._cells.sync(self._all)
        self._order.reset()
        self.rebuild()

    def set_columns(self, specs: Sequence[ColumnSpec]) -> None:
        """Show these columns (in this order); only the rows drawn are made for new ones."""
        self.specs = list(specs)
        self._make_columns()
        if self.sort_column not in {spec.key for spec in self.specs}:
            self.sort_by("id", True)
        if self.query_filter.words:  # words are looked for in the cells shown
            self.rebuild()
        self._warm()  # the new columns' search texts and sort keys

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
        self._order.set_sort(column, reverse)
        self._relabel()
        order = self._order.ordered(self._all, self.clock())
        if len(self._keys) == len(order):
            keys = list(order)
        else:
            shown = set(self._keys)
            keys = [run_id for run_id in order if run_id in shown]
        self._show(keys, self.current_run_id)

    def cycle_sort(self) -> None:
        """Sort by the next column (descending for the id column, ascending otherwise)."""
        keys = [spec.key for spec in self.specs]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        column = keys[(index + 1) % len(keys)]
        self.sort_by(column, reverse=column == "id")

    def toggle_mark(self, run_id: str | None = None) -> None:
        """Mark or unmark a run (the one under the cursor by default): one line is redrawn."""
        run_id = run_id or self.current_run_id
        if run_id is None:
            return
        self.marked.symmetric_difference_update({run_id})
        self.refresh_row(run_id)
        self.post_message(self.MarksChanged(frozenset(self.marked)))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the run under the cursor and move down (space), to mark runs in a row."""
        self.toggle_mark()
        self.move_cursor(row=self.cursor_row + 1)

    def update_rows(self, rows: Iterable[RunRow], removed: Iterable[str] = ()) -> None:
        """Apply new versions of some rows and drop removed runs, keeping cursor and scroll."""
        now = self.clock()
        keep = self.current_run_id
        row_before, scroll_before = self.cursor_row, self.scroll_y
        # The very row objects the table holds have not changed (a message that came after the
        # table took every row, as the first load's batches can): sorting them again is waste.
        rows = [row for row in rows if self._all.get(row.run_id) is not row]
        gone = [run_id for run_id in removed if self._all.pop(run_id, None) is not None]
        for run_id in gone:
            self._cells.forget(run_id)
            self.marked.discard(run_id)
            self._archived.discard(run_id)
        drop = {run_id for run_id in gone if self.is_shown(run_id)}
        add: set[str] = set()
        changed: list[str] = []
        for row in rows:
            self._cells.forget(row.run_id)
            self._all[row.run_id] = row
            if row.archived:
                self._archived.add(row.run_id)
            else:
                self._archived.discard(row.run_id)
            shown, matches = self.is_shown(row.run_id), self._matches(row, now)
            if shown and not matches:
                drop.add(row.run_id)
            elif matches and not shown:
                add.add(row.run_id)
            elif shown:
                changed.append(row.run_id)
        self.refresh_rows(changed)
        moved = self._order.update(rows, gone, now)
        if drop or add or moved:
            shown = set(self._keys).difference(drop).union(add)
            order = self._order.ordered(self._all, now)
            self._show([run_id for run_id in order if run_id in shown], keep)
            self._hold_view(keep, row_before, scroll_before)
        self._warm()

    def refresh_times(self) -> None:
        """Redraw time-dependent cells (durations of running runs) of the rows on screen."""
        self.refresh_rows([run_id for run_id in self.ids_in_view()
                           if (row := self._all.get(run_id)) is not None and row.running])

    def rebuild(self, columns: bool = False) -> None:
        """Filter and sort the known rows again (keeps the cursor on the same run)."""
        if columns:
            self._make_columns()
        now = self.clock()
        with _no_collection():
            keys = self._filtered(self._order.ordered(self._all, now), now)
        self._show(keys, self.current_run_id)
        self._warm()

    # -- rows and cells ----------------------------------------------------------------------
    def row_cells(self, key: str) -> Sequence[Cell]:
        row = self._all.get(key)
        if row is None:
            return [UNMARKED]
        return self._row_cells_of(row)

    def _row_cells_of(self, row: RunRow) -> list[Cell]:
        mark = MARKED if row.run_id in self.marked else UNMARKED
        return [mark, *self._cells.cells(row, self.clock())]

    def _matches(self, row: RunRow, now: float) -> bool:
        if row.archived and not self.show_archived:
            return False
        return self.query_filter.matches(row, now, self._haystack_at(now))

    def _filtered(self, order: list[str], now: float) -> list[str]:
        """The ids of ``order`` that the query and the archive setting let through, in order."""
        query, rows = self.query_filter, self._all
        if query.predicate is None:
            keys = list(order)
        else:
            hays = self._cells.haystacks(rows, now) if query.words else {}
            if query.needles:  # only words: a substring test per row
                keys = order
                for needle in query.needles:
                    keys = [run_id for run_id in keys if needle in hays[run_id]]
            else:
                predicate, haystack = query.predicate, (lambda row: hays[row.run_id])
                keys = [run_id for run_id in order if predicate(rows[run_id], now, haystack)]
        if self._archived and not self.show_archived:
            archived = self._archived
            keys = [run_id for run_id in keys if run_id not in archived]
        return keys

    def _haystack_at(self, now: float) -> Callable[[RunRow], str]:
        haystack = self._cells.haystack
        return lambda row: haystack(row, now)

    def _warm(self) -> None:
        """Make in idle steps the haystacks of rows that lack one (a word filter then finds them)
        and, once rows settle, the sort keys of the shown columns (a first sort then only sorts)."""
        self._hayless = None  # the rows or columns changed: look again
        if self._warm_timer is None and self.is_mounted:
            self._warm_timer = self.set_interval(_WARM_EVERY, self._warm_step)

    def _warm_step(self) -> None:
        """One slice of idle work, at most about :data:`_WARM_TIME` long (a key waits no longer)."""
        begin = time.perf_counter()
        deadline = begin + _WARM_TIME
        unsettled, now, rows = self.unsettled, self.clock(), self._all
        if self._hayless is None:
            self._hayless = iter(list(self._cells.without_haystack(rows)))
        warmable = (run_id for run_id in self._hayless if run_id in rows and not unsettled(run_id))
        hays = keys = _WARM_CHUNK
        with _no_collection():
            # Half the slice for search texts, the rest for sort keys (a column just added is
            # searched and sorted by alike: neither waits for the other to be done).
            while hays == _WARM_CHUNK and time.perf_counter() < begin + _WARM_TIME / 2:
                hays = 0
                for run_id in islice(warmable, _WARM_CHUNK):
                    self._cells.haystack(rows[run_id], now)
                    hays += 1
            if self.settling():
                keys = 0
            else:
                columns = [spec.key for spec in self.specs]
                while keys == _WARM_CHUNK and time.perf_counter() < deadline:
                    keys = self._order.warm(columns, rows, now, _WARM_CHUNK)
        if hays < _WARM_CHUNK and keys < _WARM_CHUNK and self._warm_timer is not None:
            # Nothing left to make now; rows that settle later restart the steps (update_rows).
            self._warm_timer.stop()
            self._warm_timer = None

    # -- columns -----------------------------------------------------------------------------
    def _make_columns(self) -> None:
        """Columns for :attr:`specs`; widths already met are kept for columns shown before."""
        self._cells.set_keys([spec.key for spec in self.specs])
        old = self.columns
        columns = [old.get("mark") or Column("mark", Text(" "), 1)]
        for spec in self.specs:
            cap = COMMENT_CHARS if spec.key == self.fill_column else width_cap(spec.key)
            columns.append(old.get(spec.key) or Column(spec.key, Text(visible(spec.label)), cap))
        self.set_table_columns(columns)
        self._relabel()

    def _relabel(self) -> None:
        arrow = " ▼" if self.sort_reverse else " ▲"
        for spec in self.specs:
            column = self.columns.get(spec.key)
            if column is not None:
                column.label = Text(visible(spec.label) + (arrow if spec.key == self.sort_column else ""))
                column.grow(column.label.cell_len)
        self.fit_widths()

    # -- order -------------------------------------------------------------------------------
    def _show(self, keys: list[str], keep: str | None) -> None:
        """Show ``keys``; the cursor stays on run ``keep`` (goes to the top when it is gone)."""
        self.show_keys(keys)
        index = self._index_of(keep)
        self.move_cursor(row=index if index is not None else 0)

    def _index_of(self, run_id: str | None) -> int | None:
        if run_id is None:
            return None
        try:
            return self.get_row_index(run_id)
        except KeyError:
            return None

    def _hold_view(self, keep: str | None, row_before: int, scroll_before: float) -> None:
        """Keep the cursor's run on the same screen line after rows moved around it."""
        index = self._index_of(keep)
        if index is None:
            return
        self.move_cursor(row=index, scroll=False)
        self.scroll_to(y=max(0.0, scroll_before + index - row_before), animate=False, immediate=True)
