"""Provides the runs table's columns: which exist, their labels, cell texts and sort keys.

Columns are identified by a field name (see :mod:`sacred_tui.data.fields`): the fixed ones, plus
``config.KEY`` and ``metric.NAME.last|min|max`` columns the user adds. Texts are plain strings;
the widget adds colour.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from core.runs import numeric_run_id
from sacred_tui.data.fields import DURATION, Field, resolve_field, sort_value
from sacred_tui.data.format import (MISSING, format_duration, format_number, format_time,
                                    format_value)
from sacred_tui.data.liveness import status_words
from sacred_tui.data.rows import RunRow


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One table column: its key (a field name) and header label."""

    key: str
    label: str


BASE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", "ID"),
    ColumnSpec("status", "Status"),
    ColumnSpec("experiment", "Experiment"),
    ColumnSpec("started", "Started"),
    ColumnSpec("result", "Result"),
    ColumnSpec("duration", "Duration"),
    ColumnSpec("tags", "Tags"),
    ColumnSpec("command", "Command"),
    ColumnSpec("named_configs", "Named configs"),
    ColumnSpec("host", "Host"),
    ColumnSpec("comment", "Comment"),
)
"""The fixed columns, most telling first: an 80-column terminal shows ID to Result."""

COMMENT_CHARS = 400
"""A comment cell keeps this much text: at wide sizes the column takes the free space."""

BASE_KEYS = frozenset(spec.key for spec in BASE_COLUMNS)


def column_for(key: str) -> ColumnSpec:
    """Return the spec of a base, ``config.*`` or ``metric.*`` column key.

    Raises:
        ValueError: when the key names no field.
    """
    for spec in BASE_COLUMNS:
        if spec.key == key:
            return spec
    field = resolve_field(key)
    if field is None:
        raise ValueError(f"Unknown column {key!r}: use a base column "
                         f"({', '.join(sorted(BASE_KEYS))}), config.KEY or metric.NAME.last|min|max")
    if field.name.startswith("metric."):
        name, _, stat = field.name[len("metric."):].rpartition(".")
        return ColumnSpec(field.name, f"{name} ({stat})")
    head, dot, rest = field.name.partition(".")
    return ColumnSpec(field.name, rest if dot else head.replace("_", " ").capitalize())


def status_text(row: RunRow) -> str:
    """The status cell: stored status, ``DEAD? 7 min`` for a probably dead run, ``⚠`` for problems."""
    text = status_words(row.shown_status, row.liveness)
    return f"⚠ {text}" if row.problems else text


def _plain(value: Any) -> str:
    if value is None or value == "":
        return MISSING
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return format_number(value)
    return format_value(list(value) if isinstance(value, tuple) else value, 40)


_TEXT_ATTRIBUTES = {"experiment": "experiment", "command": "command", "host": "host",
                    "comment": "comment"}


_COLUMN_FIELDS: dict[str, Field | None] = {}
"""The field of each config, metric and result column key, resolved once (not once per cell)."""


def _column_field(key: str) -> Field | None:
    try:
        return _COLUMN_FIELDS[key]
    except KeyError:
        if len(_COLUMN_FIELDS) > 4096:
            _COLUMN_FIELDS.clear()
        field = _COLUMN_FIELDS[key] = resolve_field(key)
        return field


def cell_text(row: RunRow, key: str, now: float) -> str:
    """Return the text of one cell."""
    if key == "id":
        return row.run_id
    attribute = _TEXT_ATTRIBUTES.get(key)
    if attribute is not None:
        text = getattr(row, attribute)
        limit = COMMENT_CHARS if key == "comment" else 40
        return (text if len(text) <= limit else text[:limit - 1] + "…") if text else MISSING
    if key == "status":
        return status_text(row)
    if key == "started":
        return format_time(row.start)
    if key == "duration":
        return format_duration(row.duration(now))
    if key == "result":
        return row.result_text
    if key == "named_configs":
        return ", ".join(row.named_configs) or MISSING
    if key == "tags":
        text = " ".join(("(archived)", *row.tags) if row.archived else row.tags)
        return (text if len(text) <= 40 else text[:39] + "…") if text else MISSING
    field = _column_field(key)
    return MISSING if field is None else _plain(field.get(row, now))


def cell_getter(key: str) -> Callable[[RunRow, float], str]:
    """:func:`cell_text` for one column, with its field looked up once (for many rows)."""
    field = None if key in BASE_KEYS else resolve_field(key)
    if field is None:
        return lambda row, now: cell_text(row, key, now)
    get = field.get
    return lambda row, now: _plain(get(row, now))


def sort_key(row: RunRow, key: str, now: float) -> tuple[int, Any]:
    """Return the key ordering rows by column ``key`` (numeric ids by value, missing last)."""
    if key == "id":
        number = numeric_run_id(row.run_id)
        return (3, row.run_id) if number is None else (1, number)
    field = _column_field(key)
    return (9, 0) if field is None else sort_value(field.get(row, now))


def changes_with_time(key: str) -> bool:
    """Whether the column's text and sort key change with time alone while a run runs."""
    field = None if key in BASE_KEYS and key != "duration" else _column_field(key)
    return field is not None and field.kind == DURATION


def sort_getter(key: str) -> Callable[[RunRow, float], tuple[int, Any]]:
    """:func:`sort_key` for one column, with its field looked up once (for many rows)."""
    if key == "id":
        def by_id(row: RunRow, now: float) -> tuple[int, Any]:
            number = numeric_run_id(row.run_id)
            return (3, row.run_id) if number is None else (1, number)

        return by_id
    field = _column_field(key)
    if field is None:
        return lambda row, now: (9, 0)
    if field.name.startswith("metric."):
        name, _, stat = field.name[len("metric."):].rpartition(".")
        read = attrgetter(stat)

        def by_metric(row: RunRow, now: float) -> tuple[int, Any]:
            summary = row.metrics.get(name)
            value = None if summary is None else read(summary)
            if value.__class__ is float:  # the common case, as sort_value orders it
                return (1, value) if value == value else (8, 0)
            return sort_value(value)

        return by_metric
    get = field.get
    return lambda row, now: sort_value(get(row, now))


def haystack(row: RunRow, keys: Sequence[str], now: float) -> str:
    """Return the lower-cased text of the given cells, for quick word filtering."""
    return "\x00".join(cell_text(row, key, now) for key in keys).casefold()


def known_keys(rows: Iterable[RunRow]) -> tuple[list[str], list[str]]:
    """Return the sorted config keys and metric names found in ``rows``."""
    config: set[str] = set()
    metrics: set[str] = set()
    for row in rows:
        config.update(row.config)
        metrics.update(row.metrics)
    return sorted(config), sorted(metrics)
