"""Provides search in shown text (stdout, sources, config): regex matches per line and jumping.

A search text is a regular expression; it ignores case unless it has an upper-case letter (as
in vim's smartcase). A text that is not a valid expression is searched for literally, and the
caller is told so. Matches are (line, start, end) in the plain text of each line.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_MATCHES = 100_000
"""Matches counted at most (a search for ``.`` in a huge output stays bounded)."""

TRACEBACK_START = re.compile(r"^\s*Traceback \(most recent call last\):")


@dataclass(frozen=True, slots=True)
class Match:
    """One match: its line (0-based) and character span in that line."""

    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SearchPattern:
    """A compiled search; ``literal`` says the text was not a valid expression (searched as typed)."""

    text: str
    regex: re.Pattern[str]
    literal: bool = False


def compile_search(text: str) -> SearchPattern | None:
    """Compile a search text (None for an empty one)."""
    if not text:
        return None
    flags = 0 if any(char.isupper() for char in text) else re.IGNORECASE
    try:
        return SearchPattern(text, re.compile(text, flags))
    except re.error:
        return SearchPattern(text, re.compile(re.escape(text), flags), literal=True)


def find_matches(lines: Sequence[str], pattern: SearchPattern) -> list[Match]:
    """Every non-empty match in ``lines``, in order (at most :data:`MAX_MATCHES`)."""
    found: list[Match] = []
    search = pattern.regex.finditer
    for number, line in enumerate(lines):
        for hit in search(line):
            if hit.end() > hit.start():
                found.append(Match(number, hit.start(), hit.end()))
                if len(found) >= MAX_MATCHES:
                    return found
    return found


def next_match(matches: Sequence[Match], current: int | None, line: int, forward: bool = True) -> int | None:
    """The index of the match to jump to: after (or before) ``current``, else from ``line``; wraps."""
    if not matches:
        return None
    if current is not None and 0 <= current < len(matches):
        return (current + (1 if forward else -1)) % len(matches)
    if forward:
        return next((index for index, match in enumerate(matches) if match.line >= line), 0)
    before = [index for index, match in enumerate(matches) if match.line <= line]
    return before[-1] if before else len(matches) - 1


def traceback_lines(lines: Sequence[str]) -> list[int]:
    """The lines where a Python traceback starts."""
    return [number for number, line in enumerate(lines) if TRACEBACK_START.match(line)]


def next_line(starts: Sequence[int], after: int) -> int | None:
    """The first of ``starts`` after line ``after``, wrapping to the first; None when there is none."""
    if not starts:
        return None
    return next((line for line in starts if line > after), starts[0])


def describe(pattern: SearchPattern | None, matches: Sequence[Match], current: int | None) -> str:
    """The search's status line: ``3/17 matches for 'loss'`` or why nothing is highlighted."""
    if pattern is None:
        return ""
    literal = " (not a valid regular expression: searched as typed)" if pattern.literal else ""
    if not matches:
        return f"no match for '{pattern.text}'{literal}"
    more = "+" if len(matches) >= MAX_MATCHES else ""
    position = f"{current + 1}/" if current is not None else ""
    return f"{position}{len(matches)}{more} matches for '{pattern.text}'{literal} · n next, N previous"
