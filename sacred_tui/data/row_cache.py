"""Provides the rows cache: the rows of finished runs, kept between openings of a runs folder.

Reading 20,000 runs parses some 60,000 JSON files (many seconds of CPU); most runs are finished and
never change again. So after a load the rows of finished runs are written to one extra file,
``<runs folder>/_sacred-tui/rows-cache.txt``, and the next opening takes a run's row from it when
none of the files the row is made of changed. Sacred's own files are never touched.

A wrong row is worse than a slow one, so a kept row is trusted only when:

* every file it is made of (run.json, config.json, metrics.json, metrics.jsonl, the note file) has
  the same inode, size, modification time and change time as when it was read (the change time is
  set by the kernel on every write, rename or copy: tools that restore modification times cannot
  fake it), and absent files are still absent;
* those files were last written well before they were stated (:data:`RACY_SECONDS`): two writes
  within one tick of the file system's clock could leave equal stamps;
* the row is a finished run's (not running, never waiting, no problem to report) and decodes back
  to exactly the row that was read;
* its line is whole (each line carries a CRC; a torn or damaged file costs only the lines it hits).

The file is replaced atomically, so apps sharing a folder each read a whole file; the last one to
finish a load wins, and every version is correct for the files it stamps.
"""
from __future__ import annotations

import json
import logging
import os
import stat
import sys
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from core.observers.atomic import atomic_write_bytes
from core.observers.retired_ids import RETIRED_IDS_DIR
from core.runs import CONFIG_JSON, METRICS_JSON, METRICS_JSONL, RUN_JSON, RunStamp
from core.runs.fast_json import loads_shallow
from core.runs.layout import TRACKED_FILES
from core.runs.safe_open import read_regular
from sacred_tui.data.annotations import ANNOTATIONS_FILE
from sacred_tui.data.liveness import is_running
from sacred_tui.data.processes import ProcessInfo
from sacred_tui.data.rows import NO_PROCESS, MetricSummary, RunRow

logger = logging.getLogger("sacred_tui.data.store")

CACHE_FILE = "rows-cache.txt"
"""Name of the cache inside ``<runs folder>/_sacred-tui/``."""

HEADER = "sacred-tui rows cache 1"
"""First line of the file; a file with another first line (another format version) is not read."""

RACY_SECONDS = 60.0
"""A row is kept only if its files were written at least this long before they were stated."""

MAX_CACHE_BYTES = 1 << 30
"""A bigger cache file is not read (it cannot be one of ours for a folder that fits in memory)."""

KEY_FILES: tuple[str, ...] = (RUN_JSON, CONFIG_JSON, METRICS_JSON, METRICS_JSONL, ANNOTATIONS_FILE)
"""The files a finished run's row is made of."""

_STATED = (*TRACKED_FILES, *(name for name in KEY_FILES if name not in TRACKED_FILES))
_TRACKED_COUNT = len(TRACKED_FILES)
_KEY_INDEXES = tuple(_STATED.index(name) for name in KEY_FILES)
_FIELDS = 18
"""Entries of a row's payload (see :func:`encode_row`)."""


def cache_path(folder: str | os.PathLike[str]) -> Path:
    """Where the rows cache of a runs folder lives."""
    return Path(folder) / RETIRED_IDS_DIR / CACHE_FILE


def stamp_with_key(run_dir: str, racy_before_ns: int) -> tuple[RunStamp, str | None]:
    """Stat a run's files once: its :class:`RunStamp` and its cache key.

    The key is None when a file of the row was written (or changed) after ``racy_before_ns``: such
    a row is neither taken from the cache nor kept in it.
    """
    stats: list[os.stat_result | None] = []
    for name in _STATED:
        try:
            stats.append(os.stat(f"{run_dir}/{name}"))
        except OSError:
            stats.append(None)
    stamp = RunStamp(tuple(None if st is None else (st.st_mtime_ns, st.st_size) for st in stats[:_TRACKED_COUNT]))
    parts = []
    for index in _KEY_INDEXES:
        st = stats[index]
        if st is None:
            parts.append("-")
            continue
        if st.st_mtime_ns >= racy_before_ns or st.st_ctime_ns >= racy_before_ns:
            return stamp, None
        parts.append(f"{st.st_ino}.{st.st_size}.{st.st_mtime_ns}.{st.st_ctime_ns}")
    return stamp, ",".join(parts)


