"""Provides RecordText: run.json's text, with the parts that never change during a run encoded once.

run.json is written at the start, at every beat and at the end; most of it (the experiment's sources
and dependencies, the host) is fixed when the run starts. Encoding those parts once and splicing them
in gives exactly the text ``dumps(run_entry)`` gives (sorted keys, indent 2), at a fraction of the cost.
"""
from __future__ import annotations

import json
import marshal
from typing import Any

from core.observers.json_text import dumps_indented, dumps_plain

_encode_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]  # = json.dumps of a str

__all__ = ["RecordText", "encode_json"]

FIXED_KEYS = ("experiment", "host")
"""Entries of run.json that are set at the start and never changed afterwards."""
REPEATED_KEYS = ("meta",)
"""Entries of run.json that may change, but as a rule do not between two writes."""
_STR_ONLY = {str}
_KEY_HEADS = {key: "  " + _encode_str(key) + ": " for key in (
    "artifacts", "command", "experiment", "fail_trace", "heartbeat", "host", "meta", "resources", "result",
    "start_time", "status", "stop_time")}


def encode_json(obj: Any) -> str:
    """The text of ``core.config.values.dumps(obj)``, encoded faster: data that is JSON as it is (the
    usual case) directly, anything else in the tagged shapes of ``flatten``."""
    text = dumps_plain(obj)
    if text is None:
        from core.config.values import flatten
        text = dumps_indented(flatten(obj))
    return text


_dumps = encode_json


class RecordText:
    """Encodes one run's run.json, remembering the text of its fixed entries."""

    def __init__(self) -> None:
        self._fixed: dict[str, tuple[Any, str]] = {}  # key -> (the value encoded, its text at depth 1)

    def encode(self, run_entry: dict) -> str:
        """The same text as ``dumps(run_entry)`` for a dict with string keys."""
        if not run_entry or set(map(type, run_entry)) != _STR_ONLY:
            return _dumps(run_entry)
        items = []
        for key in sorted(run_entry):
            head = _KEY_HEADS.get(key)
            if head is None:
                head = "  " + _encode_str(key) + ": "
            items.append(head + self._value_text(key, run_entry[key]))
        return "{\n" + ",\n".join(items) + "\n}"

    def _value_text(self, key: str, value: Any) -> str:
        kind = type(value)
        if kind is str:  # most entries: status, times, command
            return _encode_str(value)
        if value is None:
            return "null"
        if key not in FIXED_KEYS:
            if key in REPEATED_KEYS:
                return _same_as_before(key, value)
            return _dumps(value).replace("\n", "\n  ")
        known = self._fixed.get(key)
        if known is not None and known[0] is value:
            return known[1]
        text = _same_as_before(key, value)
        self._fixed[key] = (value, text)
        return text


def _same_as_before(key: str, value: Any) -> str:
    """The text of an entry at depth 1; the same as the previous text of that entry when the value is.

    Every run of a process has the same ``experiment`` and ``host`` entries as a rule, and ``meta``
    is written unchanged at the start and the end of a run. ``marshal`` tells (in C, at a fraction of
    the cost of encoding) that a value is the same data down to the types (``1``, ``1.0`` and
    ``True`` differ, tuples from lists, dict subclasses are refused), which fixes its JSON text."""
    try:
        fingerprint = marshal.dumps(value)
    except ValueError:  # not plain data (objects of other types): encode every time
        return _dumps(value).replace("\n", "\n  ")
    known = _previous_texts.get(key)
    if known is not None and known[0] == fingerprint:
        return known[1]
    text = _dumps(value).replace("\n", "\n  ")
    _previous_texts[key] = (fingerprint, text)
    return text


_previous_texts: dict[str, tuple[bytes, str]] = {}
"""Per entry (``FIXED_KEYS`` and ``REPEATED_KEYS``), the marshal bytes and the text of its last value."""
