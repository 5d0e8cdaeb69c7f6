"""Provides CoutFile: keeps a run's cout.txt equal to the captured output, at a cost in proportion to what changed.

Two ways in:

- ``progress(appended, unfinished)``: final text is appended; the unfinished last line (a ``\\r``
  progress bar being redrawn) is written over the previous one in place, so a run printing gigabytes
  never rewrites or holds what it printed before.
- ``update(text)``: the whole text (a custom ``captured_out_filter`` may rewrite anything). When it
  extends what was written, only the new part is appended; otherwise the file is replaced atomically.
  The check compares a window at the start and at the end of what was written, never megabytes.

A write that fails (a full disk) is undone by cutting the file back to its previous end, so cout.txt
never ends in a half-written piece.
"""
from __future__ import annotations

import os

from core.observers.atomic import append_text, atomic_write_text, encode_utf8

__all__ = ["CoutFile"]

HEAD_WINDOW = 1024
TAIL_WINDOW = 8192


class CoutFile:
    """The cout.txt of one run."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._length = 0  # characters of output the file holds (update)
        self._head = ""
        self._tail = ""
        self._final_bytes = 0  # bytes of final text in the file (progress)
        self._unfinished = b""  # the unfinished end as written (progress)
        self._created = False

    def create(self) -> None:
        """Create the file empty (Sacred creates it when the run starts); an empty file needs no
        temporary name to appear complete."""
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        self._reset()
        self._created = True

    def _reset(self) -> None:
        self._length, self._head, self._tail = 0, "", ""
        self._final_bytes, self._unfinished = 0, b""

    # ------------------------------------------------------------------ changes
    def progress(self, appended: str, unfinished: str) -> None:
        """Add final text and replace the unfinished end."""
        data = encode_utf8(appended) if appended else b""
        tail = encode_utf8(unfinished) if unfinished else b""
        if not data and tail == self._unfinished:
            return
        self._length = -1  # the text-window bookkeeping of ``update`` no longer applies
        flags = os.O_WRONLY | (0 if self._created else os.O_CREAT)
        fd = os.open(self.path, flags, 0o666)
        try:
            start = self._final_bytes
            old_end = start + len(self._unfinished)
            try:
                _write_all_at(fd, data + tail, start)
                end = start + len(data) + len(tail)
                if end < old_end:
                    os.ftruncate(fd, end)
            except OSError:
                _cut_quietly(fd, start)  # back to the end of the final text: never a half-written piece
                self._unfinished = b""
                raise
        finally:
            os.close(fd)
        self._created = True
        self._final_bytes = start + len(data)
        self._unfinished = tail

    def update(self, text: str) -> None:
        """Make the file hold exactly ``text``."""
        length = self._length
        if length >= 0 and self._extends_written(text):
            if len(text) > length:
                size = _size(self.path)
                try:
                    append_text(self.path, text[length:])
                except OSError:
                    if size is not None:
                        _cut_path_quietly(self.path, size)
                    raise
        else:
            atomic_write_text(self.path, text)
        self._created = True
        self._length = len(text)
        self._head = text[:HEAD_WINDOW]
        self._tail = text[max(len(text) - TAIL_WINDOW, 0):]
        self._final_bytes, self._unfinished = _size(self.path) or 0, b""

    def _extends_written(self, text: str) -> bool:
        length = self._length
        if len(text) < length:
            return False
        if not text.startswith(self._head):
            return False
        return text[length - len(self._tail):length] == self._tail

    def read(self) -> str:
        """The output as stored (lone surrogates written as their escapes come back as text)."""
        try:
            with open(self.path, "rb") as handle:
                return handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _write_all_at(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _cut_quietly(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass


def _cut_path_quietly(path: str, size: int) -> None:
    try:
        os.truncate(path, size)
    except OSError:
        pass
