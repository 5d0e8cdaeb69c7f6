"""Provides MetricTrack: one metric's points in compact arrays, prepared for plotting as they arrive.

A metric of a million points read into Python lists costs about 150 bytes a point (an int, a float
and a timestamp string each). A track keeps 8-byte numbers instead (steps, and values with NaN for a
value that is not a number) and the timestamps' text at one byte a character, about 42 bytes a
point plus the plot's own copy of the finite values. The reading thread adds points
and does the per-point work (cleaning, block summaries, smoothing) while holding ``lock``; the plot
takes the lock only to downsample, which costs time in proportion to its width.
"""
from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Sequence
from datetime import datetime
from operator import add, itemgetter
from typing import Any

from core.runs._decode import parse_timestamp
from core.runs.metrics import MetricSeries
from sacred_tui.data.downsample import EmaCache
from sacred_tui.data.plot_data import PreparedSeries

__all__ = ["MetricTrack", "TimestampColumn", "epoch_seconds", "timestamps_to_seconds"]

CHUNK = 16_384
"""Points converted at once (a few milliseconds with the interpreter lock held)."""
_EPOCH = datetime(1970, 1, 1)
_NAN = math.nan


def epoch_seconds(moment: Any) -> float:
    """Seconds since 1970 of a datetime or an ISO timestamp (naive UTC); NaN when it is neither."""
    parsed = parse_timestamp(moment)
    return _NAN if parsed is None else (parsed - _EPOCH).total_seconds()


def timestamps_to_seconds(stamps: Sequence[Any]) -> array:
    """Timestamps as seconds since 1970 (naive UTC, NaN for what is not a timestamp).

    Sacred writes ``YYYY-MM-DDTHH:MM:SS.ffffff``: points logged within the same second share their
    first 19 characters, so each second is parsed once and only the fraction is read per point,
    by C-level loops (``map``), about 0.2 s for a million points. Other shapes are parsed one by one.
    """
    try:
        heads = list(map(_HEAD, stamps))
        fractions = array("d", map(float, map(_FRACTION, stamps)))
    except (TypeError, ValueError):  # not all of that shape
        return array("d", map(epoch_seconds, stamps))
    if fractions and not (0.0 <= min(fractions) and max(fractions) < 1.0):
        return array("d", map(epoch_seconds, stamps))
    whole = {head: epoch_seconds(head) for head in set(heads)}
    return array("d", map(add, map(whole.__getitem__, heads), fractions))


_HEAD = itemgetter(slice(0, 19))
_FRACTION = itemgetter(slice(19, None))


class TimestampColumn:
    """A metric's timestamps: as their text, one byte a character, while they all have one length
    (Sacred writes ``YYYY-MM-DDTHH:MM:SS.ffffff``: 26 bytes a point, stored without any parsing);
    else as seconds since 1970. A plot reads only the few it draws."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._width = 0
        self._seconds: array | None = None

    def __len__(self) -> int:
        if self._seconds is not None:
            return len(self._seconds)
        return len(self._text) // self._width if self._width else 0

    def __getitem__(self, index: int) -> str | float:
        if self._seconds is not None:
            return self._seconds[index]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("timestamp index out of range")
        start = index * self._width
        return self._text[start:start + self._width].decode("ascii")

    def extend(self, stamps: Sequence[Any]) -> None:
        """Append timestamps (strings, datetimes or anything else, which reads as unknown)."""
        if self._seconds is None and stamps:
            width = self._width or (len(stamps[0]) if type(stamps[0]) is str else 0)
            try:
                joined = "".join(stamps).encode("ascii")
            except (TypeError, UnicodeEncodeError):
                joined = b""
            if width and len(joined) == width * len(stamps) and all(map(width.__eq__, map(len, stamps))):
                self._width = width
                self._text.extend(joined)
                return
            self._seconds = timestamps_to_seconds([self[index] for index in range(len(self))])
            self._text = bytearray()
        if self._seconds is not None:
            self._seconds.extend(timestamps_to_seconds(stamps))


def _numbers(values: Sequence[Any]) -> array:
    """Values as doubles; anything that is not a number becomes NaN."""
    try:
        return array("d", values)
    except TypeError:
        return array("d", (value if isinstance(value, (int, float)) and not isinstance(value, bool) else _NAN
                           for value in values))


def _steps(steps: Sequence[Any]) -> array:
    try:
        return array("d", steps)
    except TypeError:
        return array("d", (float(step) if isinstance(step, (int, float)) else _NAN for step in steps))


class MetricTrack:
    """Steps, times and values of one metric (arrays of doubles) and the plot's preparation of them."""

    def __init__(self) -> None:
        self.steps = array("d")
        self.timestamps = TimestampColumn()
        """Each point's timestamp (text as stored, or seconds since 1970, NaN when unreadable)."""
        self.values = array("d")
        self.prepared = PreparedSeries()
        self.lock = threading.Lock()
        """Held while points are added or the plot reads; never for longer than that."""

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, series: MetricSeries) -> None:
        """Append the points of ``series`` and prepare them (call from the reading thread).

        The points are converted ``CHUNK`` at a time: each conversion is a C-level loop that holds
        the interpreter lock, and the UI thread must get its turn between them.
        """
        with self.lock:
            for start in range(0, len(series.steps), CHUNK):
                stop = start + CHUNK
                self.steps.extend(_steps(series.steps[start:stop]))
                self.timestamps.extend(series.timestamps[start:stop])
                self.values.extend(_numbers(series.values[start:stop]))
                self.prepared.update(self.values)
            self.prepared.summarise()

    def smooth(self, weight: float) -> None:
        """Compute the smoothed line for ``weight`` (in a worker thread), so a redraw need not.

        The line is computed from a copy of the values, outside the lock (a redraw meanwhile
        shows the raw line), then taken in together with the points added since the copy.
        """
        with self.lock:
            if not self.prepared.smoothing_lag(weight):
                return
            snapshot = self.prepared.values[:]
        cache = EmaCache(weight)
        cache.blocks.update(cache.update(snapshot))
        with self.lock:
            self.prepared.adopt_smoothing(cache)
            self.prepared.summarise()

    def last_value(self) -> float | None:
        """The latest value that is a number (None when there is none)."""
        for value in reversed(self.values):
            if value == value:
                return value
        return None
