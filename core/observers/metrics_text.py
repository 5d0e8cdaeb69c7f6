"""Provides the JSON text of metric points, item by item, as metrics.json and metrics.jsonl need it.

Everything here works on slices of a few ten thousand points and leans on C-level ``map``/``join``/
``replace`` instead of per-item Python code: one million points must encode in well under a second.
Item texts are those ``json.dumps(..., sort_keys=True, indent=2)`` would produce at the depth of a
metric list inside metrics.json (NaN/Infinity kept as Sacred writes them).
"""
from __future__ import annotations

import json
import math
from array import array
from datetime import datetime, timedelta
from itertools import repeat
from typing import Any, Sequence

__all__ = ["ITEM_SEP", "iso_texts_from_ns", "iso_texts_generic", "jsonl_text", "scalar_texts"]

ITEM_SEP = ",\n      "
"""Separator between two items of a metric list in metrics.json (indent 2, list at depth 3)."""

_EPOCH = datetime(1970, 1, 1)
_SECONDS_FAST = (10**9, 10**10)  # 2001..2286: every microsecond stamp has exactly 16 digits
_MAX_SECONDS_FAST = 16
_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_encode_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _second_prefix(second: int) -> str:
    return (_EPOCH + timedelta(seconds=second)).isoformat()


def iso_texts_from_ns(times_ns: Sequence[int]) -> list[str]:
    """ISO texts (naive UTC, fraction dropped when zero, as ``datetime.isoformat``) of ns stamps."""
    if not len(times_ns):
        return []
    micros = array("q", map((1000).__rfloordiv__, times_ns))
    low, high = min(micros) // 10**6, max(micros) // 10**6
    if _SECONDS_FAST[0] <= low and high < _SECONDS_FAST[1] and high - low <= _MAX_SECONDS_FAST:
        # Write all stamps as digits, then swap the 10 leading digits (the second) for its date text.
        text = "\n" + "\n".join(map(int.__repr__, micros)) + "\n"
        for second in range(low, high + 1):
            text = text.replace(f"\n{second}", f"\n{_second_prefix(second)}.")
        text = text.replace(".000000\n", "\n")
        return text[1:-1].split("\n")
    return [(_EPOCH + timedelta(microseconds=us)).isoformat() for us in micros]


def iso_texts_generic(stamps: Sequence[Any]) -> list[str]:
    """ISO texts of datetimes; anything else a foreign caller passed becomes its (escaped) ``str``."""
    return [stamp.isoformat() if isinstance(stamp, datetime) else _encode_str(str(stamp))[1:-1]
            for stamp in stamps]


def scalar_texts(items: Sequence[Any]) -> tuple[list[str], list[str]]:
    """``(texts for metrics.json, texts for one-line metrics.jsonl)`` of steps or values.

    The two lists are the same object unless an item encodes to more than one line.
    """
    kind = type(items)
    if kind is range or (kind is array and items.typecode == "q"):  # type: ignore[union-attr]
        texts = list(map(int.__repr__, items))
        return texts, texts
    if kind is array and items.typecode == "d":  # type: ignore[union-attr]
        texts = list(map(float.__repr__, items))
        if not math.isfinite(sum(items)):
            texts = [_NONFINITE.get(text, text) for text in texts]
        return texts, texts
    return _generic_texts(items)


def _generic_texts(items: Sequence[Any]) -> tuple[list[str], list[str]]:
    block_texts: list[str] = []
    line_texts: list[str] | None = None
    for index, item in enumerate(items):
        kind = type(item)
        if kind is float:
            text = float.__repr__(item)
            text = _NONFINITE.get(text, text)
        elif kind is int:
            text = int.__repr__(item)
        elif item is None:
            text = "null"
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is str:
            text = _encode_str(item)
        else:
            from core.config.values import flatten
            flat = flatten(item)
            line = json.dumps(flat, sort_keys=True)
            text = json.dumps(flat, sort_keys=True, indent=2).replace("\n", "\n      ")
            if text != line:
                if line_texts is None:
                    line_texts = block_texts[:index]
                block_texts.append(text)
                line_texts.append(line)
                continue
        block_texts.append(text)
        if line_texts is not None:
            line_texts.append(text)
    return block_texts, block_texts if line_texts is None else line_texts


def jsonl_text(name: str, steps: list[str], stamps: list[str], values: list[str]) -> str:
    """Lines ``{"name": ..., "step": ..., "timestamp": "...", "value": ...}`` for aligned item texts."""
    count = len(steps)
    if not count:
        return ""
    pieces: list[str] = [""] * (7 * count)
    pieces[0::7] = repeat('{"name": ' + _encode_str(name) + ', "step": ', count)
    pieces[1::7] = steps
    pieces[2::7] = repeat(', "timestamp": "', count)
    pieces[3::7] = stamps
    pieces[4::7] = repeat('", "value": ', count)
    pieces[5::7] = values
    pieces[6::7] = repeat("}\n", count)
    return "".join(pieces)
