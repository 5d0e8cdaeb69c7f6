"""Provides MetricsFile: keeps a run's metrics.json complete and adds new points to metrics.jsonl.

metrics.json has Sacred's shape (``{name: {"steps", "timestamps", "values"}}``, sorted keys, indent 2)
and is replaced atomically at every write. A write costs time in proportion to the new points: their
text is encoded once, and the new file is the previous one with that text inserted at remembered byte
offsets (the old bytes are copied by the kernel, never decoded). metrics.jsonl receives one line per
new point, ``{"name", "step", "timestamp", "value"}``, always in whole lines. If metrics.json is not the
file this object wrote last (replaced or edited by someone else), it is parsed and rewritten in full.
"""
from __future__ import annotations

import json
import os
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from typing import IO, Any, Iterator

from core.observers.atomic import temp_path_for
from core.observers.metrics_text import (ITEM_SEP, iso_texts_from_ns, iso_texts_generic, jsonl_text,
                                         scalar_texts)

__all__ = ["MetricsFile"]

SLICE = 32768
"""Points encoded at once (bounds the memory of encoding a large batch)."""
SPILL_BYTES = 4 << 20
"""Text of one field kept in memory before it moves to an anonymous temporary file."""

_FIELDS = ("steps", "timestamps", "values")
_FIELD_HEADS = ('    "steps": [\n      ', '\n    ],\n    "timestamps": [\n      ',
                '\n    ],\n    "values": [\n      ')
_BLOCK_TAIL = "\n    ]\n  }"
_EMPTY = "{}"


class _Sink:
    """Text of one field's new items: in memory while small, else in an unnamed temporary file."""

    __slots__ = ("dir", "parts", "size", "file")

    def __init__(self, directory: str) -> None:
        self.dir = directory
        self.parts: list[bytes] = []
        self.size = 0
        self.file: IO[bytes] | None = None

    def add(self, text: str) -> None:
        data = (ITEM_SEP + text if self.size else text).encode("ascii")
        self.size += len(data)
        if self.file is not None:
            self.file.write(data)
            return
        self.parts.append(data)
        if self.size > SPILL_BYTES:
            self.file = tempfile.TemporaryFile(dir=self.dir)
            self.file.write(b"".join(self.parts))
            self.parts = []

    def write_to(self, out: IO[bytes]) -> None:
        if self.file is None:
            out.write(b"".join(self.parts))
            return
        self.file.flush()
        out.flush()
        _copy_range(self.file.fileno(), out.fileno(), 0, self.size)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _Block:
    """Where one metric sits in metrics.json: start of its block, end of each field's last item."""

    __slots__ = ("name", "start", "ends")

    def __init__(self, name: str, start: int, ends: list[int]) -> None:
        self.name = name
        self.start = start
        self.ends = ends


