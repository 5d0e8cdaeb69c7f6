"""Provides schedule(): file events of a runs folder from a watchdog observer, where Linux's inotify
(:mod:`sacred_tui.data.inotify`) is not there (FSEvents on macOS, kqueue, Windows).

Only events of writes are asked for; watchdog tells its handlers nothing when the kernel dropped
events, only logs it, so :data:`overflows` listens to its log and tells every running watcher.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["overflows", "schedule"]

_WANTED_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
"""Event types that mean something was written (opened/closed-without-write are our own reads)."""

_OVERFLOW_TEXT = "queue overflowed"
"""What watchdog logs when the kernel dropped events (it tells its handlers nothing else)."""
_OVERFLOW_LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")


class _LosesEvents(Protocol):
    def events_lost(self) -> None: ...


def _write_event_classes() -> list[type] | None:
    """The watchdog event classes of writes, so the kernel never queues events of reads."""
    try:
        from watchdog import events
    except ImportError:
        return None
    return [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent,
            events.FileMovedEvent, events.FileClosedEvent, events.DirCreatedEvent,
            events.DirDeletedEvent, events.DirMovedEvent]


class _OverflowListener(logging.Handler):
    """Hears watchdog's "queue overflowed" warnings and tells every running watcher."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.watchers: set[_LosesEvents] = set()
        self.watchers_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is not ours to report
            return
        if _OVERFLOW_TEXT in text.lower():
            with self.watchers_lock:
                watchers = list(self.watchers)
            for watcher in watchers:
                watcher.events_lost()


overflows = _OverflowListener()
"""Add a watcher to ``overflows.watchers`` (under its lock) while it runs."""
for _name in _OVERFLOW_LOGGERS:
    logging.getLogger(_name).addHandler(overflows)


class _Handler:
    """watchdog event handler: maps a path to (run id, file name), nothing else."""

    def __init__(self, root: str, changed: Callable[[str, str | None], None]) -> None:
        self.prefix = root.rstrip(os.sep) + os.sep
        self.changed = changed

    def dispatch(self, event: Any) -> None:
        if event.event_type not in _WANTED_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # the file events inside tell more
        self._note(event.src_path)
        dest = getattr(event, "dest_path", "")
        if dest:
            self._note(dest)

    def _note(self, path: str | bytes) -> None:
        text = os.fsdecode(path)
        if not text.startswith(self.prefix):
            return
        run_id, _, rest = text[len(self.prefix):].partition(os.sep)
        if not run_id or run_id[0] in "_.":
            return
        self.changed(run_id, rest.partition(os.sep)[0] or None)


def schedule(observer: Any, root: str, changed: Callable[[str, str | None], None], *, writes_only: bool) -> None:
    """Have ``observer`` call ``changed(run_id, file name or None)`` for writes anywhere in ``root``
    (``writes_only``: ask watchdog for write events only, where it can filter)."""
    handler = _Handler(root, changed)
    wanted = _write_event_classes() if writes_only else None
    if wanted is None:
        observer.schedule(handler, root, recursive=True)
    else:
        observer.schedule(handler, root, recursive=True, event_filter=wanted)
