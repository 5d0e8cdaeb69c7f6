"""Provides MetricsLogger, the in-memory buffer behind ``Run.log_scalar``, and the batches it hands out.

``log_scalar`` is a hot path (millions of calls per run), so it only extends a flat list by four
items (name, value, step, time). Every ``COMPACT_EVERY`` points the list is compacted into typed arrays
per metric (about 24 bytes a point instead of about 90), resolving implicit steps on the way. ``drain`` runs on the heartbeat thread
while the main thread keeps logging: appends never take a lock; compaction and drain share one lock
and only ever remove the prefix of the list they have read, so no point is lost or counted twice.

Timestamps are kept as whole microseconds since the epoch (``time.time_ns() // 1000``, truncated as
``datetime.utcnow()`` does), so every encoding of a point agrees to the microsecond.
"""
from __future__ import annotations

import functools
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import eq
from typing import Any

__all__ = ["COMPACT_EVERY", "MetricsBatch", "MetricsLogger", "ScalarSeries", "us_to_datetime"]

COMPACT_EVERY = 8192
"""Raw points kept before they are compacted into arrays (bounds the memory of a long logging loop)."""

_EPOCH = datetime(1970, 1, 1)
_FIELDS = ("steps", "values", "timestamps")


def us_to_datetime(micros: int) -> datetime:
    """Naive UTC datetime of ``micros`` microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


class ScalarSeries(Mapping):
    """The new points of one metric, read like Sacred's ``{"steps", "values", "timestamps"}`` dict.

    The points live in compact arrays (``steps``: ``range`` while contiguous, else ``array`` or list;
    ``values``: ``array`` or list; ``times_us``:
    ``array('q')`` of microseconds since the epoch); the Python lists Sacred's observers expect are built on first access only,
    so an observer that reads the arrays directly never pays for them.
    """

    __slots__ = ("name", "steps", "values", "times_us", "_lists")

    def __init__(self, name: Any) -> None:
        self.name = name
        self.steps: range | array | list = range(0)
        self.values: array | list = array("d")
        self.times_us: array = array("q")
        self._lists: dict[str, list] = {}

    def __len__(self) -> int:
        return 3

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __getitem__(self, key: str) -> list:
        lists = self._lists
        if key in lists:
            return lists[key]
        if key == "steps":
            result = list(self.steps)
        elif key == "values":
            result = list(self.values)
        elif key == "timestamps":
            result = list(map(us_to_datetime, self.times_us))
        else:
            raise KeyError(key)
        lists[key] = result
        return result

    @property
    def count(self) -> int:
        """Number of points."""
        return len(self.times_us)

    def __repr__(self) -> str:
        return f"<ScalarSeries {self.name!r}: {self.count} points>"

    def slice(self, start: int, stop: int) -> ScalarSeries:
        """Points ``start`` to ``stop`` (exclusive) as a new series."""
        part = ScalarSeries(self.name)
        part.steps, part.values, part.times_us = self.steps[start:stop], self.values[start:stop], \
            self.times_us[start:stop]
        return part

    def _extend(self, steps: Any, values: Any, times_us: Any, value_types: set | None = None) -> None:
        """Append resolved steps (a range or a list), values and microsecond stamps.

        ``value_types``: the set of the values' types, when the caller knows it already.
        """
        self._lists.clear()
        self.steps = _extend_steps(self.steps, steps)
        self.values = _extend_typed(self.values, values, "d", float, value_types)
        if type(times_us) is list:
            self.times_us.fromlist(times_us)
        else:
            self.times_us.extend(times_us)


def _extend_steps(store: Any, steps: Any) -> Any:
    """Implicit steps stay a ``range`` (no memory per point) for as long as they are contiguous."""
    if type(steps) is range and type(store) is range:
        if not store:
            return steps
        if store.stop == steps.start:
            return range(store.start, steps.stop)
    if type(store) is range:
        store = array("q", store)
    return _extend_typed(store, steps, "q", int)


def _extend_typed(store: Any, items: Any, code: str, kind: type, types: set | None = None) -> Any:
    """Extend a typed array, or fall back to a plain list when an item is not exactly ``kind``."""
    if type(store) is list:
        store.extend(items)
        return store
    if type(items) is array and items.typecode == code:
        store.extend(items)
        return store
    if type(items) is range or (types if types is not None else set(map(type, items))) <= {kind}:
        try:
            if type(items) is list:
                store.fromlist(items)  # all or nothing
            else:
                store.extend(array(code, items))
            return store
        except OverflowError:  # an int beyond 64 bits: keep a list from now on
            pass
    store = list(store)
    store.extend(items)
    return store


class MetricsBatch(dict):
    """``{metric name: ScalarSeries}``: the points logged since the previous drain, in first-log order."""

    @property
    def point_count(self) -> int:
        """Total number of points in the batch."""
        return sum(series.count for series in self.values())

    def slices(self, size: int) -> list[Callable[[], MetricsBatch]]:
        """The points as batches of at most ``size`` points of one metric each, in order; each is
        made (copied) only when called, so handing a big batch over slice by slice never holds it twice."""
        if self.point_count <= size:
            return [lambda: self] if self else []
        parts: list[Callable[[], MetricsBatch]] = []
        for name, series in self.items():
            for start in range(0, series.count, size):
                parts.append(functools.partial(_one_slice, name, series, start, start + size))
        return parts

    def merge(self, later: MetricsBatch) -> None:
        """Add the points of a batch drained after this one."""
        for name, series in later.items():
            mine = self.get(name)
            if mine is None:
                self[name] = series
            else:
                mine._extend(series.steps, series.values, series.times_us)


class MetricsLogger:
    """Buffers ``log_scalar`` calls; ``drain`` returns what was logged since the last drain.

    ``log_scalar`` is a plain function attribute (not a method) so ``run.log_scalar = logger.log_scalar``
    costs one call per point.
    """

    def __init__(self) -> None:
        buffer: list = []
        extend = buffer.extend
        now_ns = time.time_ns
        limit = 4 * COMPACT_EVERY
        compact = self._compact
        self._buffer = buffer
        self._lock = threading.Lock()
        self._pending: MetricsBatch = MetricsBatch()
        self._last_step: dict[Any, Any] = {}

        def log_scalar(metric_name: str, value: Any, step: Any = None) -> None:
            """Record ``value`` for ``metric_name`` at ``step`` (default: the metric's last step + 1)."""
            extend((metric_name, value, step, now_ns() // 1000))
            if len(buffer) >= limit:
                compact()

        self.log_scalar = log_scalar

    def drain(self) -> MetricsBatch:
        """Hand out (and forget) every point logged since the last drain; safe while others log."""
        with self._lock:
            self._compact_locked()
            batch = self._pending
            self._pending = MetricsBatch()
        return batch

    def _compact(self) -> None:
        with self._lock:
            self._compact_locked()

    def _compact_locked(self) -> None:
        buffer = self._buffer
        count = len(buffer)
        if not count:
            return
        items = buffer[:count]
        # Other threads only extend (four items at once, atomically), so this removes exactly what
        # was read, and ``count`` is a multiple of four.
        del buffer[:count]
        names, values, steps, times = items[0::4], items[1::4], items[2::4], items[3::4]
        del items
        values, value_types = _plain_values(values)
        pending = self._pending
        if len(set(names)) == 1:
            groups: Any = ((names[0], values, steps, times),)
        else:
            groups = (_select(name, names, values, steps, times) for name in dict.fromkeys(names))
            value_types = None  # known for the chunk, not for each metric's part of it
        for name, group_values, group_steps, group_times in groups:
            series = pending.get(name)
            if series is None:
                series = pending[name] = ScalarSeries(name)
            series._extend(self._resolve_steps(name, group_steps), group_values, group_times, value_types)

    def _resolve_steps(self, name: Any, steps: list) -> Any:
        """Fill implicit steps (last step of that metric + 1, from 0); an explicit step resets it."""
        last = self._last_step.get(name, -1)
        if type(last) is int and steps.count(None) == len(steps):
            start = last + 1
            self._last_step[name] = start + len(steps) - 1
            return range(start, start + len(steps))
        if set(map(type, steps)) == {int}:  # explicit steps, all plain ints: nothing to fill or convert
            self._last_step[name] = steps[-1]
            return steps
        numpy = sys.modules.get("numpy")
        resolved = []
        for step in steps:
            if step is None:
                try:
                    step = last + 1
                except TypeError:  # the previous explicit step was not a number: nothing to count from
                    step = None
            elif numpy is not None and isinstance(step, numpy.generic):
                step = step.item()
            resolved.append(step)
            last = step
        self._last_step[name] = last
        return resolved


def _one_slice(name: Any, series: ScalarSeries, start: int, stop: int) -> MetricsBatch:
    part = MetricsBatch()
    part[name] = series if (start, stop) == (0, series.count) else series.slice(start, stop)
    return part


def _select(name: Any, names: list, values: list, steps: list, times: list) -> tuple:
    """The points of one metric out of an interleaved chunk, order kept."""
    mask = list(map(eq, names, repeat(name)))
    return (name, list(compress(values, mask)), list(compress(steps, mask)),
            list(compress(times, mask)))


def _plain_values(values: list) -> tuple[list, set | None]:
    """Numpy scalars become Python scalars (``.item()``), as Sacred stores them; NaN/inf kept.

    Also returns the set of the values' types (None when the values were converted).
    """
    types = set(map(type, values))
    if types <= {float, int}:
        return values, types
    numpy = sys.modules.get("numpy")
    if numpy is None or not any(issubclass(kind, numpy.generic) for kind in types):
        return values, types
    generic = numpy.generic
    return [value.item() if isinstance(value, generic) else value for value in values], None
