"""Provides sacred_repr: a stored config value written as Sacred's print_config writes it.

Stored configs keep numpy values in jsonpickle's tagged form (``{"py/object": "numpy.ndarray",
"dtype": "float64", "values": [...]}``). print_config shows the value itself: an array as numpy
prints it (``array([0.5, 1. , 1.5])``), a numpy scalar as its number, a tuple as a list. numpy is
imported only when an array is met (the app does not need it otherwise); without numpy the array
is written in the same shape from its values.
"""
from __future__ import annotations

from collections.abc import Mapping
from pprint import pformat
from typing import Any

__all__ = ["decode_value", "sacred_repr"]


class _Literal:
    """Shows a prepared text as its repr (so pformat places it inside lists and dicts)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _array_repr(values: Any, dtype: Any) -> str:
    try:
        import numpy
    except ImportError:
        return f"array({values!r})"
    try:
        return repr(numpy.array(values, dtype=str(dtype)) if dtype else numpy.array(values))
    except (TypeError, ValueError):
        return f"array({values!r})"


def decode_value(value: Any) -> Any:
    """The value a stored (jsonpickle-tagged) value stands for, as print_config would show it."""
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    kind = value.get("py/object")
    if kind == "numpy.ndarray" and "values" in value:
        return _Literal(_array_repr(value["values"], value.get("dtype")))
    if isinstance(kind, str) and kind.startswith("numpy.") and "value" in value:
        return value["value"]
    for tag in ("py/tuple", "py/set"):
        if tag in value and isinstance(value[tag], list):
            items = [decode_value(item) for item in value[tag]]
            return items if tag == "py/tuple" else set(map(_hashable, items))
    return {key: decode_value(item) for key, item in value.items()}


def _hashable(item: Any) -> Any:
    try:
        hash(item)
    except TypeError:
        return _Literal(repr(item))
    return item


def sacred_repr(value: Any, width: int = 80) -> str:
    """``pformat`` of the decoded value: what print_config prints after ``key =``."""
    return pformat(decode_value(value), width=width)
