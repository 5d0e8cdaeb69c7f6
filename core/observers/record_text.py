"""Provides RecordText: run.json's text, with the parts that never change during a run encoded once.

run.json is written at the start, at every beat and at the end; most of it (the experiment's sources
and dependencies, the host) is fixed when the run starts. Encoding those parts once and splicing them
in gives exactly the text ``dumps(run_entry)`` gives (sorted keys, indent 2), at a fraction of the cost.
"""
from __future__ import annotations

import json
from typing import Any

from core.observers.json_text import dumps_indented, dumps_plain

_encode_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]  # = json.dumps of a str

__all__ = ["RecordText", "encode_json"]

FIXED_KEYS = ("experiment", "host")
"""Entries of run.json that are set at the start and never changed afterwards."""


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
        if not run_entry or not all(type(key) is str for key in run_entry):
            return _dumps(run_entry)
        items = []
        for key in sorted(run_entry):
            value = run_entry[key]
            items.append(f"  {_encode_str(key)}: {self._value_text(key, value)}")
        return "{\n" + ",\n".join(items) + "\n}"

    def _value_text(self, key: str, value: Any) -> str:
        kind = type(value)
        if kind is str:  # most entries: status, times, command
            return _encode_str(value)
        if value is None:
            return "null"
        if key in FIXED_KEYS:
            known = self._fixed.get(key)
            if known is not None and known[0] is value:
                return known[1]
        text = _dumps(value).replace("\n", "\n  ")
        if key in FIXED_KEYS:
            self._fixed[key] = (value, text)
        return text
