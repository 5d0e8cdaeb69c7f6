"""Provides the export of a runs table (chosen columns, filtered rows) as CSV, JSON or Markdown.

CSV and JSON carry the stored values, not their shortened display: numbers at full precision,
times as stored by Sacred (ISO 8601, UTC), durations in seconds, tags and lists as lists (JSON) or
joined with spaces / written as JSON (CSV). Markdown is for reading: it shows the texts the table
shows. Column keys are the field names of the filter language (``config.lr``,
``metric.loss.min`` ...), so a CSV header says where each value came from.
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from core.observers.atomic import atomic_write_text
from sacred_tui.data.columns import BASE_COLUMNS, cell_getter, column_for, haystack, sort_key
from sacred_tui.data.fields import resolve_field, sort_value
from sacred_tui.data.format import format_number
from sacred_tui.data.groups import SeedGroup, default_fields, group_records
from sacred_tui.data.query import Query
from sacred_tui.data.rows import RunRow

FORMATS = ("csv", "json", "md")
_FORMAT_NAMES = {"csv": "csv", "json": "json", "md": "md", "markdown": "md"}
DEFAULT_COLUMNS: tuple[str, ...] = tuple(spec.key for spec in BASE_COLUMNS)


class ExportError(ValueError):
    """A format or column that cannot be exported; the message says what is allowed."""


def format_of(name: str) -> str:
    """Return the canonical format for ``csv``, ``json``, ``md``/``markdown`` (any case)."""
    canonical = _FORMAT_NAMES.get(name.strip().lower().lstrip("."))
    if canonical is None:
        raise ExportError(f"Unknown export format {name!r}: use csv, json or md (Markdown)")
    return canonical


def format_for_path(path: str) -> str:
    """The format a file name asks for by its ending (.csv, .json, .md)."""
    suffix = path.rpartition(".")[2] if "." in path.rpartition("/")[2] else ""
    try:
        return format_of(suffix)
    except ExportError:
        raise ExportError(f"The file name {path!r} should end in .csv, .json or .md: the ending "
                          "picks the format") from None


def check_columns(keys: Iterable[str]) -> list[str]:
    """Return the canonical column keys, or raise ExportError naming an unknown one."""
    canonical: list[str] = []
    for key in keys:
        key = key.strip()
        if not key:
            continue
        try:
            name = column_for(key).key
        except ValueError as exc:
            raise ExportError(str(exc)) from None
        if name not in canonical:
            canonical.append(name)
    if not canonical:
        raise ExportError("No column to export: name at least one (e.g. id,status,config.lr)")
    return canonical


Getter = Callable[[RunRow, float], Any]


def _stored(get: Getter) -> Getter:
    def value(row: RunRow, now: float) -> Any:
        found = get(row, now)
        if isinstance(found, datetime):
            return found.isoformat()
        if isinstance(found, tuple):
            return list(found)
        return None if found == "" else found

    return value


def _duration(row: RunRow, now: float) -> float | None:
    seconds = row.duration(now)
    return None if seconds is None else round(seconds, 3)


_SPECIAL: dict[str, Getter] = {
    "id": lambda row, now: row.run_id,
    "status": lambda row, now: row.display_status,
    "tags": lambda row, now: list(row.tags),
    "named_configs": lambda row, now: list(row.named_configs),
    "duration": _duration,
}


def value_getter(key: str) -> Getter:
    """The function giving a cell's stored value (None when missing), as CSV and JSON carry it."""
    special = _SPECIAL.get(key)
    if special is not None:
        return special
    field = resolve_field(key)
    if field is None:
        raise ExportError(f"Unknown column {key!r}")
    return _stored(field.get)


def export_value(row: RunRow, key: str, now: float) -> Any:
    """The stored value of one cell (None when missing)."""
    return value_getter(key)(row, now)


