"""Provides RunOrder: every run id in the table's sort order, kept between filters.

Filtering walks this order and keeps the matching ids, so a new filter never sorts. The order is
sorted again only when the sort changes (one ``sorted`` over ids with a key looked up in a dict)
or when rows come, go or change their key (then the list is nearly sorted and sorting it again
is about one comparison per row). Sort keys are made once per row version; the duration of a
running run changes with time and is made again when it is used. The table makes the keys of its
shown columns in idle steps (:meth:`RunOrder.warm`), so a first sort by one of them only sorts.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from sacred_tui.data.columns import changes_with_time, sort_getter
from sacred_tui.data.rows import RunRow
from sacred_tui.widgets.run_cells import ticks

Key = tuple[int, Any]

_KEEP_WARM_ROWS = 200
"""Changed rows whose keys an update makes for every warmed column; more unwarm the columns."""

_KEPT_COLUMNS = 4
"""Sort keys are kept for this many of the columns sorted by lately (sorting back is quick), or
for every column warmed (:meth:`RunOrder.warm`) and one more."""


class _ColumnKeys:
    """The sort keys made for one column, and the row version each was made from.

    Two dicts rather than one of (row, key) pairs: a pair holds a row, so the cyclic garbage
    collector would walk every pair (220,000 of them for 11 columns of 20,000 rows took it
    60-170 ms at each full collection); a key of plain values is left out of its walks.
    """

    __slots__ = ("made_from", "keys")

    def __init__(self) -> None:
        self.made_from: dict[str, RunRow] = {}
        self.keys: dict[str, Key] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def put(self, row: RunRow, key: Key) -> None:
        self.made_from[row.run_id] = row
        self.keys[row.run_id] = key

    def pop(self, run_id: str) -> None:
        self.made_from.pop(run_id, None)
        self.keys.pop(run_id, None)

    def keep_only(self, rows: Mapping[str, RunRow]) -> None:
        """Forget the ids that are not in ``rows``."""
        if len(self.keys) > len(rows):
            for run_id in [run_id for run_id in self.keys if run_id not in rows]:
                self.pop(run_id)


class RunOrder:
    """The ids of all rows sorted by ``column`` (``reverse`` for descending), missing values last."""

    def __init__(self) -> None:
        self.column = "id"
        self.reverse = True
        self._raw: dict[str, _ColumnKeys] = {}
        """Per column sorted by lately: the key of each row version, as :func:`sort_key` gives it."""
        self._keys: dict[str, Key] | None = {}
        """The key each id is sorted by (missing values placed last for :attr:`reverse`); None
        when the order was taken from :attr:`_done` (made when rows change)."""
        self._ids: list[str] = []
        self._version = 0
        """Counts changes of the rows: orders made at an older version are out of date."""
        self._done: dict[tuple[str, bool], tuple[int, list[str]]] = {}
        """Orders made lately, by sort, with the version they were made at (sorting back is free)."""
        self._stale = True
        """Every key must be made again (the sort or the whole set of rows changed)."""
        self._getters: dict[str, Callable[[RunRow, float], Key]] = {}
        """The sort-key function of each column sorted by or warmed."""
        self._get = self._getter(self.column)
        self._live = False
        """Whether keys of running runs change with time (the duration column)."""
        self._resort = False
        """Some keys changed or ids were added: the list needs sorting again (nearly sorted)."""
        self._kept = _KEPT_COLUMNS
        """For how many columns keys are kept (see :data:`_KEPT_COLUMNS`)."""
        self._warmed: dict[str, int] = {}
        """Columns whose keys were all made, with the version of the rows they were made at."""
        self._cold: dict[str, tuple[int, Iterator[RunRow]]] = {}
        """Per column being warmed, the walk over rows lacking a key and the version it walks (both
        dropped with the column's keys when they leave the cache)."""

    def set_sort(self, column: str, reverse: bool) -> None:
        """Sort by ``column`` from now on."""
        if (column, reverse) != (self.column, self.reverse):
            if column != self.column:
                self._get = self._getter(column)
            self.column, self.reverse = column, reverse
            self._live = changes_with_time(column)
            self._stale = True

    def reset(self) -> None:
        """Every row may have changed (they were all replaced)."""
        self._stale = True
        self._version += 1

    def _getter(self, column: str) -> Callable[[RunRow, float], Key]:
        get = self._getters.get(column)
        if get is None:
            get = self._getters[column] = sort_getter(column)
        return get

    def _known(self, column: str | None = None) -> _ColumnKeys:
        """The keys made for ``column`` (default: the sorted one), now the most recently used."""
        column = self.column if column is None else column
        known = self._raw.pop(column, None)
        if known is None:
            known = _ColumnKeys()
            while len(self._raw) >= self._kept:
                dropped = next(iter(self._raw))
                del self._raw[dropped]
                self._warmed.pop(dropped, None)
                self._cold.pop(dropped, None)
        self._raw[column] = known  # the most recent last
        return known

    def warm(self, columns: Sequence[str], rows: Mapping[str, RunRow], now: float, budget: int) -> int:
        """Make up to ``budget`` missing sort keys of ``columns``; return how many were made.

        Idle work once the rows have settled: sorting by one of these columns for the first time
        then only sorts (making 20,000 keys takes 0.1-0.3 s). A column whose keys are all made is
        kept up to date by :meth:`update` (only the changed rows) and not looked at again here.
        """
        self._kept = max(_KEPT_COLUMNS, len(columns) + 1)
        made = 0
        for column in columns:
            if self._warmed.get(column) == self._version:
                continue
            known = self._raw.get(column)
            if known is None:
                known = self._known(column)
                if column != self.column and self.column in self._raw:
                    self._raw[self.column] = self._raw.pop(self.column)  # keep it the most recent
            get = self._getter(column)
            for row in islice(self._cold_rows(column, known, rows), budget - made):
                known.put(row, get(row, now))
                made += 1
            if made >= budget:
                break
            del self._cold[column]
            known.keep_only(rows)
            self._warmed[column] = self._version
        return made

    def _cold_rows(self, column: str, known: _ColumnKeys,
                   rows: Mapping[str, RunRow]) -> Iterator[RunRow]:
        """The rows whose key for ``column`` is missing or out of date, one walk over the rows
        resumed across calls while the rows stay the same version."""
        version, walk = self._cold.get(column, (None, None))
        if walk is None or version != self._version:
            ids = list(rows)  # the walk outlives this call: a copy, not the live dict
            walk = (row for run_id in ids if (row := rows.get(run_id)) is not None
                    and known.made_from.get(run_id) is not row)
            self._cold[column] = (self._version, walk)
        return walk

    def _keep_warm(self, rows: list[RunRow], gone: set[str], now: float) -> None:
        """Change the keys of warmed columns for changed and removed rows (before the version moves on).

        Many changed rows at once (a folder copied in) leave it to the idle steps instead: this runs
        on the UI thread, for every warmed column."""
        if len(rows) + len(gone) > _KEEP_WARM_ROWS:
            self._warmed.clear()
            return
        for column, version in list(self._warmed.items()):
            known = self._raw.get(column)
            if known is None or version != self._version:
                del self._warmed[column]
                continue
            for run_id in gone:
                known.pop(run_id)
            get = self._getter(column)
            for row in rows:
                known.put(row, get(row, now))
            self._warmed[column] = self._version + 1

    def key(self, row: RunRow, now: float) -> Key:
        """The key ``row`` is sorted by."""
        known = self._raw.get(self.column)
        if known is None:
            known = self._known()
        if known.made_from.get(row.run_id) is row and not (self._live and ticks(row)):
            raw = known.keys[row.run_id]
        else:
            raw = self._get(row, now)
            known.put(row, raw)
        # Missing values go last whichever the direction.
        return ((-1 if self.reverse else 99), 0) if raw[0] == 9 else raw

    def _all_keys(self, rows: Mapping[str, RunRow], now: float) -> dict[str, Key]:
        """The key of every row, made in one tight pass (reused for row versions seen before)."""
        known, get, live = self._known(), self._get, self._live
        missing = ((-1 if self.reverse else 99), 0)  # missing values go last whichever the direction
        if not live and self._warmed.get(self.column) == self._version:  # made in idle steps
            return {run_id: (key if key[0] != 9 else missing) for run_id, key in known.keys.items()}
        raw: dict[str, Key] = {}
        made_from, keys = known.made_from, known.keys
        if self.column == "id":  # an id never changes: no need to look at the row
            for run_id, row in rows.items():
                key = keys.get(run_id)
                if key is None:
                    key = get(row, now)
                    made_from[run_id], keys[run_id] = row, key
                raw[run_id] = key
        else:
            for run_id, row in rows.items():
                if made_from.get(run_id) is not row or (live and ticks(row)):
                    key = get(row, now)
                    made_from[run_id], keys[run_id] = row, key
                else:
                    key = keys[run_id]
                raw[run_id] = key
        known.keep_only(rows)
        for run_id in [run_id for run_id, key in raw.items() if key[0] == 9]:
            raw[run_id] = missing
        return raw

    def _sorted(self, keys: dict[str, Key]) -> list[str]:
        """Ids sorted by key: kind by kind, each by its values (quicker than comparing tuples).

        Rows with equal keys stay in the order they were shown in (sorting is stable).
        """
        previous = [run_id for run_id in self._ids if run_id in keys]
        if len(previous) < len(keys):
            listed = set(previous)
            previous += [run_id for run_id in keys if run_id not in listed]
        groups: dict[int, dict[str, Any]] = {}
        for run_id in previous:
            group, value = keys[run_id]
            members = groups.get(group)
            if members is None:
                members = groups[group] = {}
            members[run_id] = value
        ids: list[str] = []
        for group in sorted(groups, reverse=self.reverse):
            members = groups[group]
            ids += sorted(members, key=members.__getitem__, reverse=self.reverse)
        return ids

    def ordered(self, rows: Mapping[str, RunRow], now: float) -> list[str]:
        """Every id of ``rows``, sorted (do not modify the list)."""
        if self._stale:
            sort = (self.column, self.reverse)
            done = self._done.pop(sort, None)
            if done is not None and done[0] == self._version and not self._live:
                self._ids, self._keys = list(done[1]), None
            else:
                self._keys = keys = self._all_keys(rows, now)
                self._ids = self._sorted(keys)
            while len(self._done) >= _KEPT_COLUMNS:
                del self._done[next(iter(self._done))]
            self._done[sort] = (self._version, list(self._ids))
            self._stale = self._resort = False
        elif self._resort and self._keys is not None:
            self._ids.sort(key=self._keys.__getitem__, reverse=self.reverse)
            self._resort = False
        return self._ids

    def update(self, rows: Iterable[RunRow], removed: Iterable[str], now: float) -> bool:
        """Take new versions of some rows and drop removed ones; True when the order may change."""
        rows = list(rows)
        gone = set(removed)
        if rows or gone:
            self._keep_warm(rows, gone, now)
            self._version += 1
        if self._keys is None:  # the order was reused: make the keys again
            self._stale = True
        if self._stale:
            return True
        keys, moved = self._keys, False
        gone = {run_id for run_id in gone if keys.pop(run_id, None) is not None}
        dropped = gone.difference(row.run_id for row in rows)  # an id removed and back is kept
        for known in self._raw.values():
            for run_id in dropped:
                known.pop(run_id)
        if gone:
            self._ids = [run_id for run_id in self._ids if run_id not in gone]
            moved = True
        for row in rows:
            key = self.key(row, now)
            before = keys.get(row.run_id)
            if before is None:
                self._ids.append(row.run_id)
            if before != key:
                keys[row.run_id] = key
                self._resort = moved = True
        return moved
