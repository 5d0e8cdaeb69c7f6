"""Provides the backspace/linefeed output filter, ``apply_backspaces_and_linefeeds``.

It renders what a terminal would show for text containing ``\\r`` progress bars and ``\\b``
spinners, with Sacred's exact semantics. A run applies it incrementally (``core.captured_output``).
"""
from __future__ import annotations

import re
from collections.abc import Callable

OutputFilter = Callable[[str], str]

_BACKSPACE = "\x08"
_TOKENS = re.compile(r"[^\r\x08]+|\r+|\x08+")


def apply_backspaces_and_linefeeds(text: str) -> str:
    """Interpret ``\\r`` and ``\\b`` the way a terminal does, line by line.

    Per line, ``\\r`` moves the cursor to column 0 and ``\\b`` moves it back one column (never below
    0); every other character overwrites the character under the cursor, or is appended at the end
    of the line. The rest of a line is not cleared. A ``\\r`` that is the very last character of the
    text is kept, so a progress bar that is still being drawn stays recognisable.

    Examples: ``"progress 0\\b9"`` -> ``"progress 9"``, ``"abc\\rx"`` -> ``"xbc"``, ``"x\\r"`` -> ``"x\\r"``.
    """
    if "\r" not in text and _BACKSPACE not in text:
        return text
    keep_final_cr = text.endswith("\r")
    if keep_final_cr:
        text = text[:-1]
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _BACKSPACE in line:
            lines[index] = _render_line(line)
        elif "\r" in line:
            lines[index] = _overlay(line.split("\r"))
    rendered = "\n".join(lines)
    return rendered + "\r" if keep_final_cr else rendered


def _overlay(segments: list[str]) -> str:
    """Render segments that each start at column 0, later ones on top, in linear time.

    Column ``j`` shows the last segment longer than ``j``; walking backwards, every earlier segment
    that is longer than what is rendered so far contributes only its tail.
    """
    rendered = segments[-1]
    for segment in reversed(segments[:-1]):
        if len(segment) > len(rendered):
            rendered += segment[len(rendered):]
    return rendered


def _render_line(line: str) -> str:
    """Render one line containing backspaces (and maybe carriage returns) with a cursor."""
    chars: list[str] = []
    cursor = 0
    for match in _TOKENS.finditer(line):
        token = match.group()
        first = token[0]
        if first == "\r":
            cursor = 0
        elif first == _BACKSPACE:
            cursor = max(0, cursor - len(token))
        else:
            end = cursor + len(token)
            chars[cursor:end] = token  # overwrites in place, appends what runs past the end
            cursor = end
    return "".join(chars)
