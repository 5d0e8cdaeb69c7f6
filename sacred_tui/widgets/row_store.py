"""Provides RowLines and CellsByRow: DataTable's per-row bookkeeping, made cheap for 20,000 rows.

DataTable keeps a list with one entry per line of the table, rebuilt after every cell update, and
the cells of every row, made when the row is added or changed. With tens of thousands of runs
both cost far more than drawing the forty rows on screen. Every runs-table row is one line high,
so line y is row y (:class:`RowLines`); and the cells of a row that changed off screen are made
only when the table draws or reads it (:class:`CellsByRow`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual._two_way_dict import TwoWayDict
from textual.widgets.data_table import RowKey


class RowLines(Sequence[tuple[RowKey, int]]):
    """DataTable's line -> (row key, line within the row) map for rows one line high, without a list."""

    def __init__(self, row_count: int, locations: TwoWayDict[RowKey, int]) -> None:
        self.row_count = row_count
        self.locations = locations

    def __len__(self) -> int:
        return self.row_count

    def __getitem__(self, y: int) -> tuple[RowKey, int]:  # type: ignore[override]
        key = self.locations.get_key(y) if 0 <= y < self.row_count else None
        if key is None:
            raise IndexError(y)
        return key, 0

    def clear(self) -> None:
        """Nothing is kept (DataTable clears its list when the table is cleared)."""


class CellsByRow(dict[RowKey, dict[Any, Any]]):
    """The cells of each row; rows in :attr:`stale` are remade by ``rebuild`` before they are read."""

    def __init__(self, rebuild: Callable[[RowKey], None]) -> None:
        super().__init__()
        self.stale: set[RowKey] = set()
        self._rebuild = rebuild

    def _fresh(self, key: RowKey) -> None:
        if self.stale and key in self.stale:
            self.stale.discard(key)
            self._rebuild(key)

    def __getitem__(self, key: RowKey) -> dict[Any, Any]:
        self._fresh(key)
        return super().__getitem__(key)

    def get(self, key: RowKey, default: Any = None) -> Any:  # type: ignore[override]
        self._fresh(key)
        return super().get(key, default)

    def put(self, key: RowKey, cells: dict[Any, Any]) -> None:
        """Store cells without remaking them."""
        super().__setitem__(key, cells)

    def __setitem__(self, key: RowKey, cells: dict[Any, Any]) -> None:
        self.stale.discard(key)
        super().__setitem__(key, cells)

    def __delitem__(self, key: RowKey) -> None:
        self.stale.discard(key)
        super().__delitem__(key)

    def pop(self, key: RowKey, *default: Any) -> Any:  # type: ignore[override]
        self.stale.discard(key)
        return super().pop(key, *default)

    def clear(self) -> None:
        self.stale.clear()
        super().clear()
