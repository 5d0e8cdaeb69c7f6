"""Provides ``safe_repr``: a text for any value, even one whose ``repr`` fails or is absurdly long.

Used where a value must be shown or stored whatever it is (a run's result in the log and in run.json):
Python refuses to print integers beyond 4,300 digits, and a user's ``__repr__`` may raise.
"""
from __future__ import annotations

import sys

__all__ = ["safe_repr"]

MAX_CHARACTERS = 100_000
_MAX_INT_BITS = 1_000_000  # beyond ~300,000 digits, converting to text takes too long to be worth it


def safe_repr(value: object, limit: int = MAX_CHARACTERS) -> str:
    """``repr(value)``, cut to ``limit`` characters; a description where ``repr`` is impossible."""
    try:
        if type(value) is int or type(value) is bool:
            text = _int_repr(value)  # type: ignore[arg-type]
        else:
            text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the record
        text = f"<{type(value).__name__} object; repr() failed: {type(exc).__name__}>"
    if len(text) > limit:
        text = text[:limit] + f"... ({len(text) - limit} more characters)"
    return text


def _int_repr(value: int) -> str:
    try:
        return repr(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        pass
    getter = getattr(sys, "get_int_max_str_digits", None)
    if value.bit_length() > _MAX_INT_BITS or getter is None:
        return f"<int with about {int(value.bit_length() * 0.30103) + 1} digits>"
    previous = getter()
    sys.set_int_max_str_digits(0)
    try:
        return repr(value)
    finally:
        sys.set_int_max_str_digits(previous)
