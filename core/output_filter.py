"""Provides the backspace/linefeed output filter and a buffer of captured text with cached filtering.

``apply_backspaces_and_linefeeds`` renders what a terminal would show for text containing ``\\r``
progress bars and ``\\b`` spinners, with Sacred's exact semantics. ``OutputBuffer`` keeps the whole
captured text and re-filters it only when new text arrived (incrementally for the built-in filter,
so a long run's heartbeat costs time in proportion to the new text, not to everything printed).
"""
from __future__ import annotations

import re
import threading
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


class OutputBuffer:
    """The full captured text of a run plus its filtered form, filtered only when text arrived.

    Filters receive the whole text, as in Sacred. The built-in ``apply_backspaces_and_linefeeds`` works
    line by line and lines before the last newline never change once complete, so for that filter only
    the text from the start of the last unfinished line is re-filtered. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._text = ""
        self._cached_filter: OutputFilter | None = None
        self._cached_length = -1
        self._cached_value = ""
        self._stable_end = 0  # raw offset just after the last newline rendered incrementally
        self._stable_rendered = ""

    def append(self, raw: str) -> None:
        """Add newly captured text (ignored when empty)."""
        if raw:
            with self._lock:
                self._pending.append(raw)

    def __len__(self) -> int:
        return len(self.text)

    @property
    def text(self) -> str:
        """Everything captured so far, unfiltered."""
        with self._lock:
            return self._join()

    def filtered(self, filter_fn: OutputFilter | None) -> str:
        """Return the text passed through ``filter_fn`` (the raw text when it is None).

        The result is cached: calling again without new text does not call the filter again.
        """
        with self._lock:
            text = self._join()
            if filter_fn is None:
                return text
            if filter_fn is self._cached_filter and len(text) == self._cached_length:
                return self._cached_value
            if filter_fn is apply_backspaces_and_linefeeds:
                value = self._render_incrementally(text)
            else:
                value = filter_fn(text)
                if not isinstance(value, str):
                    raise TypeError(f"captured_out_filter must return str, got {type(value).__name__}: "
                                    f"{value!r:.80}")
            self._cached_filter, self._cached_length, self._cached_value = filter_fn, len(text), value
            return value

    def _join(self) -> str:
        if self._pending:
            self._text += "".join(self._pending)
            self._pending.clear()
        return self._text

    def _render_incrementally(self, text: str) -> str:
        """Render complete lines once; re-render only the unfinished last line on every call."""
        last_newline = text.rfind("\n", self._stable_end)
        if last_newline >= 0:
            new_end = last_newline + 1
            self._stable_rendered += apply_backspaces_and_linefeeds(text[self._stable_end:new_end])
            self._stable_end = new_end
        return self._stable_rendered + apply_backspaces_and_linefeeds(text[self._stable_end:])
