"""Provides the waiting text of metric points: Sink (one field's items, spilled to an unnamed temporary
file once large) and Field (one field over several batches), plus the byte copies they need.

metrics.json is rebuilt at each beat from its previous bytes and the new items' text; the text waits here
between beats, in memory only while small, so a run's memory does not grow with its points.
"""
from __future__ import annotations

import os
import tempfile
from typing import IO

from core.observers.metrics_text import ITEM_SEP

__all__ = ["SPILL_BYTES", "Field", "Sink", "close_all", "copy_range", "cut_quietly"]

SPILL_BYTES = 64 << 10
"""Text of one field of one batch kept in memory before it moves to an anonymous temporary file."""
ITEM_SEP_BYTES = ITEM_SEP.encode("ascii")


class Sink:
    """Text of one field's new items: in memory while small, else in an unnamed temporary file."""

    __slots__ = ("dir", "parts", "size", "file")

    def __init__(self, directory: str) -> None:
        self.dir = directory
        self.parts: list[bytes] = []
        self.size = 0
        self.file: IO[bytes] | None = None

    def add(self, text: str, separator: str = ITEM_SEP) -> None:
        if self.size and separator:
            self.add_bytes(separator.encode("ascii"))
        self.add_bytes(text.encode("ascii"))  # not joined first: the text may be megabytes

    def add_bytes(self, data: bytes) -> None:
        self.size += len(data)
        if self.file is not None:
            self.file.write(data)
            return
        self.parts.append(data)
        if self.size > SPILL_BYTES:
            self.file = tempfile.TemporaryFile(dir=self.dir)
            self.file.write(b"".join(self.parts))
            self.parts = []

    def add_sink(self, other: Sink, separator: str = "") -> None:
        """Append another sink's bytes (after ``separator`` if both hold something) and close it."""
        if separator and self.size and other.size:
            self.add_bytes(separator.encode("ascii"))
        if other.file is None:
            self.add_bytes(b"".join(other.parts))
        else:
            other.file.seek(0)
            for chunk in iter(lambda: other.file.read(1 << 20), b""):  # type: ignore[union-attr]
                self.add_bytes(chunk)
        other.close()

    def write_to(self, out: IO[bytes]) -> None:
        if self.file is None:
            out.write(b"".join(self.parts))
            return
        self.file.flush()
        out.flush()
        copy_range(self.file.fileno(), out.fileno(), 0, self.size)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class Field:
    """One field's waiting text over several batches, written as one list body (items joined by commas)."""

    __slots__ = ("sinks", "size")

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = [sink for sink in sinks if sink.size]
        self.size = sum(sink.size for sink in self.sinks) + len(ITEM_SEP) * max(len(self.sinks) - 1, 0)

    def write_to(self, out: IO[bytes]) -> None:
        for number, sink in enumerate(self.sinks):
            if number:
                out.write(ITEM_SEP_BYTES)
            sink.write_to(out)


def copy_range(src: int, dst: int, offset: int, count: int) -> None:
    """Copy ``count`` bytes from ``src`` at ``offset`` to the current position of ``dst``."""
    while count > 0:
        try:
            sent = os.sendfile(dst, src, offset, count)
        except (AttributeError, OSError):
            sent = _copy_by_reading(src, dst, offset, count)
        if sent == 0:
            raise OSError(f"metrics.json: unexpected end of data while copying {count} bytes at {offset}")
        offset += sent
        count -= sent


def _copy_by_reading(src: int, dst: int, offset: int, count: int) -> int:
    data = os.pread(src, min(count, 1 << 20), offset)
    view = memoryview(data)
    while view:
        view = view[os.write(dst, view):]
    return len(data)


def close_all(waiting: dict[str, list[list[Sink]]]) -> None:
    for batches in waiting.values():
        for sinks in batches:
            for sink in sinks:
                sink.close()


def cut_quietly(handle: IO[bytes], size: int) -> None:
    """Cut a partly appended file back to ``size`` (a failed append leaves no half line)."""
    try:
        handle.flush()
    except OSError:
        pass
    try:
        os.ftruncate(handle.fileno(), size)
    except OSError:
        pass
