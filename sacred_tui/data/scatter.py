"""Provides scatter_points: a config key against a metric summary, one point per run or per seed group.

Numbers on the x axis are placed by value; texts, booleans and lists (``optimizer="adam"``) become
categories in sorted order. A group's point is the mean of its runs with an error bar of ±1 std (or
min–max). Points a log axis cannot show (values <= 0) and runs without the key or the value are left
out and counted, so the plot never silently drops runs.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sacred_tui.data.fields import resolve_field
from sacred_tui.data.groups import DEFAULT_IGNORED, group_runs, numeric_value
from sacred_tui.data.rows import RunRow

__all__ = ["ScatterData", "ScatterPoint", "candidate_x_keys", "scatter_points"]


@dataclass(frozen=True, slots=True)
class ScatterPoint:
    """One point: a run, or a group (mean with an error bar)."""

    label: str
    run_ids: tuple[str, ...]
    x: float
    y: float
    low: float
    high: float
    x_text: str


@dataclass(frozen=True, slots=True)
class ScatterData:
    """Points ordered by x then y, the category names of a text x axis, and what was left out."""

    points: list[ScatterPoint] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    missing: int = 0
    """Runs without a value for the key or the field."""
    hidden: int = 0
    """Points a log axis cannot show (value <= 0)."""


def _x_text(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_x_text(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def candidate_x_keys(rows: Iterable[RunRow]) -> list[str]:
    """Config keys with more than one value among the rows (first), then the others; sorted."""
    values: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.config.items():
            seen = values.setdefault(key, set())
            if len(seen) < 2:
                seen.add(_x_text(value))
    varying = sorted(key for key, seen in values.items() if len(seen) > 1)
    return varying + sorted(key for key, seen in values.items() if len(seen) <= 1)


def scatter_points(rows: Sequence[RunRow], x_key: str, y_field: str, *, grouped: bool = False,
                   ignored: Sequence[str] = DEFAULT_IGNORED, use_range: bool = False,
                   log_x: bool = False, log_y: bool = False, now: float = 0.0) -> ScatterData:
    """Points of ``config[x_key]`` against ``y_field`` over ``rows`` (a group per point with ``grouped``).

    Grouping ignores ``ignored`` (but never ``x_key`` itself, which would mix x values in a group).
    """
    getter = resolve_field(y_field)
    if getter is None:
        raise ValueError(f"Unknown field {y_field!r}: use result, metric.NAME.last|min|max or another column")
    raw: list[tuple[str, tuple[str, ...], Any, float, float, float]] = []
    missing = 0
    if grouped:
        for group in group_runs(rows, [key for key in ignored if key != x_key]):
            summary = group.stats(y_field, now)
            if x_key not in group.config or summary is None:
                missing += len(group.rows)
                continue
            low, high = summary.spread(use_range)
            raw.append((group.group_id, tuple(group.run_ids), group.config[x_key], summary.mean, low, high))
    else:
        for row in rows:
            y = numeric_value(getter.get(row, now))
            if x_key not in row.config or y is None:
                missing += 1
                continue
            raw.append((row.run_id, (row.run_id,), row.config[x_key], y, y, y))
    numeric = all(numeric_value(value) is not None for _, _, value, *_ in raw)
    categories: list[str] = []
    if not numeric:
        categories = sorted({_x_text(value) for _, _, value, *_ in raw})
        position = {name: float(index) for index, name in enumerate(categories)}
    points: list[ScatterPoint] = []
    hidden = 0
    for label, run_ids, value, y, low, high in raw:
        x = float(value) if numeric else position[_x_text(value)]
        if (log_x and numeric and x <= 0) or (log_y and y <= 0):
            hidden += 1
            continue
        if log_y and low <= 0:
            low = y  # an error bar reaching zero or below cannot be drawn on a log axis
        points.append(ScatterPoint(label, run_ids, x, y, low, high, _x_text(value)))
    points.sort(key=lambda point: (point.x, point.y))
    return ScatterData(points, categories, missing, hidden)
