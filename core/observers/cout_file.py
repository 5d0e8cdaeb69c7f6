"""Provides CoutFile: keeps a run's cout.txt equal to the latest captured output, cheaply.

When the new output extends what was written, only the new part is appended. When a
``captured_out_filter`` rewrote earlier text (e.g. collapsing ``\\r`` progress bars), the whole file
is replaced atomically. The check compares a window at the start and at the end of what was written,
never megabytes of text each second.
"""
from __future__ import annotations

from core.observers.atomic import append_text, atomic_write_text

__all__ = ["CoutFile"]

HEAD_WINDOW = 1024
TAIL_WINDOW = 8192


class CoutFile:
    """The cout.txt of one run."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._length = 0  # characters of output the file holds
        self._head = ""
        self._tail = ""

    def create(self) -> None:
        """Create the file empty (Sacred creates it when the run starts)."""
        atomic_write_text(self.path, "")
        self._length, self._head, self._tail = 0, "", ""

    def update(self, text: str) -> None:
        """Make the file hold exactly ``text``."""
        length = self._length
        if self._extends_written(text):
            if len(text) > length:
                append_text(self.path, text[length:])
        else:
            atomic_write_text(self.path, text)
        self._length = len(text)
        self._head = text[:HEAD_WINDOW]
        self._tail = text[max(len(text) - TAIL_WINDOW, 0):]

    def _extends_written(self, text: str) -> bool:
        length = self._length
        if len(text) < length:
            return False
        if not text.startswith(self._head):
            return False
        return text[length - len(self._tail):length] == self._tail
