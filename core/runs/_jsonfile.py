"""Provides JsonFileCache: tolerant, cached reading of JSON files that may be rewritten in place.

Real Sacred rewrites run.json, metrics.json and info.json with ``open(path, "w")``, so a reader can
see an empty or half-written file. A read is retried a few times (under 50 ms in total); if the file
is still unreadable the last good value is kept and a problem text is returned instead of raising.
Values are cached per file and keyed on (inode, mtime_ns, size), so an unchanged file is not parsed
again and a broken file is not retried again until it changes.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runs import fast_json
from core.runs.gentle_json import NotGentle, loads_gently
from core.runs.safe_open import describe_error, read_regular

FileKey = tuple[int, int, int]
"""(inode, mtime_ns, size) of a file: changes whenever the file is replaced or rewritten."""

RETRY_DELAYS: tuple[float, ...] = (0.005, 0.01, 0.02)
"""Pauses between attempts to read a half-written file (35 ms in total)."""

GENTLE_FROM = 256 * 1024
"""Files this big are parsed in pieces (see core.runs.gentle_json): readers in threads keep the UI live."""

_CUT_TOKEN_LIMIT = 12
"""Longest unparsed tail (a partial number or literal) that still counts as a file cut short."""


@dataclass(frozen=True, slots=True)
class JsonRead:
    """Outcome of one tolerant read: the value (last good one on failure), a problem, presence."""

    value: Any
    problem: str | None
    missing: bool
    changed: bool


@dataclass(slots=True)
class _Entry:
    key: FileKey
    value: Any
    problem: str | None


class _Unreadable(Exception):
    """A file could not be parsed; ``retry`` says whether waiting may help (a torn write)."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


_JSON_NAMES: dict[type, str] = {dict: "object", list: "list", str: "string", bool: "boolean",
                                type(None): "null", int: "number", float: "number"}


def _type_name(value: object) -> str:
    """Name of a parsed JSON value's type as JSON calls it (object, list, ...)."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _looks_cut_off(text: str, exc: json.JSONDecodeError) -> bool:
    """True when the error sits at the end of the text, as when a writer has not finished.

    The parser may stop a few characters early (inside ``0.``, ``tru`` or ``Infin``) and reports
    an unterminated string at its opening quote, so those count as cut off too.
    """
    if exc.msg.startswith("Unterminated string"):
        return True
    rest = text[exc.pos:].rstrip()
    started = bool(text[:exc.pos].strip())
    return started and len(rest) <= _CUT_TOKEN_LIMIT and "\n" not in rest


class _LongIntegers:
    """``parse_int`` hook that keeps integers too long for ``int()`` as their digits (a str)."""

    def __init__(self) -> None:
        self.longest = 0

    def __call__(self, digits: str) -> int | str:
        limit = sys.get_int_max_str_digits()
        if limit and len(digits.lstrip("-")) > limit:
            self.longest = max(self.longest, len(digits.lstrip("-")))
            return digits
        return int(digits)


MAX_DEPTH = 64
"""Deepest nesting kept; deeper containers become '…' so no reader or view recurses without end."""


def _prune_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Replace containers nested deeper than ``max_depth`` by '…', in place; True if any was.

    Iterative, and lists of plain numbers or strings (a metric's values) are skipped in C.
    """
    pruned = False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            items = node.items()
        elif _CONTAINERS.isdisjoint(map(type, node)):
            continue
        else:
            items = enumerate(node)
        for key, child in items:
            if type(child) in _CONTAINERS:
                if depth >= max_depth:
                    node[key] = "…"
                    pruned = True
                else:
                    stack.append((child, depth + 1))
    return pruned


_CONTAINERS = frozenset({dict, list})


