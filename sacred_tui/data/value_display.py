"""Provides format_value (a stored value on one short line) and full_text (the whole value, for a viewer).

Stored values keep jsonpickle's shapes (numpy scalars, tuples, arrays); they are shown as the Python
values they stand for. ``format_value`` stops building the text as soon as it is longer than its
limit, so a 10 MB string or a list of a million numbers costs no more than a short one.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pprint import pformat
from typing import Any

from sacred_tui.data.config_diff import is_encoded_leaf
from sacred_tui.data.value_repr import sacred_repr

__all__ = ["MAX_VALUE_CHARS", "format_value", "full_text", "is_shortened"]

MAX_VALUE_CHARS = 160
_MAX_ARRAY_REPR = 20_000
"""Arrays with more values than this are written from their values, not through numpy's repr."""


def format_value(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """Short display form of a stored value, decoding jsonpickle shapes; cut at ``limit`` chars."""
    text = _display(value, limit + 1)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_shortened(value: Any, limit: int = MAX_VALUE_CHARS) -> bool:
    """True when ``format_value`` cannot show all of ``value``."""
    return len(_display(value, limit + 1)) > limit


def full_text(value: Any) -> str:
    """The whole value: a string as it is, anything else as Python writes it (pretty-printed)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and is_encoded_leaf(value):
        return _display_encoded(value, 1 << 62)
    return pformat(value, width=100, sort_dicts=False)


def _joined(items: Any, budget: int, show: Any) -> str:
    """``show(item)`` of the items joined by ', ', stopping once ``budget`` characters are reached."""
    parts: list[str] = []
    used = 0
    for item in items:
        text = show(item, budget - used)
        parts.append(text)
        used += len(text) + 2
        if used > budget:
            parts.append("…")
            break
    return ", ".join(parts)


def _display(value: Any, budget: int) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= budget else repr(value[:budget])[:-1] + "…"
    if isinstance(value, Mapping):
        if is_encoded_leaf(value):
            return _display_encoded(value, budget)
        return "{" + _joined(value.items(), budget, lambda item, room: f"{item[0]!r}: {_display(item[1], room)}") + "}"
    if isinstance(value, list):
        return "[" + _joined(value, budget, _display) + "]"
    return repr(value)


def _display_encoded(value: Mapping[str, Any], budget: int) -> str:
    """numpy.float64 {value: 0.25} -> 0.25, ndarray -> array([...]), py/tuple -> (...), and so on."""
    kind = str(value.get("py/object", ""))
    if kind.startswith("numpy.") and "value" in value:
        return _display(value["value"], budget)
    if kind == "numpy.ndarray" and "values" in value:
        values = value["values"]
        if isinstance(values, list) and len(values) > min(budget, _MAX_ARRAY_REPR):
            return "array([" + _joined(values, budget, _display) + "])"
        return re.sub(r"\n\s*", " ", sacred_repr(value, width=100_000))
    if "py/tuple" in value and isinstance(value["py/tuple"], list):
        items = value["py/tuple"]
        return "(" + _joined(items, budget, _display) + ("," if len(items) == 1 else "") + ")"
    if "py/set" in value and isinstance(value["py/set"], list):
        return "{" + _joined(value["py/set"], budget, _display) + "}"
    for tag, word in (("py/function", "function"), ("py/type", "class"), ("py/mod", "module")):
        if tag in value:
            return f"<{word} {value[tag]}>"
    if kind:
        return f"<{kind}>"
    return "{" + _joined(value.items(), budget, lambda item, room: f"{item[0]!r}: {_display(item[1], room)}") + "}"
