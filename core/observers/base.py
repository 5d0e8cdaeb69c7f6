"""Provides RunObserver, the interface every observer implements (Sacred's event names and arguments).

The Run calls these methods in this order: ``queued_event`` (queue-only runs) or ``started_event``,
then repeatedly ``output_event`` / ``progress_event`` / ``log_metrics`` + ``heartbeat_event``, any number of
``resource_event`` / ``artifact_event``, one final beat, exactly one of ``completed_event``,
``interrupted_event`` or ``failed_event``, and ``join``. Every method is a no-op here, so an observer
overrides only what it needs.
"""
from __future__ import annotations

import datetime
from typing import Any

__all__ = ["RunObserver"]


class RunObserver:
    """Base class of observers; observers are called in descending ``priority``."""

    priority = 0

    def queued_event(self, ex_info: dict, command: str, host_info: dict, queue_time: datetime.datetime,
                     config: dict, meta_info: dict, _id: Any) -> Any:
        """A run was queued (not started); return its id, or None to leave the choice to others."""
        return None

    def started_event(self, ex_info: dict, command: str, host_info: dict, start_time: datetime.datetime,
                      config: dict, meta_info: dict, _id: Any) -> Any:
        """A run started; return its id, or None to leave the choice to others."""
        return None

    def heartbeat_event(self, info: dict, captured_out: str, beat_time: datetime.datetime,
                        result: Any) -> None:
        """Periodic beat: ``captured_out`` is the whole (filtered) output so far."""

    def output_event(self, captured_out: str) -> None:
        """Between beats (about every second): the whole (filtered) output so far, for live tails."""

    def progress_event(self) -> None:
        """About twice a second while a run lasts (ours; not in Sacred): time for deferred writes."""

    def log_metrics(self, metrics_by_name: dict, info: dict) -> None:
        """New metric points since the last call: ``{name: {"steps", "values", "timestamps"}}``."""

    def completed_event(self, stop_time: datetime.datetime, result: Any) -> None:
        """The run returned ``result``."""

    def interrupted_event(self, interrupt_time: datetime.datetime, status: str) -> None:
        """The run was interrupted; ``status`` is e.g. ``"INTERRUPTED"`` or ``"TIMEOUT"``."""

    def failed_event(self, fail_time: datetime.datetime, fail_trace: list[str]) -> None:
        """The run raised; ``fail_trace`` is the formatted traceback, one string per line group."""

    def resource_event(self, filename: str) -> None:
        """The run opened or added the resource file ``filename`` (an absolute path)."""

    def artifact_event(self, name: str, filename: str, metadata: Any = None,
                       content_type: str | None = None) -> None:
        """The run added the file ``filename`` as an artifact called ``name``."""

    def join(self) -> None:
        """Wait until everything this observer still has to write is written."""
