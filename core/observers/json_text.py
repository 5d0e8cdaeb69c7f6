"""Provides ``dumps_indented``: the text ``json.dumps(obj, sort_keys=True, indent=2)`` gives, made faster.

With ``indent`` set, the standard library encodes through a chain of Python generators (its C encoder
handles only compact output); encoding run.json and config.json that way was the largest single cost
of a short run. Here plain JSON data (exact ``dict`` with ``str`` keys, ``list``, ``tuple``, ``str``,
``int``, ``float``, ``bool``, ``None``) is encoded by one recursive function that appends to a list;
anything else (subclasses, other key types, cycles, very deep data) goes to ``json.dumps`` itself, so
the text and the errors are always exactly the standard library's.
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps_indented", "dumps_plain"]

_encode_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_SCALARS = frozenset((str, int, float, bool, type(None)))
_leaf_encoders: dict[str, json.JSONEncoder] = {}


def _leaf_text(obj: dict | list | tuple, inner: str, newline: str) -> str:
    """A dict or list of plain scalars, encoded by the C encoder (one item per line at ``inner``)."""
    encoder = _leaf_encoders.get(inner)
    if encoder is None:
        encoder = _leaf_encoders[inner] = json.JSONEncoder(sort_keys=True, separators=("," + inner, ": "))
    text = encoder.encode(obj)
    return text[0] + inner + text[1:-1] + newline + text[-1]


class _NotPlain(Exception):
    """A value this encoder leaves to ``json.dumps``."""


def dumps_indented(obj: Any) -> str:
    """``json.dumps(obj, sort_keys=True, indent=2)`` (ASCII, NaN and Infinity allowed)."""
    parts: list[str] = []
    try:
        _encode(obj, parts, "\n", _LIST_TYPES)
    except (_NotPlain, RecursionError):
        return json.dumps(obj, sort_keys=True, indent=2)
    return "".join(parts)


def dumps_plain(obj: Any) -> str | None:
    """``dumps_indented(obj)`` for data that is JSON as it is: exact dicts (str keys, none starting with
    ``json://``), lists, str, int, float, bool and None; None for anything else (tuples included), which
    Sacred's files store in tagged shapes (see ``core.config.values.flatten``)."""
    parts: list[str] = []
    try:
        _encode(obj, parts, "\n", _LIST_ONLY)
    except (_NotPlain, RecursionError):
        return None
    return "".join(parts)


_LIST_TYPES = (list, tuple)
_LIST_ONLY = (list, list)
_TAGGED_KEY = "\0json://"  # core.config._encoders.JSON_KEY_PREFIX (not imported: it brings base64 to startup)


def _encode(obj: Any, parts: list[str], newline: str, lists: tuple[type, type]) -> None:
    kind = type(obj)
    if kind is str:
        parts.append(_encode_str(obj))
    elif obj is None:
        parts.append("null")
    elif obj is True:
        parts.append("true")
    elif obj is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(obj))
    elif kind is float:
        text = float.__repr__(obj)
        parts.append(_NONFINITE.get(text, text))
    elif kind is dict:
        if not obj:
            parts.append("{}")
            return
        for key in obj:
            if type(key) is not str:
                raise _NotPlain
        if _TAGGED_KEY in "\0" + "\0".join(obj):  # such keys are tagged by flatten (json.dumps takes them)
            raise _NotPlain
        inner = newline + "  "
        if set(map(type, obj.values())) <= _SCALARS:
            parts.append(_leaf_text(obj, inner, newline))
            return
        separator = "{" + inner
        for key in sorted(obj):
            parts.append(separator)
            parts.append(_encode_str(key))
            parts.append(": ")
            _encode(obj[key], parts, inner, lists)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is lists[0] or kind is lists[1]:
        if not obj:
            parts.append("[]")
            return
        inner = newline + "  "
        if set(map(type, obj)) <= _SCALARS:
            parts.append(_leaf_text(obj, inner, newline))
            return
        separator = "[" + inner
        for item in obj:
            parts.append(separator)
            _encode(item, parts, inner, lists)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise _NotPlain