def parse_json_bytes(data: bytes, label: str, expect: type | None = None) -> tuple[Any, str | None]:
    """Parse JSON bytes; return the value and a note, or raise :class:`_Unreadable` naming ``label``.

    The note says what was kept in another form: integers longer than Python converts by default
    (4,300 digits) stay text, and containers nested deeper than :data:`MAX_DEPTH` become '…', so
    the rest of the file is still read and nothing that shows it recurses without end.
    """
    if len(data) >= GENTLE_FROM:
        try:
            return _checked(loads_gently(data), label, expect, None)
        except NotGentle:
            pass  # the ordinary parse below says what is wrong
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at_end = exc.reason == "unexpected end of data"
        raise _Unreadable(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          retry=at_end) from None
    if not text.strip():
        raise _Unreadable(f"{label}: empty file", retry=True)
    note = None
    try:
        value = fast_json.loads(text)
    except json.JSONDecodeError as exc:
        incomplete = _looks_cut_off(text, exc)
        kind = "incomplete" if incomplete else "invalid"
        raise _Unreadable(f"{label}: {kind} JSON ({exc.msg}: line {exc.lineno} column {exc.colno})",
                          retry=incomplete) from None
    except ValueError:
        # json.loads turns digits into int() and that refuses more than 4,300 digits.
        hook = _LongIntegers()
        try:
            value = json.loads(text, parse_int=hook)
        except (ValueError, RecursionError) as exc:
            raise _Unreadable(f"{label}: invalid JSON ({exc})", retry=False) from None
        note = f"{label}: an integer of {hook.longest:,} digits is kept as text"
    except RecursionError:
        raise _Unreadable(f"{label}: JSON nested too deeply", retry=False) from None
    return _checked(value, label, expect, note)


def _checked(value: Any, label: str, expect: type | None, note: str | None) -> tuple[Any, str | None]:
    """``value`` with its note, if of the ``expect``ed type; containers too deep are cut at MAX_DEPTH."""
    if expect is not None and not isinstance(value, expect):
        wanted = _JSON_NAMES.get(expect, expect.__name__)
        raise _Unreadable(f"{label}: expected a JSON {wanted}, got {_type_name(value)}", retry=False)
    if type(value) in _CONTAINERS and _prune_deep(value):
        deep = f"{label}: nested deeper than {MAX_DEPTH} levels; the deeper parts are shown as '…'"
        note = deep if note is None else f"{note}; {deep}"
    return value, note


def stat_key(path: Path | str) -> FileKey | None:
    """Return the cache key of a file, or None when it does not exist or is not a file."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class JsonFileCache:
    """Remembers the last good value of each JSON file read through it."""

    def __init__(self, retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self._entries: dict[str, _Entry] = {}
        self._delays = retry_delays

    def forget(self, path: Path | str) -> None:
        """Drop what is cached for ``path`` (the next read parses it again)."""
        self._entries.pop(os.fspath(path), None)

    def release(self, path: Path | str) -> None:
        """Stop holding the value of ``path`` but remember its key: until the file changes, a read
        returns None unchanged instead of parsing it again (for big files read once, like metrics)."""
        entry = self._entries.get(os.fspath(path))
        if entry is not None:
            entry.value = None

    def read(self, path: Path | str, expect: type | None = None) -> JsonRead:
        """Read ``path`` as JSON; never raises for missing, torn, foreign or unreadable files.

        ``expect`` (``dict`` or ``list``) is the required type of the top-level value.
        ``changed`` is False when the value came from the cache without touching the file.
        """
        name = os.fspath(path)
        label = os.path.basename(name)
        entry = self._entries.get(name)
        problem: str | None = None
        key: FileKey | None = None
        for attempt in range(len(self._delays) + 1):
            try:
                key = stat_key(name)
            except OSError as exc:
                problem = f"{label}: {describe_error(exc)}"
                break
            if key is None:
                self._entries.pop(name, None)
                return JsonRead(None, None, missing=True, changed=entry is not None)
            if entry is not None and entry.key == key:
                return JsonRead(entry.value, entry.problem, missing=False, changed=False)
            try:
                value, note = parse_json_bytes(read_regular(name), label, expect)
            except _Unreadable as exc:
                problem = str(exc)
                if not exc.retry or attempt == len(self._delays):
                    break
                time.sleep(self._delays[attempt])
                continue
            except OSError as exc:
                problem = f"{label}: {describe_error(exc)}"
                break
            self._entries[name] = _Entry(key, value, note)
            return JsonRead(value, note, missing=False, changed=True)
        last_good = entry.value if entry is not None else None
        if key is not None:
            self._entries[name] = _Entry(key, last_good, problem)
        return JsonRead(last_good, problem, missing=False, changed=True)
