"""Provides RunHandover, the part of ``Run`` that hands new output and metric points to the observers
while the run goes on (from the background threads) and at its end.

- Output: the capture's chunks go through ``CapturedOutput``; observers that take changes get
  ``output_progress`` (final text, unfinished line), the others the whole text.
- Metrics: points go to observers that store them live (``metrics_progress``) about twice a second,
  paced so a program logging millions of points keeps most of the interpreter; the others get them
  with Sacred's ``log_metrics`` at each beat.
- Beats: Sacred's ``heartbeat_event`` every ``beat_interval`` seconds, and a last one at the end.
"""
from __future__ import annotations

import datetime
import time
from typing import Any

from core.run_background import (LASTING_AFTER, LIVE_SHARE, LIVE_SLICE, METRICS_FLUSH_INTERVAL, Heartbeat,
                                 OutputFlusher)
from core.run_clock import schedule
from core.settings import SETTINGS

__all__ = ["RunHandover"]


def utcnow() -> datetime.datetime:
    """Naive UTC now, as Sacred stores it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class RunHandover:
    """Mixed into ``Run``; uses its ``_calls``, ``_capture``, ``_output``, ``_metrics`` and friends."""

    _calls: Any
    _capture: Any
    _output: Any
    _metrics: Any
    run_logger: Any
    beat_interval: float
    info: dict
    result: Any

    def _start_workers(self) -> None:
        """The output flusher and heartbeat threads start once the run lasts, or once much output waits."""
        self.run_logger.debug("Starting Heartbeat")
        self._started_at = time.monotonic()
        self._workers_state = "waiting"
        self._capture.sink.set_consumer(self._launch_workers)
        self._workers_timer = schedule(LASTING_AFTER, self._launch_workers)

    def _launch_workers(self) -> None:
        with self._workers_lock:
            if self._workers_state != "waiting":
                return
            self._workers_state = "running"
            report = self.run_logger.warning
            self._workers = [
                OutputFlusher(self._capture, self._collect_output, float(SETTINGS.OUTPUT_FLUSH_INTERVAL), report),
                Heartbeat(self._heartbeat_tick, self._beat, self.beat_interval, report, started=self._started_at)]
            for worker in self._workers:
                worker.start()

    def _stop_workers(self) -> None:
        with self._workers_lock:
            if self._workers_state in ("waiting", "running"):
                self.run_logger.debug("Stopping Heartbeat")
            self._workers_state = "stopped"
            if self._workers_timer is not None:
                self._workers_timer.cancel()
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
        if self._capture is not None:
            self._capture.sink.set_consumer(None)

    def _heartbeat_tick(self) -> None:
        """Every ``METRICS_FLUSH_INTERVAL``: new points to live observers, then their ``progress_event``."""
        self._flush_metrics(paced=True)
        self._emit("progress_event")

    def _collect_output(self) -> None:
        """Hand new output to the observers (never waits behind metrics: see ``ObserverCalls``)."""
        with self._output_lock:
            try:
                change = self._output.feed(self._capture.read_new_chunks())
            except Exception as exc:
                self.run_logger.warning("captured_out_filter failed: %s", exc)
                return
            if change is None:
                return
            for observer in self._calls.active:
                if getattr(observer, "output_progress", None) is not None and change.whole is None:
                    self._calls.call(observer, "output_progress", change.appended, change.unfinished, locked=False)
                else:
                    self._calls.call(observer, "output_event", self._output.text, locked=False)

    def _flush_metrics(self, paced: bool = False) -> None:
        """Hand new points to observers storing them live; keep them for the others' next beat.

        ``paced`` (the heartbeat thread, while the run goes on): hand over at most about
        ``LIVE_SHARE`` of a tick's time worth of points, in slices; the rest waits for the next tick.
        A program logging millions of points a second thus keeps most of the interpreter to itself,
        and ``log_scalar`` stays fast; the end of the run hands over everything.
        """
        batch = self._metrics.drain()
        live = self._calls.have("metrics_progress")
        if batch and len(live) < len(self._calls.active):
            self._beat_metrics.merge(batch)
        if not live:
            return
        if paced:
            self._live_metrics.extend(batch.slices(LIVE_SLICE))
        elif batch:  # the end: what is left, then everything new at once
            self._live_metrics.append(lambda: batch)
        budget = time.monotonic() + LIVE_SHARE * METRICS_FLUSH_INTERVAL if paced else None
        while self._live_metrics:
            part = self._live_metrics.popleft()()
            for observer in live:
                if paced:
                    self._calls.call(observer, "metrics_progress", part)
                else:  # the run's last points: an observer that was keeping them for a live reader need not
                    self._calls.call(observer, "metrics_progress", part, final=True)
            if budget is not None and time.monotonic() >= budget:
                break

    def _beat(self, final: bool = False) -> None:
        if any(getattr(o, "output_progress", None) is None for o in self._calls.active):
            self._collect_output()  # observers given the whole text at the beat get all of it
        metrics, self._beat_metrics = self._beat_metrics, type(self._beat_metrics)()
        beat_time = utcnow()
        for observer in self._calls.active:
            # Sacred calls log_metrics at every beat; observers storing points live got them already.
            live = getattr(observer, "metrics_progress", None) is not None
            self._calls.call(observer, "log_metrics", type(metrics)() if live else metrics, self.info)
            takes_changes = getattr(observer, "output_progress", None) is not None
            captured_out = None if takes_changes else self._output.text
            # Our file observer skips writing run.json on the last beat: the final event writes it anyway.
            has_final_beat = hasattr(type(observer), "final_beat_event")  # a method of its class, not a mock's
            event = "final_beat_event" if final and has_final_beat else "heartbeat_event"
            self._calls.call(observer, event, info=self.info, captured_out=captured_out, beat_time=beat_time,
                             result=self.result)

    def _final_beat(self) -> None:
        if self.beat_interval > 0:
            self._beat(final=True)
            return
        metrics, self._beat_metrics = self._beat_metrics, type(self._beat_metrics)()
        if metrics:
            for observer in self._calls.active:
                if getattr(observer, "metrics_progress", None) is None:
                    self._calls.call(observer, "log_metrics", metrics, self.info)
