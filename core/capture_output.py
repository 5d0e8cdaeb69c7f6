"""Provides output capture for runs: the ``fd``, ``sys`` and ``no`` modes behind one small interface.

``create_capture(mode)`` returns an object with ``start()``, ``flush()``, ``read_new()`` and ``stop()``
(also a context manager). Captured text still reaches the terminal (tee), and everything written
before ``stop()`` returns is readable through ``read_new()`` afterwards, on every exit path.

- ``fd``: file descriptors 1 and 2 are redirected into pipes read by in-process threads, so output of
  C extensions and subprocesses is captured too (see ``core.capture_fd``).
- ``sys``: ``sys.stdout``/``sys.stderr`` are replaced by tee proxies (Python-level writes only).
- ``no``: nothing is captured.
"""
from __future__ import annotations

import contextlib
import sys
import threading
from types import TracebackType
from typing import Any, TextIO

from core.output_filter import OutputBuffer, OutputFilter, apply_backspaces_and_linefeeds

__all__ = [
    "CAPTURE_MODES", "OutputBuffer", "OutputCapture", "OutputFilter", "NoCapture", "SysCapture",
    "apply_backspaces_and_linefeeds", "create_capture", "flush_python_streams",
]

CAPTURE_MODES = ("fd", "sys", "no")


def create_capture(mode: str) -> OutputCapture:
    """Return a capture for ``mode`` ("fd", "sys" or "no"), not yet started."""
    if mode == "fd":
        from core.capture_fd import FdCapture
        return FdCapture()
    if mode == "sys":
        return SysCapture()
    if mode == "no":
        return NoCapture()
    allowed = ", ".join(f'"{name}"' for name in CAPTURE_MODES)
    raise ValueError(f"Unknown capture mode {mode!r}. Allowed capture modes are: {allowed}.")


class TextSink:
    """Thread-safe accumulator of captured text: many writers, one reader taking what is new."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[str] = []

    def append(self, text: str) -> None:
        if text:
            with self._lock:
                self._parts.append(text)

    def take(self) -> str:
        """Return and forget everything appended since the previous call."""
        with self._lock:
            if not self._parts:
                return ""
            text = "".join(self._parts)
            self._parts.clear()
            return text


class OutputCapture:
    """Common interface of the capture modes; this base class captures nothing."""

    mode = "no"
    """The mode that was asked for."""

    def __init__(self, sink: TextSink | None = None) -> None:
        self._sink = sink if sink is not None else TextSink()
        self._state_lock = threading.RLock()
        self._started = False

    @property
    def active_mode(self) -> str:
        """The mode really in use (``fd`` falls back to ``sys`` when stdout has no usable descriptor)."""
        return self.mode

    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> None:
        """Begin capturing; calling it again while started does nothing."""
        self._started = True

    def stop(self) -> None:
        """Stop capturing and restore the streams; calling it again does nothing."""
        self._started = False

    def flush(self) -> None:
        """Push text buffered inside Python's streams to where the capture can see it."""
        flush_python_streams()

    def read_new(self) -> str:
        """Text captured since the previous call ("" if none); safe to call from any thread."""
        return self._sink.take()

    def __enter__(self) -> OutputCapture:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "started" if self._started else "stopped"
        return f"<{type(self).__name__} mode={self.active_mode!r} {state}>"


class NoCapture(OutputCapture):
    """The ``no`` mode: output goes to the terminal only; ``read_new()`` is always empty."""

    def read_new(self) -> str:
        return ""


class SysCapture(OutputCapture):
    """The ``sys`` mode: ``sys.stdout``/``sys.stderr`` become proxies writing to the original and the capture."""

    mode = "sys"

    def __init__(self, sink: TextSink | None = None) -> None:
        super().__init__(sink)
        self._proxies: dict[str, TeeStream] = {}

    def start(self) -> None:
        with self._state_lock:
            if self._started:
                return
            for name in ("stdout", "stderr"):
                proxy = TeeStream(getattr(sys, name), self._sink)
                self._proxies[name] = proxy
                setattr(sys, name, proxy)
            self._started = True

    def stop(self) -> None:
        with self._state_lock:
            if not self._started:
                return
            self.flush()
            for name, proxy in self._proxies.items():
                # Someone may have replaced the stream meanwhile; their replacement stays in place.
                if getattr(sys, name) is proxy:
                    setattr(sys, name, proxy.original)
            self._proxies.clear()
            self._started = False


class TeeStream:
    """A text stream proxy: every write goes to the capture and to the original stream.

    Other attributes (``encoding``, ``isatty``, ``fileno``, ``buffer`` ...) are those of the original.
    """

    def __init__(self, original: TextIO | None, sink: TextSink) -> None:
        self.original = original
        self._sink = sink

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._sink.append(text)  # captured first: a failing terminal must not lose the run's output
        if self.original is not None:
            self.original.write(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.original is not None:
            self.original.flush()

    def __getattr__(self, name: str) -> Any:
        original = self.__dict__.get("original")
        if original is None:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (no original stream)")
        return getattr(original, name)


def flush_python_streams() -> None:
    """Flush ``sys.stdout`` and ``sys.stderr``, ignoring streams that are closed or missing."""
    for stream in (sys.stdout, sys.stderr):
        flush = getattr(stream, "flush", None)
        if flush is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            flush()


def __getattr__(name: str) -> Any:
    """Expose ``FdCapture`` here too, without loading the fd machinery until it is asked for."""
    if name == "FdCapture":
        from core.capture_fd import FdCapture
        return FdCapture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