class MetricsFile:
    """Writer of ``<run_dir>/metrics.json`` and ``<run_dir>/metrics.jsonl`` for one run."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.json_path = os.path.join(run_dir, "metrics.json")
        self.jsonl_path = os.path.join(run_dir, "metrics.jsonl")
        self._blocks: list[_Block] = []  # sorted by name
        self._stat: tuple[int, int, int] | None = None  # (inode, size, mtime_ns) of our last write

    def ensure_exists(self) -> None:
        """Write ``{}`` unless metrics.json was written already (Sacred writes it at the first beat)."""
        if self._stat is None and not os.path.exists(self.json_path):
            self._replace(lambda out: out.write(_EMPTY.encode()), [])

    def add(self, metrics_by_name: Mapping) -> int:
        """Add the points of ``{name: {"steps", "values", "timestamps"}}``; returns how many."""
        entries = [(_key(name), series) for name, series in metrics_by_name.items() if _length(series)]
        if not entries:
            self.ensure_exists()
            return 0
        count = sum(_length(series) for _, series in entries)
        known = self._stat is not None
        if (known and not self._unchanged()) or (not known and os.path.exists(self.json_path)):
            parsed = _parsed_entries(self.json_path)
            self._blocks, self._stat = [], None
            self._encode_and_write(parsed + entries, skip_lines=len(parsed))
        else:
            self._encode_and_write(entries, skip_lines=0)
        return count

    # ------------------------------------------------------------------ encoding
    def _encode_and_write(self, entries: list[tuple[str, Any]], skip_lines: int) -> None:
        """Encode every entry; lines go to metrics.jsonl except for the first ``skip_lines`` entries."""
        merged: dict[str, list[_Sink]] = {}
        try:
            with open(self.jsonl_path, "ab") as lines_out:
                for index, (name, series) in enumerate(entries):
                    sinks = merged.get(name)
                    if sinks is None:
                        sinks = merged[name] = [_Sink(self.run_dir) for _ in _FIELDS]
                    for steps, stamps, values, lines in _encode(name, series):
                        sinks[0].add(steps)
                        sinks[1].add(stamps)
                        sinks[2].add(values)
                        if index >= skip_lines:
                            lines_out.write(lines.encode("ascii"))
            if not self._blocks:
                self._write_fresh(merged)
            else:
                self._write_edited(merged)
        finally:
            for sinks in merged.values():
                for sink in sinks:
                    sink.close()

    # ------------------------------------------------------------------ writing metrics.json
    def _write_fresh(self, merged: dict[str, list[_Sink]]) -> None:
        names = sorted(merged)
        blocks: list[_Block] = []

        def write(out: IO[bytes]) -> None:
            out.write(b"{\n")
            position = 2
            for number, name in enumerate(names):
                if number:
                    out.write(b",\n")
                    position += 2
                position = _write_block(out, position, name, merged[name], blocks)
            out.write(b"\n}")

        self._replace(write, blocks)

    def _write_edited(self, merged: dict[str, list[_Sink]]) -> None:
        blocks = self._blocks
        names = [block.name for block in blocks]
        size = self._stat[1]  # type: ignore[index]
        edits: list[tuple[int, int, Any]] = []  # (old offset, order, (name, sinks) | (field, sinks))
        for name, sinks in merged.items():
            at = bisect_left(names, name)
            if at < len(names) and names[at] == name:
                for field in range(3):
                    edits.append((blocks[at].ends[field], 0, (field, sinks[field])))
            elif at < len(names):
                edits.append((blocks[at].start, 1, (name, sinks)))
            else:
                edits.append((size - 2, 1, (name, sinks)))
        edits.sort(key=lambda edit: (edit[0], edit[1], edit[2][0]))
        new_blocks: list[_Block] = []
        offsets: list[int] = []
        shifts: list[int] = []

        def write(out: IO[bytes]) -> None:
            cursor = position = 0
            with open(self.json_path, "rb") as old:
                for offset, is_block, payload in edits:
                    position = _copy_old(old, out, cursor, offset, position)
                    cursor = offset
                    start = position
                    if not is_block:
                        out.write(ITEM_SEP.encode("ascii"))
                        payload[1].write_to(out)
                        position += len(ITEM_SEP) + payload[1].size
                    elif offset == size - 2:
                        out.write(b",\n")
                        position = _write_block(out, position + 2, payload[0], payload[1], new_blocks)
                    else:
                        position = _write_block(out, position, payload[0], payload[1], new_blocks)
                        out.write(b",\n")
                        position += 2
                    offsets.append(offset)
                    shifts.append(position - start + (shifts[-1] if shifts else 0))
                _copy_old(old, out, cursor, size, position)

        def moved(offset: int) -> int:
            index = bisect_right(offsets, offset)
            return offset + (shifts[index - 1] if index else 0)

        def relayout() -> list[_Block]:
            for block in blocks:
                block.start = moved(block.start)
                block.ends = [moved(end) for end in block.ends]
            return sorted(blocks + new_blocks, key=lambda block: block.name)

        self._replace(write, None, relayout)

    def _replace(self, write: Any, blocks: list[_Block] | None, relayout: Any = None) -> None:
        """Write a temp file with ``write(out)``, then atomically put it in place of metrics.json."""
        temp = temp_path_for(self.json_path)
        try:
            with open(temp, "wb") as out:
                write(out)
                out.flush()
                info = os.fstat(out.fileno())
            os.replace(temp, self.json_path)
        except BaseException:
            _remove_quietly(temp)
            raise
        self._blocks = relayout() if relayout is not None else (blocks or [])
        self._stat = (info.st_ino, info.st_size, info.st_mtime_ns)

    def _unchanged(self) -> bool:
        try:
            info = os.stat(self.json_path)
        except OSError:
            return False
        return (info.st_ino, info.st_size, info.st_mtime_ns) == self._stat


def _write_block(out: IO[bytes], position: int, name: str, sinks: list[_Sink],
                 into: list[_Block]) -> int:
    """Write one metric's block at ``position``; record its offsets in ``into``; return the end."""
    start = position
    head = f"  {json.dumps(name)}: {{\n".encode("ascii")
    out.write(head)
    position += len(head)
    ends = []
    for field, sink in enumerate(sinks):
        field_head = _FIELD_HEADS[field].encode("ascii")
        out.write(field_head)
        sink.write_to(out)
        position += len(field_head) + sink.size
        ends.append(position)
    out.write(_BLOCK_TAIL.encode("ascii"))
    into.append(_Block(name, start, ends))
    return position + len(_BLOCK_TAIL)


