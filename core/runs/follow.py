"""Provides TextTail and MetricsFollower: cheap incremental readers for runs still being written.

Both keep a byte offset, so each call costs time in proportion to what was added since the last
call, not to the size of the file. TextTail decodes UTF-8 across chunk boundaries (an incomplete
character waits for its remaining bytes) and starts over when the file is truncated or replaced.
MetricsFollower reads new lines of metrics.jsonl; for runs without that sidecar (real Sacred) it
re-reads metrics.json only when its (mtime, size) changed and returns the points past those it
already returned.

Neither ever raises for what is on disk: a missing file reads as empty, and a file that cannot be
read (a directory, a FIFO, a symlink loop, no permission) reads as empty with ``problem`` saying why.
"""
from __future__ import annotations

import codecs
import os
from pathlib import Path

from core.runs._jsonfile import JsonFileCache
from core.runs.safe_open import describe_error, open_regular
from core.runs.metrics import (MetricSeries, parse_metric_lines, parse_metrics_json,
                               split_complete_lines)

_READ_BLOCK = 1 << 20
"""Bytes of metrics.jsonl read and split into lines at once."""
_MAX_CONTINUATION = 3
"""A UTF-8 character has at most three continuation bytes after its first byte."""


def _is_continuation(byte: int) -> bool:
    return byte & 0xC0 == 0x80


class TextTail:
    """Follows a growing text file by byte offset; ``restarted`` tells that it started over."""

    def __init__(self, path: str | os.PathLike[str], start: int = 0) -> None:
        self.path = Path(path)
        self.restarted = False
        """True after a read_new() that found the file truncated or replaced and read it anew."""
        self.problem: str | None = None
        """Why the file could not be read at the latest call (None when it was read or is absent)."""
        self._offset = 0
        self._inode: int | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        if start:
            self.seek(start)

    @property
    def offset(self) -> int:
        """Bytes consumed so far (including an incomplete character held back)."""
        return self._offset

    def _open(self) -> int | None:
        """A descriptor of the file, or None (absent, or unreadable with ``problem`` set)."""
        try:
            fd = open_regular(self.path)
        except (FileNotFoundError, NotADirectoryError):
            self.problem = None
            return None
        except OSError as exc:
            self.problem = f"{self.path.name}: {describe_error(exc)}"
            return None
        self.problem = None
        return fd

    def _read_at(self, offset: int, count: int) -> bytes:
        """Bytes [offset, offset + count) of the file (b'' when it cannot be read)."""
        fd = self._open()
        if fd is None:
            return b""
        try:
            return os.pread(fd, count, offset)
        except OSError as exc:
            self.problem = f"{self.path.name}: {describe_error(exc)}"
            return b""
        finally:
            os.close(fd)

    def size(self) -> int:
        """Current size of the file in bytes (0 when it does not exist or cannot be read)."""
        fd = self._open()
        if fd is None:
            return 0
        try:
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def seek(self, offset: int) -> None:
        """Continue following from ``offset`` (moved forward to the next character start).

        Use it to open a huge file near its end: ``tail.seek(max(0, tail.size() - 65536))``.
        """
        if offset < 0:
            raise ValueError(f"TextTail.seek() needs an offset >= 0, got {offset}")
        self._decoder.reset()
        self._offset = offset
        if offset:
            self._offset = self._char_start(offset)
        self._inode = self._current_inode()

    def read_new(self, max_bytes: int | None = None) -> str:
        """Return the text appended since the last call ('' when nothing new or no file).

        ``max_bytes`` caps how much is read at once; call again to get the rest.
        """
        self.restarted = False
        fd = self._open()
        if fd is None:
            return ""
        try:
            st = os.fstat(fd)
            replaced = self._inode is not None and st.st_ino != self._inode
            if replaced or st.st_size < self._offset:
                self._offset = 0
                self._decoder.reset()
                self.restarted = True
            self._inode = st.st_ino
            if st.st_size == self._offset:
                return ""
            os.lseek(fd, self._offset, os.SEEK_SET)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(-1 if max_bytes is None else max_bytes)
        except OSError as exc:
            self.problem = f"{self.path.name}: {describe_error(exc)}"
            return ""
        finally:
            os.close(fd)
        self._offset += len(data)
        return self._decoder.decode(data)

    def read_range(self, start: int, end: int) -> str:
        """Return the text of bytes [start, end) without changing the followed offset.

        A character belongs to the range that holds its first byte, so consecutive ranges join up
        to exactly the whole text; invalid bytes become U+FFFD.
        """
        if start < 0 or end < start:
            raise ValueError(f"read_range() needs 0 <= start <= end, got start={start}, end={end}")
        data = self._read_at(start, end - start + _MAX_CONTINUATION)
        skip = 0
        if start:
            while skip < min(len(data), _MAX_CONTINUATION) and _is_continuation(data[skip]):
                skip += 1
        stop = min(end - start, len(data))
        extra = 0
        while stop + extra < len(data) and extra < _MAX_CONTINUATION and _is_continuation(data[stop + extra]):
            extra += 1
        return data[skip:stop + extra].decode("utf-8", errors="replace") if skip < stop + extra else ""

    def _char_start(self, offset: int) -> int:
        data = self._read_at(offset, _MAX_CONTINUATION)
        skip = 0
        while skip < len(data) and _is_continuation(data[skip]):
            skip += 1
        return offset + skip

    def _current_inode(self) -> int | None:
        fd = self._open()
        if fd is None:
            return None
        try:
            return os.fstat(fd).st_ino
        finally:
            os.close(fd)


