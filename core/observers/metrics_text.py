"""Provides the JSON text of metric points, item by item, as metrics.json and metrics.jsonl need it.

Everything here works on slices of a few thousand points and leans on C-level ``map``/``join``/
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

__all__ = ["ITEM_SEP", "encode_points", "iso_texts", "iso_texts_generic", "jsonl_text", "scalar_texts"]

ITEM_SEP = ",\n      "
"""Separator between two items of a metric list in metrics.json (indent 2, list at depth 3)."""

_EPOCH = datetime(1970, 1, 1)
_SECONDS_FAST = (10**9, 10**10)  # 2001..2286: every microsecond stamp has exactly 16 digits
_MAX_SECONDS_FAST = 16
_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_encode_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _second_prefix(second: int) -> str:
    return (_EPOCH + timedelta(seconds=second)).isoformat()


def iso_texts(times_us: Sequence[int]) -> list[str]:
    """ISO texts (naive UTC, fraction dropped when zero, as ``datetime.isoformat``) of microsecond stamps."""
    if not len(times_us):
        return []
    text = _fast_stamps_text(times_us, '"\n"')
    if text is None:
        return _slow_iso_texts(times_us)
    return text[1:-1].split('"\n"')


def encode_points(name: str, steps: Sequence[Any], values: Sequence[Any],
                  times_us: Sequence[int], lines: bool = True) -> tuple[str, str, str, str]:
    """``(steps, timestamps, values, jsonl lines)`` texts of aligned points for metrics.json/.jsonl.

    The three block texts are the items of each list joined by ``ITEM_SEP``, as they appear inside
    metrics.json; the last text is one metrics.jsonl line per point ("" unless ``lines``). Timestamps are never turned
    into datetimes: the microsecond stamps are written as digits, then the ten digits of each
    second are replaced by that second's date text (one pass over the text per distinct second).
    """
    steps_block, steps_line = scalar_texts(steps)
    values_block, values_line = scalar_texts(values)
    fast_block = _fast_stamps_text(times_us, _STAMP_SEP)
    if fast_block is None:
        stamps = _slow_iso_texts(times_us)
        stamps_block = '"' + _STAMP_SEP.join(stamps) + '"'
    else:
        stamps_block = fast_block
        stamps = stamps_block[1:-1].split(_STAMP_SEP) if lines else []
    line_text = _lines('{"name": ' + _encode_str(name) + ', "step": ', steps_line, stamps, values_line) \
        if lines else ""
    return ITEM_SEP.join(steps_block), stamps_block, ITEM_SEP.join(values_block), line_text


_STAMP_SEP = '",' + ITEM_SEP[1:] + '"'


def _fast_stamps_text(times_us: Sequence[int], separator: str) -> str | None:
    """The quoted ISO texts of the stamps joined by ``separator``; None where the fast path does not
    apply (stamps over more than a few seconds, outside 2001..2286, or not in order).

    The stamps are written as digits, then the ten digits of each second from the first stamp's to
    the last one's are replaced by that second's date text. Stamps come from the clock in order, so
    the first and last give the seconds to replace without a pass over all of them; a stamp outside
    that span keeps its digits (its text starts with "1", a date here with "2") and is detected.
    """
    low, high = times_us[0] // 10**6, times_us[-1] // 10**6
    if not (_SECONDS_FAST[0] <= low <= high < _SECONDS_FAST[1] and high - low <= _MAX_SECONDS_FAST):
        return None
    text = _with_dates('"' + separator.join(map(int.__repr__, times_us)) + '"', '"', range(low, high + 1))
    if '"1' in text:
        return None
    return text.replace('.000000"', '"')


def _with_dates(text: str, marker: str, seconds: range) -> str:
    """Replace ``marker`` + the ten digits of each second by ``marker`` + its date text and a dot."""
    for second in seconds:
        text = text.replace(f"{marker}{second}", f"{marker}{_second_prefix(second)}.")
    return text


def _slow_iso_texts(times_us: Sequence[int]) -> list[str]:
    """ISO texts for stamps spread over many seconds (or outside 2001..2286): one date text per second."""
    prefixes: dict[int, str] = {}
    texts = []
    for stamp in times_us:
        second, micro = divmod(stamp, 10**6)
        prefix = prefixes.get(second)
        if prefix is None:
            prefix = prefixes[second] = _second_prefix(second)
        texts.append(f"{prefix}.{micro:06d}" if micro else prefix)
    return texts


def _lines(prefix: str, steps: list[str], stamps: list[str], values: list[str]) -> str:
    """One line per point: ``prefix`` + step + stamp + value; the end of a line and the start of the
    next are one piece, so a point costs six pieces."""
    count = len(steps)
    if not count:
        return ""
    pieces: list[str] = [""] * (6 * count)
    pieces[0::6] = steps
    pieces[1::6] = repeat(', "timestamp": "', count)
    pieces[2::6] = stamps
    pieces[3::6] = repeat('", "value": ', count)
    pieces[4::6] = values
    pieces[5::6] = repeat("}\n" + prefix, count)
    pieces[-1] = "}\n"
    return prefix + "".join(pieces)


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
    return _lines('{"name": ' + _encode_str(name) + ', "step": ', steps, stamps, values)
