"""Provides MetricsFile: adds new points to metrics.jsonl at once, and to metrics.json at each beat.

``add`` encodes new points once: one line per point, ``{"name", "step", "timestamp", "value"}``, is
appended to metrics.jsonl right away (always whole lines; a failed append is cut back), and the items'
text for metrics.json waits (in memory while small, else in unnamed temporary files) for ``flush``.
metrics.json has Sacred's shape (``{name: {"steps", "timestamps", "values"}}``, sorted keys, indent 2)
and is replaced atomically at every ``flush``. A flush costs time in proportion to the new points: the
new file is the previous one with the waiting text inserted at remembered byte offsets (the old bytes
are copied by the kernel, never decoded). If metrics.json is not the file this object wrote last
(replaced or edited by someone else), it is parsed and rewritten in full.
"""
from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from typing import IO, Any, Iterator

from core.observers.atomic import temp_path_for
from core.observers.metrics_sinks import Field, Sink, close_all, copy_range, cut_quietly
from core.observers.metrics_text import (ITEM_SEP, encode_points, iso_texts_generic, jsonl_text,
                                         scalar_texts)

__all__ = ["MetricsFile"]

SLICE = 2048
"""Points encoded at once (bounds the memory of encoding a large batch)."""

_FIELDS = ("steps", "timestamps", "values")
_FIELD_HEADS = ('    "steps": [\n      ', '\n    ],\n    "timestamps": [\n      ',
                '\n    ],\n    "values": [\n      ')