class MetricsFollower:
    """Returns only the metric points added since the previous poll of one run directory."""

    def __init__(self, run_dir: str | os.PathLike[str]) -> None:
        self.dir = Path(run_dir)
        self.problem: str | None = None
        """What went wrong in the latest poll (a torn metrics.json, unreadable sidecar lines)."""
        self._returned: dict[str, int] = {}
        self._seen: dict[str, int] = {}
        self._last_step: dict[str, int] = {}
        self._offset = 0
        self._inode: int | None = None
        self._json = JsonFileCache()

    def reset(self) -> None:
        """Forget what was returned: the next poll returns every point again."""
        self._returned, self._seen, self._last_step = {}, {}, {}
        self._offset, self._inode = 0, None
        self._json = JsonFileCache()

    def poll(self) -> dict[str, MetricSeries]:
        """Return the new points per metric name (an empty dict when nothing was added)."""
        self.problem = None
        try:
            fd = open_regular(self.dir / "metrics.jsonl")
        except (FileNotFoundError, NotADirectoryError):
            return self._poll_json()
        except OSError as exc:
            # An unreadable sidecar: metrics.json still holds the points of the last flush.
            new = self._poll_json()
            sidecar_problem = f"metrics.jsonl: {describe_error(exc)}"
            self.problem = f"{self.problem}; {sidecar_problem}" if self.problem else sidecar_problem
            return new
        new: dict[str, MetricSeries] = {}
        bad = 0
        try:
            st = os.fstat(fd)
            if (self._inode is not None and st.st_ino != self._inode) or st.st_size < self._offset:
                self._offset = 0
                self._seen = {}
                self._last_step = {}
            self._inode = st.st_ino
            if st.st_size == self._offset:
                return {}
            os.lseek(fd, self._offset, os.SEEK_SET)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                held = b""
                while block := handle.read(_READ_BLOCK):
                    # A block at a time: splitting 100 MB into lines at once would hold the
                    # interpreter lock (and so every other thread) for a tenth of a second.
                    lines, used = split_complete_lines(held + block)
                    held = (held + block)[used:]
                    self._offset += used
                    bad += self._take_lines(lines, new)
        except OSError as exc:
            self.problem = f"metrics.jsonl: {describe_error(exc)}"
            return new  # the points of the blocks read before the error
        finally:
            os.close(fd)
        if bad:
            self.problem = f"metrics.jsonl: {bad} unreadable line(s) skipped"
        return new

    def _take_lines(self, lines: list[bytes], new: dict[str, MetricSeries]) -> int:
        """Add the points of ``lines`` not returned before to ``new``; returns how many lines were bad."""
        bad = 0
        for point in parse_metric_lines([line for line in lines if line.strip()]):
            if point is None:
                bad += 1
                continue
            name, step, stamp, value = point
            if step is None:
                step = self._last_step.get(name, -1) + 1
            self._last_step[name] = step
            seen = self._seen[name] = self._seen.get(name, 0) + 1
            if seen > self._returned.get(name, 0):
                self._returned[name] = seen
                series = new.get(name)
                if series is None:
                    series = new[name] = MetricSeries()
                series.append(step, stamp, value)
        return bad

    def _poll_json(self) -> dict[str, MetricSeries]:
        read = self._json.read(self.dir / "metrics.json", expect=dict)
        self.problem = read.problem
        if not read.changed or read.value is None:
            return {}
        all_series, _bad = parse_metrics_json(read.value)
        self._json.release(self.dir / "metrics.json")  # the points are returned: do not keep them twice
        new: dict[str, MetricSeries] = {}
        for name, series in all_series.items():
            done = self._returned.get(name, 0)
            if len(series) > done:
                new[name] = series.since(done) if done else series
                self._returned[name] = len(series)
        return new
