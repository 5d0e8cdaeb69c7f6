"""Provides the text forms of durations, times, ages, values and run results shown in the UI.

Everything here is pure and cheap: the runs table calls these for thousands of cells. Stored times
are naive UTC (as Sacred writes them); they are shown in the local time zone.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

MISSING = "–"
"""Shown for a value that is not known (no start time, no result, ...)."""


def utc_to_epoch(moment: datetime | None) -> float | None:
    """Return POSIX seconds of a naive-UTC datetime, or None."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).timestamp()


def format_duration(seconds: float | None) -> str:
    """Return a compact duration: ``0.4s``, ``42s``, ``12m 03s``, ``3h 04m``, ``2d 03h``."""
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    if seconds < 0:
        seconds = 0.0
    if seconds < 10:
        return f"{seconds:.1f}s"
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def format_age(seconds: float) -> str:
    """Return how long ago something happened, in words: ``40 s``, ``7 min``, ``3 h``, ``2 days``."""
    if seconds < 90:
        return f"{max(int(seconds), 0)} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{int(minutes)} min"
    hours = minutes / 60
    if hours < 36:
        return f"{int(hours)} h"
    days = int(hours / 24)
    return f"{days} day" if days == 1 else f"{days} days"


def format_time(moment: datetime | None) -> str:
    """Return a naive-UTC time as local ``YYYY-MM-DD HH:MM``."""
    epoch = utc_to_epoch(moment)
    if epoch is None:
        return MISSING
    try:
        return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return MISSING


def format_number(value: float) -> str:
    """Return a number in at most about 6 significant digits (ints stay exact)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


MAX_DEPTH = 40
"""Nesting shown at most; deeper values become '…' (a hostile file must not exhaust the stack)."""


def plain_value(obj: Any, _depth: int = 0) -> Any:
    """Turn Sacred's jsonpickle shapes into plain values for display and comparison.

    numpy scalars become their number, arrays their list of values, tuples and sets lists; other
    tagged objects (functions, modules, classes) become a short ``<tag value>`` text. Values nested
    deeper than :data:`MAX_DEPTH` become ``'…'``.
    """
    if isinstance(obj, (dict, list)) and _depth >= MAX_DEPTH:
        return "…"
    depth = _depth + 1
    if isinstance(obj, dict):
        kind = obj.get("py/object")
        if isinstance(kind, str) and kind.startswith("numpy."):
            if "value" in obj:
                return obj["value"]
            if "values" in obj:
                return plain_value(obj["values"], depth)
        for tag in ("py/tuple", "py/set"):
            if tag in obj and isinstance(obj[tag], list):
                return [plain_value(item, depth) for item in obj[tag]]
        for tag in ("py/function", "py/type", "py/mod"):
            if tag in obj:
                return f"<{tag[3:]} {obj[tag]}>"
        if isinstance(kind, str):
            return f"<{kind}>"
        return {key: plain_value(value, depth) for key, value in obj.items()}
    if isinstance(obj, list):
        return [plain_value(item, depth) for item in obj]
    return obj


def format_value(value: Any, limit: int = 60) -> str:
    """Return a one-line text for a (plain) config or result value, cut to ``limit`` characters."""
    if value is None:
        text = "null"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (bool, int, float)):
        text = format_number(value)
    elif isinstance(value, list):
        text = "[" + ", ".join(format_value(item, limit) for item in value[:20])
        text += ", …]" if len(value) > 20 else "]"
    elif isinstance(value, dict):
        text = " ".join(f"{key}={format_value(item, limit)}" for key, item in value.items())
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize_result(result: Any, limit: int = 40) -> str:
    """Return a short text for a run's stored result (``loss=0.25 acc=0.9``, ``0.93``)."""
    if result is None:
        return MISSING
    return format_value(plain_value(result), limit)
