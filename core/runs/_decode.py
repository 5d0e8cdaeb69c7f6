"""Provides decoders from the JSON shapes Sacred stores to plain Python values.

Stored runs hold naive-UTC ISO timestamps, jsonpickle-encoded datetimes (``meta.queue_time``),
numpy scalars in jsonpickle form and tuples as ``{"py/tuple": [...]}``. Readers must accept all of
them without importing numpy or jsonpickle, and must never raise on unexpected shapes.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

_ISO_FALLBACK = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _naive_utc(value: datetime) -> datetime:
    """Drop the zone after converting to UTC, so every timestamp compares with every other."""
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _parse_iso_fallback(text: str) -> datetime | None:
    """Parse ISO forms that ``datetime.fromisoformat`` of Python 3.10 rejects (``Z``, odd fractions)."""
    match = _ISO_FALLBACK.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        result = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second or 0), micro)
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        result = result.replace(tzinfo=timezone(sign * offset))
    elif zone == "Z":
        result = result.replace(tzinfo=timezone.utc)
    return result


def parse_timestamp(value: object) -> datetime | None:
    """Return a naive-UTC datetime from an ISO string, a jsonpickle datetime, or None if neither."""
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, str):
        try:
            parsed: datetime | None = datetime.fromisoformat(value)
        except ValueError:
            parsed = _parse_iso_fallback(value)
        return None if parsed is None else _naive_utc(parsed)
    if isinstance(value, dict):
        return decode_pickled_datetime(value)
    return None


def decode_pickled_datetime(obj: dict[str, Any]) -> datetime | None:
    """Decode jsonpickle's datetime shape: ``__reduce__`` holds the 10-byte pickle state in base64.

    The state is year (2 bytes, big endian), month (high bit = fold), day, hour, minute, second and
    microseconds (3 bytes, big endian). A time zone, if pickled, is ignored: Sacred stores UTC.
    """
    if obj.get("py/object") != "datetime.datetime":
        return None
    reduce = obj.get("__reduce__")
    if not isinstance(reduce, list) or len(reduce) < 2 or not isinstance(reduce[1], list):
        return None
    if not reduce[1]:
        return None
    state = reduce[1][0]
    if isinstance(state, dict):
        state = state.get("py/b64")
    if not isinstance(state, str):
        return None
    try:
        raw = base64.b64decode(state, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 10:
        return None
    micro = (raw[7] << 16) | (raw[8] << 8) | raw[9]
    try:
        return datetime(raw[0] * 256 + raw[1], raw[2] & 0x7F, raw[3], raw[4], raw[5], raw[6], micro)
    except ValueError:
        return None


def unwrap_numpy_scalar(value: object) -> object:
    """Return ``x`` for jsonpickle's ``{"py/object": "numpy.<type>", "value": x}``, else the value."""
    if isinstance(value, dict) and "value" in value:
        kind = value.get("py/object")
        if isinstance(kind, str) and kind.startswith("numpy."):
            return value["value"]
    return value


def to_float(value: object) -> float | None:
    """Convert a stored metric value to float; anything that is not a number becomes None."""
    value = unwrap_numpy_scalar(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (int, bool)):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return None


def to_step(value: object) -> int | None:
    """Convert a stored step to int; floats count only when integral, anything else is None."""
    value = unwrap_numpy_scalar(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def as_pair(value: object) -> tuple[str, str] | None:
    """Return a two-string pair stored as a JSON list or as jsonpickle ``{"py/tuple": [a, b]}``."""
    if isinstance(value, dict):
        value = value.get("py/tuple")
    if isinstance(value, (list, tuple)) and len(value) == 2:
        first, second = value
        if isinstance(first, str) and isinstance(second, str):
            return first, second
    return None
