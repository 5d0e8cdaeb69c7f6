"""Provides RunRow, the small per-run summary the runs table, the filter and the sort work on.

A RunRow is built from what the stored run files say and holds only what a table row needs, so
that tens of thousands of runs fit in memory: the config is flattened to its scalar leaves (dotted
keys, interned so every run shares the key strings), metrics are reduced to last/min/max.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from operator import attrgetter
from typing import Any

from core.runs import numeric_run_id, parse_timestamp
from core.runs.quick_pickle import pickled_by_fields
from sacred_tui.data.annotations import NOTHING, Annotations
from sacred_tui.data.format import MAX_DEPTH, MISSING, plain_value, summarize_result
from sacred_tui.data.liveness import (NOT_APPLICABLE, Liveness, assess, beat_interval_from_options,
                                      is_running, run_duration)
from sacred_tui.data.processes import ProcessInfo
from sacred_tui.data.queue_view import QueueView, scheduler_liveness, shown_status

NO_PROCESS = ProcessInfo()

MAX_CONFIG_LEAVES = 400
"""Config leaves kept per run; huge configs are cut so one run cannot eat the memory budget."""

MAX_VALUE_CHARS = 200
"""Longer string config values are cut (they are only shown and filtered, never written back)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Last, smallest and largest finite value of one metric, and how many points it has."""

    last: float | None
    min: float | None
    max: float | None
    count: int

    @classmethod
    def of(cls, values: Iterable[float | None]) -> MetricSummary:
        """Summarise a sequence of values (None, NaN and infinities are not counted as extremes)."""
        last: float | None = None
        low = high = None
        count = 0
        for value in values:
            count += 1
            last = value
            if value is None or not math.isfinite(value):
                continue
            if low is None or value < low:
                low = value
            if high is None or value > high:
                high = value
        return cls(last, low, high, count)

    def stat(self, name: str) -> float | None:
        """Return ``last``, ``min`` or ``max`` by name."""
        return getattr(self, name) if name in ("last", "min", "max") else None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RunRow:
    """What the runs table knows about one run. Times are naive UTC."""

    run_id: str
    status: str = "?"
    experiment: str = ""
    command: str = ""
    named_configs: tuple[str, ...] = ()
    start: datetime | None = None
    stop: datetime | None = None
    heartbeat: datetime | None = None
    host: str = ""
    result: Any = None
    result_text: str = MISSING
    comment: str = ""
    beat_interval: float = 10.0
    last_write: float | None = None
    process: ProcessInfo = NO_PROCESS
    """What process.json recorded (pid, host, interpreter, start ticks); empty when nothing."""
    problems: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, MetricSummary] = field(default_factory=dict)
    liveness: Liveness = NOT_APPLICABLE
    queue: QueueView | None = None
    """What queue.json and slurm.json say, for queued, never started and SLURM runs (else None)."""
    note: str = ""
    """The user's note (from the project's own extra file, not Sacred's meta.comment)."""
    tags: tuple[str, ...] = ()
    archived: bool = False

    @property
    def shown_status(self) -> str:
        """The status as shown, liveness aside: PENDING, CANCELLED, TIMEOUT ... or the stored one."""
        if self.queue is None and self.start is not None:
            return self.status
        return shown_status(self.status, self.start, self.queue)

    @property
    def display_status(self) -> str:
        """The status as shown: ``DEAD`` for a RUNNING run that is probably dead."""
        return "DEAD" if self.liveness.dead else self.shown_status

    @property
    def running(self) -> bool:
        """True while run.json says RUNNING and no stop time is recorded."""
        return is_running(self.status) and self.stop is None

    def duration(self, now: float) -> float | None:
        """Seconds the run ran: see :func:`~sacred_tui.data.liveness.run_duration`."""
        return run_duration(self.status, self.start, self.stop, self.heartbeat, self.liveness, now)

    def with_liveness(self, now: float) -> RunRow:
        """Return this row with liveness judged at ``now`` (the same object if unchanged)."""
        judged = assess(self.status, heartbeat=self.heartbeat, start=self.start,
                        last_write=self.last_write, beat_interval=self.beat_interval, now=now,
                        hostname=self.host or None, process=self.process)
        judged = scheduler_liveness(judged, self.queue)
        return self if judged == self.liveness else replace(self, liveness=judged)

    def with_details(self, config: Mapping[str, Any], metrics: Mapping[str, MetricSummary],
                     problems: tuple[str, ...]) -> RunRow:
        """This row with the config, metrics and problems the second pass read (``replace`` is
        three times slower, which counts at 20,000 rows)."""
        values = list(_row_values(self))
        values[_CONFIG_AT], values[_METRICS_AT], values[_PROBLEMS_AT] = config, metrics, problems
        return RunRow(*values)


_ROW_FIELDS = tuple(f.name for f in fields(RunRow))
_row_values = attrgetter(*_ROW_FIELDS)
_CONFIG_AT, _METRICS_AT, _PROBLEMS_AT = (_ROW_FIELDS.index(name) for name in ("config", "metrics", "problems"))


def run_id_sort_key(run_id: str) -> tuple[int, int, str]:
    """Sort numeric ids by value (2 before 10) and put named ids after them."""
    number = numeric_run_id(run_id)
    return (1, 0, run_id) if number is None else (0, number, "")


