"""Provides the named fields of a run row, shared by the filter language, columns and sorting.

A field name is one of the fixed names (``status``, ``started``, ``duration`` ...), or a dotted
path: ``config.optim.lr``, ``result.loss`` (a key of a dict result), ``metric.loss.last`` (``.min``,
``.max``; ``metric.loss`` alone means the last value).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sacred_tui.data.rows import RunRow

TEXT = "text"
NUMBER = "number"
TIME = "time"
DURATION = "duration"
ANY = "any"
TAGS = "tags"
"""A set of words: a comparison holds when it holds for any of them (``tag=baseline``)."""

METRIC_STATS = ("last", "min", "max")

Getter = Callable[[RunRow, float], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """A readable property of a run: its canonical name, kind and getter ``(row, now) -> value``."""

    name: str
    kind: str
    get: Getter


def _status(row: RunRow, now: float) -> str:
    return row.display_status


def _duration(row: RunRow, now: float) -> float | None:
    return row.duration(now)


def _attr(name: str) -> Getter:
    def get(row: RunRow, now: float) -> Any:
        return getattr(row, name)

    return get


_FIXED: dict[str, Field] = {
    "id": Field("id", TEXT, _attr("run_id")),
    "status": Field("status", TEXT, _status),
    "experiment": Field("experiment", TEXT, _attr("experiment")),
    "command": Field("command", TEXT, _attr("command")),
    "named_configs": Field("named_configs", TEXT, lambda row, now: " ".join(row.named_configs)),
    "started": Field("started", TIME, _attr("start")),
    "stopped": Field("stopped", TIME, _attr("stop")),
    "heartbeat": Field("heartbeat", TIME, _attr("heartbeat")),
    "duration": Field("duration", DURATION, _duration),
    "host": Field("host", TEXT, _attr("host")),
    "result": Field("result", ANY, _attr("result")),
    "comment": Field("comment", TEXT, _attr("comment")),
    "problems": Field("problems", TEXT, lambda row, now: "; ".join(row.problems)),
    "tags": Field("tags", TAGS, _attr("tags")),
    "note": Field("note", TEXT, _attr("note")),
    "archived": Field("archived", ANY, _attr("archived")),
}

ALIASES = {
    "exp": "experiment", "name": "experiment", "named": "named_configs", "cmd": "command",
    "start": "started", "stop": "stopped", "problem": "problems", "run": "id",
    "tag": "tags", "notes": "note",
}

FIELD_NAMES = tuple(_FIXED)
"""The fixed field names, in the order they are listed in help and error messages."""


def _config_getter(key: str) -> Getter:
    def get(row: RunRow, now: float) -> Any:
        return row.config.get(key)

    return get


def _result_getter(key: str) -> Getter:
    parts = key.split(".")

    def get(row: RunRow, now: float) -> Any:
        value = row.result
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    return get


def _metric_getter(name: str, stat: str) -> Getter:
    def get(row: RunRow, now: float) -> Any:
        summary = row.metrics.get(name)
        return None if summary is None else summary.stat(stat)

    return get


def resolve_field(name: str) -> Field | None:
    """Return the field for ``name`` (case-insensitive for fixed names), or None if unknown."""
    lowered = name.lower()
    lowered = ALIASES.get(lowered, lowered)
    if lowered in _FIXED:
        return _FIXED[lowered]
    head, _, rest = name.partition(".")
    head = head.lower()
    if not rest:
        return None
    if head == "config":
        return Field(f"config.{rest}", ANY, _config_getter(rest))
    if head == "result":
        return Field(f"result.{rest}", ANY, _result_getter(rest))
    if head in ("metric", "metrics"):
        metric, _, stat = rest.rpartition(".")
        if stat.lower() not in METRIC_STATS or not metric:
            metric, stat = rest, "last"
        return Field(f"metric.{metric}.{stat.lower()}", NUMBER, _metric_getter(metric, stat.lower()))
    return None


def sort_value(value: Any) -> tuple[int, Any]:
    """Return a key that orders mixed values: missing last, numbers, times, then text."""
    if value is None or value == "" or value == ():
        return (9, 0)
    if isinstance(value, bool):
        return (1, float(value))
    if isinstance(value, (int, float)):
        return (1, value) if value == value else (8, 0)
    if isinstance(value, datetime):
        return (2, value)
    if isinstance(value, str):
        return (3, value.casefold())
    return (4, str(value))