_BLOCK_TAIL = "\n    ]\n  }"
_EMPTY = "{}"
_WRITE_BUFFER = 1 << 16


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
        self._waiting: dict[str, list[list[Sink]]] = {}  # name -> per batch: steps, stamps, values text
        self._held_lines: Sink | None = None  # metrics.jsonl lines of points added without them

    @property
    def waiting(self) -> bool:
        """Whether points were added that metrics.json does not hold yet."""
        return bool(self._waiting)

    def ensure_exists(self) -> None:
        """Write ``{}`` unless metrics.json was written already (Sacred writes it at the first beat)."""
        if self._stat is None and not os.path.exists(self.json_path):
            self._replace(lambda out: out.write(_EMPTY.encode()), [])

    def add(self, metrics_by_name: Mapping, write_lines: bool | None = True) -> int:
        """Append the points of ``{name: {"steps", "values", "timestamps"}}`` to metrics.jsonl and keep
        them for the next ``flush``; returns how many. Nothing is kept or written if encoding fails.

        ``write_lines=False`` holds the lines back until ``write_held_lines`` (a run that may still
        last); ``None`` makes no lines at all (a run that ended before anyone could follow it live:
        its metrics.json has every point)."""
        entries = [(_key(name), series) for name, series in metrics_by_name.items() if _length(series)]
        if not entries:
            return 0
        if self._held_lines is not None and write_lines:
            self.write_held_lines()
        encoded = self._encode(entries, write_lines=write_lines)
        for name, sinks in encoded.items():
            batches = self._waiting.setdefault(name, [])
            if not batches:
                batches.append(sinks)
                continue
            for mine, new in zip(batches[-1], sinks):  # one set of sinks (temporary files) per metric
                mine.add_sink(new, separator=ITEM_SEP)
        return sum(_length(series) for _, series in entries)

    def flush(self) -> bool:
        """Bring metrics.json up to date (``{}`` if nothing was ever added); True if it was rewritten."""
        if not self._waiting:
            self.ensure_exists()
            return False
        waiting = self._waiting
        try:
            known = self._stat is not None
            if (known and not self._unchanged()) or (not known and os.path.exists(self.json_path)):
                # points already stored by someone else: metrics.json only, never new metrics.jsonl lines
                parsed = self._encode(_parsed_entries(self.json_path), write_lines=None)
                for name, sinks in parsed.items():
                    waiting.setdefault(name, []).insert(0, sinks)
                self._blocks, self._stat = [], None
            fields = {name: [Field([sinks[field] for sinks in batches]) for field in range(3)]
                      for name, batches in waiting.items()}
            if not self._blocks:
                self._write_fresh(fields)
            else:
                self._write_edited(fields)
        finally:
            self._waiting = {}
            close_all(waiting)
        return True

    def write_held_lines(self) -> None:
        """Append the metrics.jsonl lines held back so far."""
        held, self._held_lines = self._held_lines, None
        if held is None:
            return
        try:
            with open(self.jsonl_path, "ab") as lines_out:
                start = os.fstat(lines_out.fileno()).st_size
                try:
                    held.write_to(lines_out)
                    lines_out.flush()
                except BaseException:
                    cut_quietly(lines_out, start)
                    raise
        finally:
            held.close()

    def close(self) -> None:
        """Forget points still waiting (their temporary files go away)."""
        waiting, self._waiting = self._waiting, {}
        close_all(waiting)
        held, self._held_lines = self._held_lines, None
        if held is not None:
            held.close()

    # ------------------------------------------------------------------ encoding
    def _encode(self, entries: list[tuple[str, Any]], write_lines: bool | None) -> dict[str, list[Sink]]:
        """Encode every entry into new sinks; its metrics.jsonl lines as ``add`` says."""
        encoded: dict[str, list[Sink]] = {}
        lines_out = open(self.jsonl_path, "ab") if write_lines is True else None
        start = os.fstat(lines_out.fileno()).st_size if lines_out is not None else 0
        held = Sink(self.run_dir) if write_lines is False else None
        try:
            for name, series in entries:
                sinks = encoded.get(name)
                if sinks is None:
                    sinks = encoded[name] = [Sink(self.run_dir) for _ in _FIELDS]
                for steps, stamps, values, lines in _encode(name, series, write_lines is not None):
                    sinks[0].add(steps)
                    sinks[1].add(stamps)
                    sinks[2].add(values)
                    if lines_out is not None:
                        lines_out.write(lines.encode("ascii"))
                    elif held is not None:
                        held.add(lines, separator="")
            if lines_out is not None:
                lines_out.flush()
        except BaseException:
            close_all({name: [sinks] for name, sinks in encoded.items()})
            if held is not None:
                held.close()
            if lines_out is not None:
                cut_quietly(lines_out, start)
            raise
        finally:
            if lines_out is not None:
                try:
                    lines_out.close()
                except OSError:
                    pass
        if held is not None:
            if self._held_lines is None:
                self._held_lines = held
            else:
                self._held_lines.add_sink(held)
        return encoded

    # ------------------------------------------------------------------ writing metrics.json
    def _write_fresh(self, merged: dict[str, list[Field]]) -> None:
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

    def _write_edited(self, merged: dict[str, list[Field]]) -> None:
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
            with open(temp, "wb", buffering=_WRITE_BUFFER) as out:  # a small file in one write call
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


def _write_block(out: IO[bytes], position: int, name: str, sinks: list[Field],
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
        copy_range(old.fileno(), out.fileno(), start, stop - start)
    return position + max(stop - start, 0)


def _encode(name: str, series: Any, lines: bool = True) -> Iterator[tuple[str, str, str, str]]:
    """Slices of ``(steps text, timestamps text, values text, jsonl lines)`` for one metric (the
    lines empty unless ``lines``)."""
    if hasattr(series, "times_us"):
        steps_all, values_all, times_all = series.steps, series.values, series.times_us
        for start in range(0, len(times_all), SLICE):
            stop = start + SLICE
            yield encode_points(name, steps_all[start:stop], values_all[start:stop], times_all[start:stop],
                                lines=lines)
        return
    steps_all, values_all, times_all = series["steps"], series["values"], series["timestamps"]
    for start in range(0, _length(series), SLICE):
        stop = start + SLICE
        steps_block, steps_line = scalar_texts(steps_all[start:stop])
        values_block, values_line = scalar_texts(values_all[start:stop])
        stamps = iso_texts_generic(times_all[start:stop])
        yield (ITEM_SEP.join(steps_block), '"' + '",\n      "'.join(stamps) + '"',
               ITEM_SEP.join(values_block), jsonl_text(name, steps_line, stamps, values_line) if lines else "")


def _length(series: Any) -> int:
    if hasattr(series, "times_us"):
        return len(series.times_us)
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
