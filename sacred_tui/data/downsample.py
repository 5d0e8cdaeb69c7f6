"""Provides series preparation for plots: cleaning, min/max downsampling, EMA smoothing, log scale.

A metric can hold millions of points while a plot is a few hundred cells wide. Min/max per bucket
keeps every spike visible (a mean would hide them) and reduces the series to about four points per
column. Everything works on plain lists with C-level builtins (`min`, `max`, `list.index`), which
handles a million points in a few tens of milliseconds without numpy.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = [
    "BlockMinMax",
    "EmaCache",
    "clean_points",
    "ema",
    "elapsed_seconds",
    "minmax_indices",
    "positive_points",
]


def clean_points(values: Sequence[Any]) -> tuple[Sequence[int], Sequence[float]]:
    """Keep the finite numeric values: return their indices and the values as floats.

    Metric files may hold None, strings, NaN or Infinity; plots can only draw finite numbers.
    When every value is already usable the input itself is returned (not copied): do not mutate it.
    """
    try:
        total = sum(values)
        if isinstance(total, (int, float)) and math.isfinite(total):
            floats = values if _all_float(values) else [float(v) for v in values]
            return range(len(values)), floats
    except (TypeError, ValueError, OverflowError):
        pass
    indices: list[int] = []
    kept: list[float] = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        number = float(value)
        if math.isfinite(number):
            indices.append(index)
            kept.append(number)
    return indices, kept


def _all_float(values: Sequence[Any]) -> bool:
    """True if the sequence is an array of doubles or a list of floats already (cheap check on both ends)."""
    if isinstance(values, array):
        return values.typecode == "d"
    return isinstance(values, list) and (not values or (type(values[0]) is float and type(values[-1]) is float))


def minmax_indices(values: Sequence[float], max_points: int) -> list[int]:
    """Indices to draw so that each of `max_points // 2` buckets keeps its minimum and maximum.

    Returns every index when the series is already short enough. The first and last points are
    always kept (so up to `max_points + 2` indices), and the result is sorted, so x values can be
    looked up for the chosen indices only.
    """
    count = len(values)
    if max_points < 4:
        raise ValueError(f"max_points must be at least 4, got {max_points}")
    if count <= max_points:
        return list(range(count))
    buckets = max_points // 2
    chosen: list[int] = [0]
    index_of = values.index if isinstance(values, (list, array)) else list(values).index
    bounds = [count * b // buckets for b in range(buckets + 1)]
    for start, stop in zip(bounds, bounds[1:]):
        if stop <= start:
            continue
        chunk = values[start:stop]
        low = index_of(min(chunk), start, stop)
        high = index_of(max(chunk), start, stop)
        if low <= high:
            chosen.extend((low, high) if low != high else (low,))
        else:
            chosen.extend((high, low))
    chosen.append(count - 1)
    return sorted(set(chosen))


class BlockMinMax:
    """Min and max of every `block` points of a growing list, so a redraw costs O(blocks).

    The summaries of complete blocks are computed once; `indices()` merges them into as many
    buckets as the plot needs and scans only the unfinished last block. A list that got shorter
    is taken as a new list.
    """

    def __init__(self, block: int = 256) -> None:
        self.block = block
        self._low_values: list[float] = []
        self._low_indices: list[int] = []
        self._high_values: list[float] = []
        self._high_indices: list[int] = []

    def update(self, values: Sequence[float]) -> None:
        """Summarise the blocks of `values` (a list or an array) completed since the last call."""
        block = self.block
        if len(values) < len(self._low_values) * block:
            self.__init__(block)  # type: ignore[misc]
        for start in range(len(self._low_values) * block, len(values) - block + 1, block):
            chunk = values[start:start + block]
            low, high = min(chunk), max(chunk)
            self._low_values.append(low)
            self._low_indices.append(values.index(low, start, start + block))
            self._high_values.append(high)
            self._high_indices.append(values.index(high, start, start + block))

    def indices(self, values: Sequence[float], max_points: int) -> list[int]:
        """Sorted indices keeping each bucket's min and max, the first and the last point."""
        count = len(values)
        if max_points < 4:
            raise ValueError(f"max_points must be at least 4, got {max_points}")
        if count <= max_points:
            return list(range(count))
        self.update(values)
        blocks = len(self._low_values)
        groups = min(blocks, max(1, max_points // 2 - 1))
        chosen = {0, count - 1}
        lows, highs = self._low_values, self._high_values
        for group in range(groups):
            start, stop = blocks * group // groups, blocks * (group + 1) // groups
            if stop > start:
                part = lows[start:stop]
                chosen.add(self._low_indices[start + part.index(min(part))])
                part = highs[start:stop]
                chosen.add(self._high_indices[start + part.index(max(part))])
        tail = blocks * self.block
        if tail < count:
            chunk = values[tail:]
            chosen.add(values.index(min(chunk), tail))
            chosen.add(values.index(max(chunk), tail))
        return sorted(chosen)


def ema(values: Sequence[float], weight: float, start: float | None = None) -> list[float]:
    """Exponential moving average with TensorBoard's meaning of `weight` (0 = none, 0.99 = heavy).

    `start` continues a previous run of the filter, so appended points cost only their own time.
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    if not values:
        return []
    alpha = 1.0 - weight
    state = values[0] if start is None else start
    smoothed: list[float] = []
    append = smoothed.append
    for value in values:
        state += alpha * (value - state)
        append(state)
    return smoothed


class EmaCache:
    """Smoothed copy of a growing series, extended in O(new points) when points are appended."""

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.smoothed: array = array("d")
        self.blocks = BlockMinMax()

    def update(self, values: Sequence[float]) -> array:
        """Return the smoothed series for `values`, which must extend the previously given ones."""
        done = len(self.smoothed)
        if done > len(values):
            self.smoothed = array("d")
            self.blocks = BlockMinMax()
            done = 0
        if done < len(values):
            start = self.smoothed[-1] if done else None
            self.smoothed.extend(ema(values[done:], self.weight, start))
        return self.smoothed


def positive_points(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float], int]:
    """Keep the points a log scale can show (y > 0); also return how many were dropped."""
    kept_x = [x for x, y in zip(xs, ys) if y > 0]
    kept_y = [y for y in ys if y > 0]
    return kept_x, kept_y, len(ys) - len(kept_y)


def elapsed_seconds(timestamps: Sequence[Any], indices: Sequence[int], origin: Any) -> list[float]:
    """Seconds since `origin` for the chosen points.

    Timestamps may be datetimes, ISO strings or seconds since 1970 (floats, NaN when unknown), and
    so may `origin`. Only the chosen indices are read, so a downsampled million-point series stays
    cheap. A point whose timestamp cannot be read gets the previous point's time (or 0).
    """
    start = _as_seconds(origin)
    result: list[float] = []
    previous = 0.0
    for index in indices:
        moment = _as_seconds(timestamps[index]) if index < len(timestamps) else None
        if moment is not None and start is not None:
            previous = moment - start
        result.append(previous)
    return result


_EPOCH = datetime(1970, 1, 1)


def _as_seconds(value: Any) -> float | None:
    """Seconds since 1970 (naive UTC) of a float, a datetime or a timestamp as Sacred stores it."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    moment = _as_datetime(value)
    return None if moment is None else (moment - _EPOCH).total_seconds()


def _as_datetime(value: Any) -> datetime | None:
    """Parse a timestamp as stored by Sacred (naive ISO string) or pass a datetime through."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.rstrip("Z")).replace(tzinfo=None)
        except ValueError:
            return None
    return None