def _leaf(value: Any) -> Any:
    if isinstance(value, str):
        # Runs of a sweep repeat the same texts ("adam", "/data/cifar10"): share one copy.
        return sys.intern(value) if len(value) <= 64 else value[:MAX_VALUE_CHARS]
    if isinstance(value, list):
        return tuple(_leaf(item) for item in value[:50])
    return value


def flatten_config(config: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a stored config into ``{"optim.lr": 0.01, ...}`` over its leaves.

    jsonpickle shapes become plain values first; ``__doc__`` entries are skipped; lists are kept
    as (short) tuples. At most :data:`MAX_CONFIG_LEAVES` leaves are kept.
    """
    if not isinstance(config, Mapping):
        return {}
    flat: dict[str, Any] = {}
    if type(config) is dict and not any(tag in config for tag in _TAGS) and _walk_plain(config, prefix, flat, 0):
        return flat
    # A jsonpickle shape (or a very deep config): make it plain first, then walk that.
    flat = {}
    _walk_any(plain_value(config), prefix, flat)
    return flat


_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Leaf types that :func:`plain_value` returns as they are (checked first: they are most leaves)."""

_TAGS = ("py/object", "py/tuple", "py/set", "py/function", "py/type", "py/mod")
"""Keys that make :func:`~sacred_tui.data.format.plain_value` change a dict."""


def _walk_plain(node: Mapping[str, Any], path: str, flat: dict[str, Any], depth: int) -> bool:
    """Flatten a config that needs no :func:`plain_value` (the usual case) straight into ``flat``;
    False as soon as a part would be changed by it (``flat`` is then incomplete)."""
    intern = sys.intern
    for key, value in node.items():
        if len(flat) >= MAX_CONFIG_LEAVES:
            return True
        if key == "__doc__":
            continue
        dotted = f"{path}.{key}" if path else str(key)
        if type(value) in _SCALARS:
            flat[intern(dotted)] = _leaf(value)
        elif isinstance(value, dict):
            if depth + 1 >= MAX_DEPTH or any(tag in value for tag in _TAGS):
                return False
            if value:
                if not _walk_plain(value, dotted, flat, depth + 1):
                    return False
                continue
            flat[intern(dotted)] = _leaf(value)
        elif isinstance(value, Mapping):
            return False
        else:
            flat[intern(dotted)] = _leaf(plain_value(value, depth + 1) if isinstance(value, list) else value)
    return True


def _walk_any(node: Any, path: str, flat: dict[str, Any]) -> None:
    if len(flat) >= MAX_CONFIG_LEAVES:
        return
    if isinstance(node, Mapping) and node:
        for key, value in node.items():
            if key == "__doc__":
                continue
            _walk_any(value, f"{path}.{key}" if path else str(key), flat)
    elif path:
        flat[sys.intern(path)] = _leaf(node)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _block(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _pid_of(raw: Mapping[str, Any]) -> int | None:
    for block in (raw.get("host"), raw.get("meta")):
        if isinstance(block, Mapping):
            pid = block.get("pid")
            if isinstance(pid, int) and not isinstance(pid, bool):
                return pid
    return None


def _process(recorded: ProcessInfo | None, raw: Mapping[str, Any]) -> ProcessInfo:
    if recorded is not None and recorded.pid is not None:
        return recorded
    pid = _pid_of(raw)
    return ProcessInfo(pid) if pid is not None else NO_PROCESS


def row_from_run_json(
    run_id: str,
    raw: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
    metrics: Mapping[str, MetricSummary] | None = None,
    problems: Iterable[str] = (),
    last_write: float | None = None,
    process: ProcessInfo | None = None,
    queue: QueueView | None = None,
    annotations: Annotations = NOTHING,
    now: float,
) -> RunRow:
    """Build a row from a parsed run.json (any shape: wrong types read as missing).

    ``process`` is what process.json recorded, when there is one.

    Reads only the dozen fields a row shows, which keeps loading a big folder fast.
    """
    experiment = _block(raw, "experiment")
    meta = _block(raw, "meta")
    named = meta.get("named_configs")
    options = meta.get("options")
    result = plain_value(raw["result"]) if "result" in raw else None
    row = RunRow(
        run_id=run_id,
        status=_text(raw.get("status")).strip() or "?",
        experiment=_text(experiment.get("name")),
        command=_text(meta.get("command")) or _text(raw.get("command")),
        named_configs=tuple(str(name) for name in named) if isinstance(named, list) else (),
        start=parse_timestamp(raw.get("start_time")),
        stop=parse_timestamp(raw.get("stop_time")),
        heartbeat=parse_timestamp(raw.get("heartbeat")),
        host=_text(_block(raw, "host").get("hostname")),
        result=result,
        result_text=summarize_result(result) if result is not None else MISSING,
        comment=_text(meta.get("comment")).replace("\n", " "),
        beat_interval=beat_interval_from_options(options if isinstance(options, dict) else None),
        last_write=last_write,
        process=_process(process, raw),
        problems=tuple(problems),
        config=config if config is not None else {},
        metrics=metrics if metrics is not None else {},
        queue=queue,
        note=annotations.note,
        tags=annotations.tags,
        archived=annotations.archived,
    )
    return row.with_liveness(now)
