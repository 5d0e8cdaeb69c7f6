"""Provides the two background threads of a running run: the output flusher and the heartbeat.

They are separate so that new output reaches cout.txt about every second even while the heartbeat is
busy with a large metrics write, and so that a program printing hundreds of megabytes is drained as
fast as it prints (the capture wakes the flusher early; see ``TextSink``). A run starts them only once
it lasts ``LASTING_AFTER`` seconds (or prints a lot before that): short runs need no threads at all.

- ``OutputFlusher``: every ``OUTPUT_FLUSH_INTERVAL`` seconds (or sooner when much output waits) it
  flushes the program's buffers and hands new output to the observers.
- ``Heartbeat``: every ``METRICS_FLUSH_INTERVAL`` seconds it hands new metric points to observers that
  store them live (``metrics.jsonl`` within about a second of ``log_scalar``); every ``beat_interval``
  seconds it sends Sacred's heartbeat (and the points to all other observers).
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from core.run_clock import block_signals_in_this_thread

__all__ = ["LASTING_AFTER", "LIVE_SHARE", "LIVE_SLICE", "METRICS_FLUSH_INTERVAL", "Heartbeat", "OutputFlusher"]

METRICS_FLUSH_INTERVAL = 0.5
"""Seconds between hand-overs of new metric points to observers that store them live."""
LIVE_SHARE = 0.25
"""At most about this share of the time goes to handing points over live while the run goes on."""
LIVE_SLICE = 16384
"""Points handed over at once while pacing."""
LASTING_AFTER = 0.5
"""Seconds after its start at which a run starts its background threads (each runs a first tick at once)."""


class _Worker:
    """A daemon thread running ``tick`` until stopped; a failing tick is reported, never fatal."""

    name = "run-worker"

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    def start(self) -> None:
        self._wake.set()  # a first tick at once
        self.thread.start()

    def stop(self) -> None:
        """Stop after the current tick and wait for it."""
        self._stop.set()
        self._wake.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join()

    def wake(self) -> None:
        """Run the next tick now."""
        self._wake.set()

    def _loop(self) -> None:
        block_signals_in_this_thread()
        while not self._stop.is_set():
            woken = self._wake.wait(self.interval())
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.tick(woken)
            except Exception as exc:  # the worker must never die silently mid-run
                self._report(f"{self.name} problem: {type(exc).__name__}: {exc}")

    def interval(self) -> float:
        raise NotImplementedError

    def tick(self, woken: bool) -> None:
        raise NotImplementedError


class OutputFlusher(_Worker):
    """Flushes the capture and collects new output about every ``interval`` seconds."""

    name = "run-output"

    def __init__(self, capture: Any, collect: Callable[[], None], interval: float,
                 report: Callable[[str], None]) -> None:
        super().__init__(report)
        self._capture = capture
        self._collect = collect
        self._interval = interval

    def start(self) -> None:
        self._capture.sink.set_consumer(self.wake, self.thread)
        super().start()

    def stop(self) -> None:
        self._capture.sink.set_consumer(None)
        super().stop()

    def interval(self) -> float:
        return self._interval

    def tick(self, woken: bool) -> None:
        if not woken:  # on the timer: push what sits in Python's and C's buffers
            self._capture.flush()
        self._collect()


class Heartbeat(_Worker):
    """Hands over new metric points often, and sends Sacred's heartbeat every ``beat_interval``."""

    name = "run-heartbeat"

    def __init__(self, flush_metrics: Callable[[], None], beat: Callable[[], None], beat_interval: float,
                 report: Callable[[str], None], started: float | None = None) -> None:
        super().__init__(report)
        self._flush_metrics = flush_metrics
        self._beat = beat
        self._beat_interval = beat_interval
        self._next_beat = (time.monotonic() if started is None else started) + beat_interval

    def interval(self) -> float:
        if self._beat_interval > 0:
            return max(0.0, min(METRICS_FLUSH_INTERVAL, self._next_beat - time.monotonic()))
        return METRICS_FLUSH_INTERVAL

    def tick(self, woken: bool) -> None:
        self._flush_metrics()
        if self._beat_interval > 0 and time.monotonic() >= self._next_beat:
            self._next_beat = time.monotonic() + self._beat_interval
            self._beat()
