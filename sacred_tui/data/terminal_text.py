"""Provides TerminalText, which turns captured output into the lines a terminal would show.

Captured stdout keeps the raw control characters a program wrote: progress bars redraw a line with
`\\r`, spinners step back with `\\b`, and coloured output carries ANSI escape sequences. Shown as is,
a progress bar becomes one enormous line full of stale states. TerminalText applies those controls
the way a terminal does (carriage return moves the cursor, later text overwrites earlier text,
`ESC[K` erases) and works incrementally, so a live tail only processes the new bytes.
"""

from __future__ import annotations

import re

__all__ = ["TerminalText", "render_terminal_text"]

# Plain text runs, or one control: newline, carriage return, backspace or an escape sequence.
# Escape sequences: CSI (ESC [ params final), OSC (ESC ] ... BEL or ESC \), or ESC + one char.
_TOKEN = re.compile(
    r"[^\n\r\x08\x1b]+"
    r"|\n|\r|\x08"
    r"|\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[@-Z\\-_]"
)
# An escape sequence that may still be incomplete at the end of a chunk.
_PARTIAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?)?\Z")
_NEEDS_CONTROL = re.compile(r"[\r\x08\x1b]")


class TerminalText:
    """Incremental renderer: feed text chunks, get back the lines that were completed.

    The unfinished last line (the one a progress bar keeps redrawing) is available as
    `current_line` and changes as more text arrives.
    """

    def __init__(self) -> None:
        self._line = ""
        self._col = 0
        self._pending = ""

    @property
    def current_line(self) -> str:
        """The line the cursor is on, not yet ended by a newline."""
        return self._line

    def feed(self, text: str) -> list[str]:
        """Apply `text` and return the lines it completed, in order."""
        if self._pending:
            text = self._pending + text
            self._pending = ""
        if not text:
            return []
        partial = _PARTIAL_ESCAPE.search(text)
        if partial is not None:
            self._pending = text[partial.start():]
            text = text[: partial.start()]
        if _NEEDS_CONTROL.search(text) is None and self._col == len(self._line):
            return self._feed_plain(text)
        completed: list[str] = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            first = token[0]
            if first == "\n":
                completed.append(self._line)
                self._line = ""
                self._col = 0
            elif first == "\r":
                self._col = 0
            elif first == "\b":
                self._col = max(0, self._col - 1)
            elif first == "\x1b":
                self._apply_escape(token)
            else:
                self._write(token)
        return completed

    def _feed_plain(self, text: str) -> list[str]:
        """Fast path for text without controls while the cursor is at the end of the line."""
        parts = text.split("\n")
        parts[0] = self._line + parts[0]
        self._line = parts.pop()
        self._col = len(self._line)
        return parts

    def _write(self, run: str) -> None:
        """Write printable text at the cursor, overwriting what is there."""
        line, col = self._line, self._col
        if col > len(line):
            line += " " * (col - len(line))
        self._line = line[:col] + run + line[col + len(run):]
        self._col = col + len(run)

    def _apply_escape(self, sequence: str) -> None:
        """Honour the erase-in-line sequence; drop colours and other sequences."""
        if not sequence.startswith("\x1b[") or sequence[-1] != "K":
            return
        mode = sequence[2:-1] or "0"
        if mode == "0":
            self._line = self._line[: self._col]
        elif mode == "1":
            self._line = " " * self._col + self._line[self._col:]
        elif mode == "2":
            self._line = ""


def render_terminal_text(text: str) -> list[str]:
    """Render a whole text at once: every line, the unfinished last one included if non-empty."""
    terminal = TerminalText()
    lines = terminal.feed(text)
    if terminal.current_line:
        lines.append(terminal.current_line)
    return lines
