"""Provides MemoryObserver, which keeps every event of every run in memory (for tests and notebooks)."""
from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from core.observers.base import RunObserver

__all__ = ["MemoryObserver", "ObservedArtifact", "ObservedRun"]


@dataclass
class ObservedArtifact:
    """An artifact as announced, with the file's bytes read at that moment (None if unreadable)."""

    name: str
    filename: str
    metadata: Any = None
    content_type: str | None = None
    content: bytes | None = None


@dataclass
class ObservedRun:
    """Everything observers were told about one run."""

    id: Any = None
    status: str | None = None
    ex_info: dict = field(default_factory=dict)
    command: str | None = None
    host_info: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    meta_info: dict = field(default_factory=dict)
    queue_time: datetime.datetime | None = None
    start_time: datetime.datetime | None = None
    heartbeat: datetime.datetime | None = None
    beats: int = 0
    result: Any = None
    info: dict = field(default_factory=dict)
    captured_out: str = ""
    metrics: dict[str, dict[str, list]] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)
    artifacts: list[ObservedArtifact] = field(default_factory=list)
    stop_time: datetime.datetime | None = None
    fail_trace: list[str] | None = None


class MemoryObserver(RunObserver):
    """Records each call in ``events`` (``(event name, arguments)``) and a summary per run in ``runs``.

    It never chooses a run id: ``started_event`` returns the id it was given.
    """

    def __init__(self, priority: int = 0) -> None:
        self.priority = priority
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.runs: list[ObservedRun] = []

    @property
    def run(self) -> ObservedRun:
        """The latest run (raises IndexError before the first one)."""
        return self.runs[-1]

    def event_names(self) -> list[str]:
        """The names of the recorded events, in order."""
        return [name for name, _ in self.events]

    def queued_event(self, ex_info: dict, command: str, host_info: dict, queue_time: datetime.datetime,
                     config: dict, meta_info: dict, _id: Any) -> Any:
        self._record("queued_event", ex_info=ex_info, command=command, host_info=host_info,
                     queue_time=queue_time, config=config, meta_info=meta_info, _id=_id)
        self.runs.append(ObservedRun(id=_id, status="QUEUED", ex_info=_copy(ex_info), command=command,
                                     host_info=_copy(host_info), config=_copy(config),
                                     meta_info=_copy(meta_info), queue_time=queue_time))
        return _id

    def started_event(self, ex_info: dict, command: str, host_info: dict, start_time: datetime.datetime,
                      config: dict, meta_info: dict, _id: Any) -> Any:
        self._record("started_event", ex_info=ex_info, command=command, host_info=host_info,
                     start_time=start_time, config=config, meta_info=meta_info, _id=_id)
        self.runs.append(ObservedRun(id=_id, status="RUNNING", ex_info=_copy(ex_info), command=command,
                                     host_info=_copy(host_info), config=_copy(config),
                                     meta_info=_copy(meta_info), start_time=start_time))
        return _id

    def heartbeat_event(self, info: dict, captured_out: str, beat_time: datetime.datetime,
                        result: Any) -> None:
        self._record("heartbeat_event", info=info, captured_out=captured_out, beat_time=beat_time,
                     result=result)
        run = self._current()
        run.info = _copy(info)
        run.captured_out = captured_out
        run.heartbeat = beat_time
        run.result = result
        run.beats += 1

    def output_event(self, captured_out: str) -> None:
        self._record("output_event", captured_out=captured_out)
        self._current().captured_out = captured_out

    def log_metrics(self, metrics_by_name: dict, info: dict) -> None:
        merged = self._current().metrics
        plain = {}
        for name, series in metrics_by_name.items():
            entry = merged.setdefault(name, {"steps": [], "values": [], "timestamps": []})
            plain[name] = {key: list(series[key]) for key in ("steps", "values", "timestamps")}
            for key, items in plain[name].items():
                entry[key].extend(items)
        self._record("log_metrics", metrics_by_name=plain, info=info)

    def completed_event(self, stop_time: datetime.datetime, result: Any) -> None:
        self._record("completed_event", stop_time=stop_time, result=result)
        run = self._current()
        run.status, run.stop_time, run.result = "COMPLETED", stop_time, result

    def interrupted_event(self, interrupt_time: datetime.datetime, status: str) -> None:
        self._record("interrupted_event", interrupt_time=interrupt_time, status=status)
        run = self._current()
        run.status, run.stop_time = status, interrupt_time

    def failed_event(self, fail_time: datetime.datetime, fail_trace: list[str]) -> None:
        self._record("failed_event", fail_time=fail_time, fail_trace=fail_trace)
        run = self._current()
        run.status, run.stop_time, run.fail_trace = "FAILED", fail_time, list(fail_trace or [])

    def resource_event(self, filename: str) -> None:
        self._record("resource_event", filename=filename)
        self._current().resources.append(filename)

    def artifact_event(self, name: str, filename: str, metadata: Any = None,
                       content_type: str | None = None) -> None:
        self._record("artifact_event", name=name, filename=filename, metadata=metadata,
                     content_type=content_type)
        try:
            with open(filename, "rb") as handle:
                content: bytes | None = handle.read()
        except OSError:
            content = None
        self._current().artifacts.append(ObservedArtifact(name, filename, metadata, content_type, content))

    def join(self) -> None:
        self._record("join")

    def _record(self, event: str, /, **arguments: Any) -> None:
        self.events.append((event, arguments))

    def _current(self) -> ObservedRun:
        if not self.runs:  # events without a start (e.g. a test driving one method) still record
            self.runs.append(ObservedRun())
        return self.runs[-1]

    def __repr__(self) -> str:
        return f"MemoryObserver({len(self.runs)} runs)"


def _copy(value: Any) -> Any:
    """A snapshot, so later changes by the run do not alter what was observed."""
    try:
        return copy.deepcopy(value)
    except Exception:  # an object that refuses to be copied is kept as it is
        return value
