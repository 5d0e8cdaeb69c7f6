"""Provides MetricSeries and parsers for metrics.json and the append-only metrics.jsonl sidecar.

metrics.json maps each metric name to ``{"steps": [...], "timestamps": [...], "values": [...]}``.
metrics.jsonl holds one JSON object per line, ``{"name", "step", "timestamp", "value"}``, appended
at every flush; only lines ending in a newline are complete. Values that are not numbers become
None; numpy scalars stored by jsonpickle are unwrapped. Timestamps stay strings until asked for.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.runs._decode import parse_timestamp, to_float, to_step


@dataclass(slots=True)
class MetricSeries:
    """The points of one metric, in logging order (steps need not be monotonic)."""

    steps: list[int] = field(default_factory=list)
    timestamps: list[datetime | str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)

    def append(self, step: int, timestamp: datetime | str, value: float | None) -> None:
        """Add one point at the end."""
        self.steps.append(step)
        self.timestamps.append(timestamp)
        self.values.append(value)

    def extend(self, other: MetricSeries) -> None:
        """Add all points of ``other`` at the end."""
        self.steps.extend(other.steps)
        self.timestamps.extend(other.timestamps)
        self.values.extend(other.values)

    def since(self, start: int) -> MetricSeries:
        """Return the points from index ``start`` on, as a new series."""
        return MetricSeries(self.steps[start:], self.timestamps[start:], self.values[start:])

    def timestamp(self, index: int) -> datetime | None:
        """Return point ``index``'s time as naive UTC (parsed now if stored as text)."""
        return parse_timestamp(self.timestamps[index])

    def datetimes(self) -> list[datetime | None]:
        """Return every point's time parsed to naive UTC (None where it is not a timestamp)."""
        return [parse_timestamp(stamp) for stamp in self.timestamps]

    def finite_values(self) -> list[float]:
        """Return the values that are real numbers (no None, NaN or infinity)."""
        return [value for value in self.values if value is not None and math.isfinite(value)]

    def last_value(self) -> float | None:
        """Return the most recent value, or None when the series is empty."""
        return self.values[-1] if self.values else None

    def min_value(self) -> float | None:
        """Return the smallest finite value, or None when there is none."""
        finite = self.finite_values()
        return min(finite) if finite else None

    def max_value(self) -> float | None:
        """Return the largest finite value, or None when there is none."""
        finite = self.finite_values()
        return max(finite) if finite else None


def _clean_values(raw: list[object]) -> list[float | None]:
    if all(type(value) is float for value in raw):
        return raw  # type: ignore[return-value]
    return [to_float(value) for value in raw]


def _clean_steps(raw: list[object]) -> list[int]:
    if all(type(step) is int for step in raw):
        return raw  # type: ignore[return-value]
    steps: list[int] = []
    for step in raw:
        converted = to_step(step)
        steps.append(converted if converted is not None else (steps[-1] + 1 if steps else 0))
    return steps


def _clean_timestamps(raw: object, length: int) -> list[datetime | str]:
    stamps = raw if isinstance(raw, list) else []
    cleaned = [stamp if isinstance(stamp, str) else "" for stamp in stamps[:length]]
    cleaned.extend("" for _ in range(length - len(cleaned)))
    return cleaned  # type: ignore[return-value]


def series_from_json(entry: object) -> MetricSeries | None:
    """Build a series from one metrics.json entry, or None if the entry is not of that shape.

    Lists of unequal length are cut to the shorter of steps and values.
    """
    if not isinstance(entry, Mapping):
        return None
    steps, values = entry.get("steps"), entry.get("values")
    if not isinstance(steps, list) or not isinstance(values, list):
        return None
    length = min(len(steps), len(values))
    return MetricSeries(
        steps=_clean_steps(steps[:length]),
        timestamps=_clean_timestamps(entry.get("timestamps"), length),
        values=_clean_values(values[:length]),
    )


def parse_metrics_json(data: object) -> tuple[dict[str, MetricSeries], list[str]]:
    """Parse a metrics.json document; returns the series and the names of malformed entries."""
    result: dict[str, MetricSeries] = {}
    bad: list[str] = []
    if not isinstance(data, Mapping):
        return result, bad
    for name, entry in data.items():
        series = series_from_json(entry)
        if series is None:
            bad.append(str(name))
        else:
            result[str(name)] = series
    return result, bad


def parse_metric_line(line: bytes | str) -> tuple[str, int | None, str, float | None] | None:
    """Parse one metrics.jsonl line into (name, step, timestamp, value); None if malformed."""
    try:
        point = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return _metric_point(point)


def parse_metric_lines(lines: list[bytes]) -> list[tuple[str, int | None, str, float | None] | None]:
    """Parse complete, non-blank metrics.jsonl lines, as ``parse_metric_line`` does for each.

    The lines are decoded as one JSON array (one C call for a block of lines, several times faster
    than a call per line); if that fails or does not give one value per line, line by line.
    """
    try:
        points = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        points = None
    if points is None or len(points) != len(lines):
        return [parse_metric_line(line) for line in lines]
    return [_metric_point(point) for point in points]


def _metric_point(point: object) -> tuple[str, int | None, str, float | None] | None:
    if not isinstance(point, dict) or not isinstance(point.get("name"), str):
        return None
    stamp = point.get("timestamp")
    return (point["name"], to_step(point.get("step")), stamp if isinstance(stamp, str) else "",
            to_float(point.get("value")))


def add_metric_lines(lines: Iterable[bytes], into: dict[str, MetricSeries]) -> int:
    """Append the points of complete metrics.jsonl lines to ``into``; returns how many were bad.

    A missing step continues from the previous step of that metric (as Sacred counts steps).
    """
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        point = parse_metric_line(line)
        if point is None:
            bad += 1
            continue
        name, step, stamp, value = point
        series = into.get(name)
        if series is None:
            series = into[name] = MetricSeries()
        if step is None:
            step = series.steps[-1] + 1 if series.steps else 0
        series.append(step, stamp, value)
    return bad


def split_complete_lines(data: bytes) -> tuple[list[bytes], int]:
    """Split off the complete lines of ``data``; returns them and the bytes they use.

    A last line without its newline is torn (still being written) and is left for later.
    """
    end = data.rfind(b"\n") + 1
    if end == 0:
        return [], 0
    return data[:end - 1].split(b"\n"), end
