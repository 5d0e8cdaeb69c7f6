"""Provides LiveFiles: cout.txt and the metrics files of a FileStorageObserver while its run goes.

Output and metrics have locks of their own (``_cout_lock``, ``_metrics_lock``), apart from the
record's, so new output never waits behind a large metrics.json write. A run that ends before it
lasts half a second gets no metrics.jsonl: its metrics.json, written at the end, has every point.
"""
from __future__ import annotations

from typing import Any

__all__ = ["LiveFiles"]


class LiveFiles:
    """Mixed into FileStorageObserver, which provides the state and the guards used here."""

    _cout: Any
    _metrics: Any
    _guard: Any
    _cout_lock: Any
    _metrics_lock: Any
    _cout_text: str | None
    _lasting: bool

    def _start_lasting(self) -> None:
        with self._metrics_lock:
            self._lasting = True
            with self._writing("metrics.jsonl"):
                self._metrics.write_held_lines()  # type: ignore[union-attr]

    def output_event(self, captured_out: str) -> None:
        """The whole output so far (a custom filter may have rewritten earlier text)."""
        with self._cout_lock:
            self._running()  # type: ignore[attr-defined]
            if not self._broken:  # type: ignore[attr-defined]
                self._write_cout(captured_out)

    def output_progress(self, appended: str, unfinished: str) -> None:
        """New final output and the current unfinished line (see ``CapturedOutput``)."""
        with self._cout_lock:
            self._running()  # type: ignore[attr-defined]
            self._cout_text = None
            cout = self._cout

            def write(limit: int) -> None:
                if limit and len(appended) + len(unfinished) > limit:  # the last bit of room: whole lines
                    cout.progress(appended[:appended.rfind("\n", 0, limit) + 1], "")  # type: ignore[union-attr]
                else:
                    cout.progress(appended, unfinished)  # type: ignore[union-attr]

            if self._guard is None:
                write(0)
            else:
                self._guard.attempt("cout.txt", write)

    def stored_output(self) -> str:
        """cout.txt as stored now."""
        with self._cout_lock:
            return self._cout.read() if self._cout is not None else ""

    def metrics_progress(self, metrics_by_name: dict, final: bool = False) -> None:
        """New points between beats: appended to metrics.jsonl now, to metrics.json at the next beat.

        A run that ends before it lasts (no ``progress_event`` yet) gets no metrics.jsonl: nobody
        follows it live, and its metrics.json, written at the end, has every point. Until it lasts,
        the lines wait in case it does; ``final`` (the run's last points) says it never will."""
        self._add_metrics(metrics_by_name, lines_now=True if self._lasting else (None if final else False))

    def log_metrics(self, metrics_by_name: dict, info: dict) -> None:
        """The beat's new points (none when they came through ``metrics_progress``): metrics.json now."""
        with self._metrics_lock:
            self._add_metrics(metrics_by_name, lines_now=True)
            self._flush_metrics()

    def _add_metrics(self, metrics_by_name: dict, lines_now: bool | None) -> None:
        with self._metrics_lock:
            self._running()  # type: ignore[attr-defined]
            if not self._broken:  # type: ignore[attr-defined]
                with self._writing("metrics.jsonl"):
                    self._metrics.add(metrics_by_name, write_lines=lines_now)  # type: ignore[union-attr]

    def _flush_metrics(self) -> None:
        with self._metrics_lock:
            if self._broken:  # type: ignore[attr-defined]
                return
            with self._writing("metrics.json"):
                self._metrics.flush()  # type: ignore[union-attr]

    def _write_cout(self, captured_out: str) -> None:
        with self._cout_lock:
            self._cout_text = captured_out
            with self._writing("cout.txt"):
                self._cout.update(captured_out)  # type: ignore[union-attr]
