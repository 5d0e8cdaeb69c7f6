"""Provides loads_gently: JSON parsed in pieces small enough that a reader thread never holds the GIL long.

``json.loads`` of a 20 MB config or a 150 MB metrics.json is one C call that holds the interpreter
lock for one to several seconds, even in a worker thread: for that long the UI thread cannot run.
This parser gives the C decoder at most ``SLICE`` bytes at a time. A container that fits is decoded
in one call; a bigger one is read in runs of members (the text up to a comma near the end of a slice,
wrapped in brackets: a cut inside a string or a nested container cannot parse, so such a run is read
member by member instead). Between pieces the interpreter switches threads as usual. The result is
what ``json.loads`` gives; text it does not handle (invalid JSON, numbers of thousands of digits)
raises :class:`NotGentle` and is left to the ordinary parser, which explains what is wrong.
"""
from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["NotGentle", "SLICE", "loads_gently"]

SLICE = 64 * 1024
"""Most bytes handed to the C decoder in one call (about a millisecond of work)."""
_WINDOWS = (512, 8 * 1024, SLICE)
_SPACE = re.compile(rb"[ \t\n\r]*")
_TOKEN = re.compile(rb"[^,\]}\s]+")
_DECODER = json.JSONDecoder()
_QUOTE, _BACKSLASH, _COMMA = ord('"'), ord("\\"), ord(",")
_OPEN = {ord("{"): (b"{", b"}", ord("}")), ord("["): (b"[", b"]", ord("]"))}


class NotGentle(Exception):
    """The text is not JSON this parser reads (it may be invalid): parse it with ``json.loads``."""


def loads_gently(data: bytes) -> Any:
    """The value of the JSON document ``data`` (UTF-8), as ``json.loads(data)`` returns it."""
    try:
        parser = _Parser(data)
        value, end = parser.value(parser.skip(0))
        if parser.skip(end) != len(data):
            raise NotGentle("extra data after the value")
        return value
    except (ValueError, IndexError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise NotGentle(str(exc)) from None


def _decoded(piece: bytes, whole: bool) -> str:
    """Text of ``piece``; a character cut at its end is dropped unless the piece is ``whole``."""
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(piece) - 3:
            raise
        return piece[:exc.start].decode("utf-8")


def _byte_length(text: str, chars: int) -> int:
    return chars if text.isascii() else len(text[:chars].encode("utf-8"))


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def skip(self, index: int) -> int:
        """Index of the first non-space byte at or after ``index``."""
        match = _SPACE.match(self.data, index)
        return match.end() if match else index

    def value(self, index: int) -> tuple[Any, int]:
        """The value starting at ``index`` and the index just after it."""
        first = self.data[index]
        if first in _OPEN:
            return self._container(index)
        if first == _QUOTE:
            end = self._string_end(index)
            return json.loads(self.data[index:end]), end
        match = _TOKEN.match(self.data, index)
        if match is None:
            raise NotGentle(f"no value at byte {index}")
        return json.loads(self.data[index:match.end()]), match.end()

    def _string_end(self, index: int) -> int:
        """Index just after the string that opens at ``index``."""
        data = self.data
        position = index + 1
        while True:
            quote = data.find(b'"', position)
            if quote < 0:
                raise NotGentle(f"unterminated string at byte {index}")
            before = quote
            while data[before - 1] == _BACKSLASH:
                before -= 1
            if (quote - before) % 2 == 0:
                return quote + 1
            position = quote + 1

    def _container(self, index: int) -> tuple[Any, int]:
        """A container that fits a window is decoded at once; a bigger one is read in runs."""
        data = self.data
        for size in _WINDOWS:
            piece = data[index:index + size]
            whole = len(piece) < size
            text = _decoded(piece, whole)
            try:
                value, end = _DECODER.raw_decode(text)
            except json.JSONDecodeError:
                if whole:
                    raise
                continue
            return value, index + _byte_length(text, end)
        return self._in_runs(index)

    def _in_runs(self, index: int) -> tuple[Any, int]:
        data = self.data
        opening, closing, close_byte = _OPEN[data[index]]
        is_object = opening == b"{"
        result: Any = {} if is_object else []
        add = result.update if is_object else result.extend
        index = self.skip(index + 1)
        if data[index] == close_byte:
            return result, index + 1
        walk_until = index  # after a run failed to parse, go member by member past its end
        while True:
            if index >= walk_until:
                comma = data.rfind(b",", index, index + SLICE)
                if comma > index:
                    try:
                        add(json.loads(opening + data[index:comma] + closing))
                    except ValueError:
                        walk_until = comma
                    else:
                        index = self.skip(comma + 1)
                        continue
            if is_object:
                key, index = self.value(index)
                if not isinstance(key, str):
                    raise NotGentle(f"object key expected at byte {index}")
                index = self.skip(index)
                if data[index] != ord(":"):
                    raise NotGentle(f"':' expected at byte {index}")
                member, index = self.value(self.skip(index + 1))
                result[key] = member
            else:
                member, index = self.value(index)
                result.append(member)
            index = self.skip(index)
            if data[index] == close_byte:
                return result, index + 1
            if data[index] != _COMMA:
                raise NotGentle(f"',' expected at byte {index}")
            index = self.skip(index + 1)