def select_rows(rows: Iterable[RunRow], query: Query, columns: Sequence[str], now: float, *,
                sort: str = "id", reverse: bool = False, archived: bool = False) -> list[RunRow]:
    """The rows ``query`` keeps (bare words look in the base and the exported columns), sorted."""
    keys = list(dict.fromkeys([*DEFAULT_COLUMNS, *columns]))
    kept = [row for row in rows if (archived or not row.archived)
            and query.matches(row, now, lambda r: haystack(r, keys, now))]

    field = None if sort == "id" else resolve_field(sort)

    def key(row: RunRow) -> tuple[int, Any]:
        group, value = sort_key(row, sort, now) if field is None else sort_value(field.get(row, now))
        return ((-1 if reverse else 99), 0) if group == 9 else (group, value)  # missing values last

    kept.sort(key=key, reverse=reverse)
    return kept


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def _csv_text(key: str, value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _json_safe(value)
    if key in ("tags", "named_configs") and isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_json_safe(value), ensure_ascii=False, default=str)
    return str(value)


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def render(rows: Sequence[RunRow], columns: Sequence[str], fmt: str, now: float) -> str:
    """The rows with the given columns as the text of a CSV, JSON or Markdown file."""
    fmt = format_of(fmt)
    getters = [(key, value_getter(key)) for key in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_text(key, get(row, now)) for key, get in getters] for row in rows)
        return buffer.getvalue()
    if fmt == "json":
        records = [{key: _json_safe(get(row, now)) for key, get in getters} for row in rows]
        return json.dumps(records, indent=1, ensure_ascii=False, default=str) + "\n"
    labels = [column_for(key).label for key in columns]
    lines = ["| " + " | ".join(_markdown_cell(label) for label in labels) + " |",
             "|" + "|".join(" --- " for _ in columns) + "|"]
    texts = [cell_getter(key) for key in columns]
    for row in rows:
        lines.append("| " + " | ".join(_markdown_cell(text(row, now)) for text in texts) + " |")
    return "\n".join(lines) + "\n"


def write_export(path: str, text: str) -> None:
    """Write an export file in one step (a reader never sees half of it)."""
    atomic_write_text(path, text)


def render_records(records: Sequence[dict[str, Any]], keys: Sequence[str], fmt: str) -> str:
    """Plain records (one dict per row, e.g. seed groups) as CSV, JSON or Markdown, in ``keys`` order."""
    fmt = format_of(fmt)
    if fmt == "json":
        rows = [{key: _json_safe(record.get(key)) for key in keys} for record in records]
        return json.dumps(rows, indent=1, ensure_ascii=False, default=str) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([_csv_text(key, record.get(key)) for key in keys] for record in records)
        return buffer.getvalue()
    lines = ["| " + " | ".join(_markdown_cell(key) for key in keys) + " |",
             "|" + "|".join(" --- " for _ in keys) + "|"]
    for record in records:
        cells = [_markdown_cell(_markdown_value(record.get(key))) for key in keys]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _markdown_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_number(value)
    return _csv_text("", value)


STAT_PARTS = ("count", "mean", "std", "min", "max")
GROUP_KEYS = ("group", "experiment", "runs", "count")


def group_table(groups: Sequence[SeedGroup], fields: Sequence[str], config_keys: Sequence[str],
                now: float) -> tuple[list[dict[str, Any]], list[str]]:
    """Seed groups as export records and their keys: group, runs, config keys, then per field its stats."""
    records = group_records(groups, fields, config_keys, now)
    keys = [*GROUP_KEYS, *(f"config.{key}" for key in config_keys),
            *(f"{name}.{part}" for name in fields for part in STAT_PARTS)]
    return records, keys


def group_fields(columns: Sequence[str], metric_names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split export columns into summarised fields (metrics, result, duration) and config keys.

    Columns that say nothing about a group as a whole (id, status, host ...) are left out; without
    any metric or result column, the last value of each metric is summarised.
    """
    config_keys = [key[len("config."):] for key in columns if key.startswith("config.")]
    fields = [key for key in columns if key.startswith(("metric.", "result")) or key == "duration"]
    return fields or default_fields([], metric_names), config_keys