def cacheable(row: RunRow) -> bool:
    """True for the rows of finished runs with nothing to report (the only ones kept)."""
    return (not row.problems and row.queue is None and row.start is not None
            and not is_running(row.status) and row.status != "QUEUED")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def encode_row(row: RunRow) -> str:
    """The row as one line of ASCII JSON (what is kept; run id, times of files and liveness aside)."""
    metrics = {name: [summary.last, summary.min, summary.max, summary.count] for name, summary in row.metrics.items()}
    payload = [row.status, row.experiment, row.command, list(row.named_configs), _iso(row.start),
               _iso(row.stop), _iso(row.heartbeat), row.host, row.result, row.result_text, row.comment,
               row.beat_interval, row.process.pid, row.config, metrics, row.note, list(row.tags), row.archived]
    return json.dumps(payload, separators=(",", ":"))


def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("not a text")
    return sys.intern(value) if len(value) <= 64 else value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return tuple(_text(item) for item in value)


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(_text(value))


def _number(value: Any) -> float | None:
    if value is None or type(value) is float or type(value) is int:
        return value
    raise ValueError("not a number")


def _leaf(value: Any) -> Any:
    # The inverse of the row's config flattening: lists were tuples, strings shared.
    if isinstance(value, list):
        return tuple(_leaf(item) for item in value)
    if isinstance(value, str) and len(value) <= 64:
        return sys.intern(value)
    return value