def _copy_old(old: IO[bytes], out: IO[bytes], start: int, stop: int, position: int) -> int:
    if stop > start:
        out.flush()
        _copy_range(old.fileno(), out.fileno(), start, stop - start)
    return position + max(stop - start, 0)


def _copy_range(src: int, dst: int, offset: int, count: int) -> None:
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


def _encode(name: str, series: Any) -> Iterator[tuple[str, str, str, str]]:
    """Slices of ``(steps text, timestamps text, values text, jsonl lines)`` for one metric."""
    fast = hasattr(series, "times_ns")
    if fast:
        steps_all, values_all, times_all = series.steps, series.values, series.times_ns
    else:
        steps_all, values_all, times_all = series["steps"], series["values"], series["timestamps"]
    for start in range(0, len(times_all), SLICE):
        stop = start + SLICE
        steps_block, steps_line = scalar_texts(steps_all[start:stop])
        values_block, values_line = scalar_texts(values_all[start:stop])
        stamp_slice = times_all[start:stop]
        stamps = iso_texts_from_ns(stamp_slice) if fast else iso_texts_generic(stamp_slice)
        yield (ITEM_SEP.join(steps_block), '"' + '",\n      "'.join(stamps) + '"',
               ITEM_SEP.join(values_block), jsonl_text(name, steps_line, stamps, values_line))


def _length(series: Any) -> int:
    if hasattr(series, "times_ns"):
        return len(series.times_ns)
    return min(len(series["steps"]), len(series["values"]), len(series["timestamps"]))


def _key(name: Any) -> str:
    return name if isinstance(name, str) else str(name)


def _parsed_entries(path: str) -> list[tuple[str, Any]]:
    """The metrics already in a metrics.json this object did not write (its new contents win)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ValueError(f"metrics.json at {path} is not valid JSON any more ({exc}); "
                         "it was changed outside this run. Remove it to let the run rewrite it.") from exc
    if not isinstance(data, dict):
        raise ValueError(f"metrics.json at {path} holds a {type(data).__name__}, expected an object")
    return [(str(name), _Parsed(entry)) for name, entry in data.items() if isinstance(entry, dict)]


class _Parsed(dict):
    """A metric read back from metrics.json (its timestamps are texts already)."""

    def __init__(self, entry: dict) -> None:
        super().__init__(steps=list(entry.get("steps", [])), values=list(entry.get("values", [])),
                         timestamps=list(entry.get("timestamps", [])))


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
