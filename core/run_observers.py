"""Provides ObserverCalls: how a run calls its observers, and what it remembers when a call fails.

A failing observer call never ends the run and never silently drops the observer: the failure is
reported on stderr (once per observer and event, with a count at the end) and the observer keeps
receiving the run's other events, so one unwritable artifact cannot cost the run its output, metrics
and final status. Only observers that started the run get its events: one whose start failed (or a
run that failed before starting them) has no run to write to.

Calls made from the run's main and heartbeat threads are serialised per observer. The output
flusher thread calls ``output_progress``/``output_event`` without that lock, so new output is never
kept waiting behind a long metrics write (observers that offer ``output_progress`` are thread-safe).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["ObserverCalls"]


class ObserverCalls:
    """The observers of one run, in priority order, with per-observer locks and a failure record."""

    def __init__(self, observers: list, logger: logging.Logger) -> None:
        self.observers = sorted(observers, key=lambda o: -getattr(o, "priority", 0))
        self.logger = logger
        self._locks = {id(observer): threading.RLock() for observer in self.observers}
        self._started: set[int] = set()
        self._failures: dict[tuple[int, str], list] = {}  # (observer, event) -> [count, first error]
        self.problems: list[str] = []
        """One line per failed observer event: the record of the run may be incomplete."""

    @property
    def active(self) -> list:
        """Observers that started (or queued) this run: only they get its events."""
        return [o for o in self.observers if id(o) in self._started]

    def have(self, method_name: str) -> list:
        """Active observers that implement ``method_name``."""
        return [o for o in self.active if getattr(o, method_name, None) is not None]

    def start(self, method_name: str, run_id: Any, **kwargs: Any) -> Any:
        """Call ``started_event``/``queued_event`` on each observer; the first id chosen is the run's.

        An observer that fails to start gets no more events; the error is raised after the others
        started, so the run fails with a clear message instead of running without its record.
        """
        error: BaseException | None = None
        for observer in self.observers:
            try:
                with self._locks[id(observer)]:
                    chosen = getattr(observer, method_name)(_id=run_id, **kwargs)
            except Exception as exc:
                error = error or exc
                continue
            self._started.add(id(observer))
            if run_id is None:
                run_id = chosen
        if error is not None:
            raise error
        return run_id

    def emit(self, method_name: str, *args: Any, **kwargs: Any) -> None:
        """Call an event on every active observer that has it; failures are recorded, never raised."""
        for observer in self.active:
            self.call(observer, method_name, *args, **kwargs)

    def call(self, observer: Any, method_name: str, *args: Any, locked: bool = True, **kwargs: Any) -> bool:
        """Call one observer's event; False (after reporting it) if it raised."""
        method = getattr(observer, method_name, None)
        if method is None:
            return True
        try:
            if locked:
                with self._locks[id(observer)]:
                    method(*args, **kwargs)
            else:
                method(*args, **kwargs)
        except Exception as exc:
            self._failed(observer, method_name, exc)
            return False
        return True

    def _failed(self, observer: Any, method_name: str, exc: Exception) -> None:
        key = (id(observer), method_name)
        seen = self._failures.get(key)
        if seen is not None:
            seen[0] += 1
            return
        self._failures[key] = [1, exc]
        message = str(exc) or type(exc).__name__
        self.problems.append(f"{observer!r} {method_name}: {message}")
        self.logger.error("The observer %r failed in %s: %s", observer, method_name, message)

    def report(self) -> None:
        """At the end of the run: say which observer events failed how often."""
        for (observer_id, method_name), (count, _exc) in self._failures.items():
            if count > 1:
                observer = next(o for o in self.observers if id(o) == observer_id)
                self.logger.error("The observer %r failed in %s %d times in all.", observer, method_name, count)
        if self.problems:
            self.logger.error("The record of this run is incomplete (see the errors above).")

    def join(self) -> None:
        for observer in self.observers:
            join = getattr(observer, "join", None)
            if join is not None:
                try:
                    join()
                except Exception as exc:  # an observer must never kill the run
                    self._failed(observer, "join", exc)