def _config(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError("config is not an object")
    config = {}
    intern = sys.intern
    for key, leaf in value.items():
        kind = type(leaf)
        if kind is str:
            leaf = intern(leaf) if len(leaf) <= 64 else leaf
        elif kind is list:
            leaf = _leaf(leaf)
        config[intern(key)] = leaf
    return config


def _metrics(value: Any) -> dict[str, MetricSummary]:
    if type(value) is not dict:
        raise ValueError("metrics are not an object")
    metrics = {}
    for name, entry in value.items():
        if type(entry) is not list or len(entry) != 4 or type(entry[3]) is not int:
            raise ValueError("not a metric summary")
        last, low, high, count = entry
        metrics[sys.intern(name)] = MetricSummary(_number(last), _number(low), _number(high), count)
    return metrics


def decode_row(run_id: str, payload: Any, *, last_write: float | None, now: float) -> RunRow:
    """The row kept as ``payload`` (a parsed :func:`encode_row`); raises ValueError when it is not one."""
    if type(payload) is not list or len(payload) != _FIELDS:
        raise ValueError("not a kept row")
    (status, experiment, command, named, start, stop, heartbeat, host, result, result_text, comment,
     beat_interval, pid, config, metrics, note, tags, archived) = payload
    if _number(beat_interval) is None or type(archived) is not bool or not (pid is None or type(pid) is int):
        raise ValueError("not a kept row")
    row = RunRow(run_id=run_id, status=_text(status), experiment=_text(experiment), command=_text(command),
                 named_configs=_texts(named), start=_moment(start), stop=_moment(stop),
                 heartbeat=_moment(heartbeat), host=_text(host), result=result, result_text=_text(result_text),
                 comment=_text(comment), beat_interval=beat_interval, last_write=last_write,
                 process=NO_PROCESS if pid is None else ProcessInfo(pid), config=_config(config),
                 metrics=_metrics(metrics), note=_text(note), tags=_texts(tags), archived=archived)
    # Only finished runs are kept, and their liveness is "not running" at any time: not judged again.
    return row if not is_running(row.status) else row.with_liveness(now)


def _crc(run_id: str, key: str, payload: str) -> str:
    return format(zlib.crc32("\t".join((run_id, key, payload)).encode("ascii")), "08x")


class RowCache:
    """The kept rows of one runs folder, as read from its cache file (empty when there is none)."""

    def __init__(self, lines: Mapping[str, str] | None = None) -> None:
        self._lines = dict(lines or {})
        """Encoded run id -> its whole line (checked when the run is looked up)."""

    def __len__(self) -> int:
        return len(self._lines)

    @classmethod
    def read(cls, folder: str | os.PathLike[str]) -> RowCache:
        """Read the cache of ``folder``; a missing, foreign or unreadable file gives an empty cache."""
        path = cache_path(folder)
        try:
            text = read_regular(path, MAX_CACHE_BYTES + 1, inside=os.fspath(folder)).decode("ascii")
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            logger.info("rows cache %s not read: %s", path, exc)
            return cls()
        lines = text.split("\n")
        if len(text) > MAX_CACHE_BYTES or lines[0] != HEADER:
            return cls()
        return cls({line.partition("\t")[0]: line for line in lines[1:] if line})

    def part(self, run_ids: Iterable[str]) -> RowCache:
        """The lines of these runs only (what a reading process needs for its part of a batch)."""
        lines = self._lines
        wanted = (json.dumps(run_id) for run_id in run_ids)
        return RowCache({encoded: lines[encoded] for encoded in wanted if encoded in lines})

    def kept_row(self, run_id: str, key: str, *, last_write: float | None,
                 now: float) -> tuple[RunRow, str] | None:
        """The kept row of one run and its payload (None: no whole, current, valid line for it)."""
        payload = self.payload(run_id, key)
        if payload is None:
            return None
        try:
            row = decode_row(run_id, loads_shallow(payload), last_write=last_write, now=now)
        except (ValueError, TypeError, RecursionError):
            return None
        return (row, payload) if cacheable(row) else None

    def payload(self, run_id: str, key: str) -> str | None:
        """The kept payload of a run whose files have this key (None: none, stale or damaged)."""
        encoded = json.dumps(run_id)
        line = self._lines.get(encoded)
        if line is None:
            return None
        parts = line.split("\t")
        if len(parts) != 4 or parts[1] != key:
            return None
        _encoded, _key, crc, payload = parts
        try:
            if _crc(encoded, key, payload) != crc:
                return None
        except UnicodeEncodeError:
            return None
        return payload


def kept_line(run_id: str, key: str, payload: str) -> str:
    """One line of the cache file."""
    encoded = json.dumps(run_id)
    return f"{encoded}\t{key}\t{_crc(encoded, key, payload)}\t{payload}"


def verified_payload(row: RunRow, *, now: float) -> str | None:
    """The payload of a freshly read row, or None when it is not kept (not finished, or it would
    not decode to exactly this row: a NaN, a value of a type JSON does not keep)."""
    if not cacheable(row):
        return None
    try:
        payload = encode_row(row)
        again = decode_row(row.run_id, json.loads(payload), last_write=row.last_write, now=now)
    except (ValueError, TypeError, RecursionError):
        return None
    return payload if again == row else None


def write_cache(folder: str | os.PathLike[str], lines: Iterable[str]) -> bool:
    """Replace the cache file of ``folder`` with these lines; False when it cannot be written.

    Nothing is written through a ``_sacred-tui`` that is not a plain directory of the folder.
    """
    directory = cache_path(folder).parent
    try:
        try:
            info = os.lstat(directory)
        except FileNotFoundError:
            os.mkdir(directory)
            info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode):
            logger.info("rows cache not written: %s is not a directory", directory)
            return False
        atomic_write_bytes(cache_path(folder), "\n".join([HEADER, *lines, ""]).encode("ascii"))
    except OSError as exc:
        logger.info("rows cache not written to %s: %s", directory, exc)
        return False
    return True
