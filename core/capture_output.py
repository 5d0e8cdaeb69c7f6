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

import sys
import threading
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from types import TracebackType
from typing import Any, TextIO

from core.output_filter import OutputFilter, apply_backspaces_and_linefeeds

__all__ = [
    "CAPTURE_MODES", "STDERR", "STDOUT", "OutputCapture", "OutputFilter", "NoCapture",
    "SysCapture", "TeeStream", "TextSink", "apply_backspaces_and_linefeeds", "create_capture",
    "flush_python_streams",
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


STDOUT, STDERR = 1, 2
"""Stream tags of captured chunks (the descriptor numbers)."""


class TextSink:
    """Thread-safe accumulator of captured text: many writers, one reader taking what is new.

    Every chunk keeps the stream it came from (``STDOUT``/``STDERR``), so the reader can keep lines of
    the two streams apart. With a consumer attached (``set_consumer``), the sink asks it to come early
    once ``WAKE_BYTES`` are waiting, and writers wait (briefly, bounded) while more than ``LIMIT_BYTES``
    are waiting: a program printing hundreds of megabytes never has more than a few in memory.
    """

    WAKE_BYTES = 256 * 1024
    LIMIT_BYTES = 1024 * 1024
    MAX_WAIT = 0.5

    def __init__(self) -> None:
        self._lock = threading.Lock()  # plain lock: ``append`` is on the path of every write
        self._room = threading.Condition(self._lock)
        self._parts: list[tuple[int, str]] = []
        self._size = 0
        self._wake: Callable[[], None] | None = None
        self._consumer_thread: threading.Thread | None = None

    def set_consumer(self, wake: Callable[[], None] | None, thread: threading.Thread | None = None) -> None:
        """Ask ``wake()`` to collect early; ``thread`` (the consumer) never waits on a full sink."""
        with self._room:
            self._wake, self._consumer_thread = wake, thread
            self._room.notify_all()

    def append(self, text: str, stream: int = STDOUT) -> None:
        """Add a chunk (never blocks; writers call ``wait_for_room`` after releasing their own locks)."""
        if not text:
            return
        with self._lock:
            self._parts.append((stream, text))
            self._size += len(text) + _PART_OVERHEAD
            wake = self._wake
            if wake is None or self._size < self.WAKE_BYTES:
                return
        wake()

    @property
    def over_limit(self) -> bool:
        """Whether more than ``LIMIT_BYTES`` wait (a cheap check before ``wait_for_room``)."""
        return self._size > self.LIMIT_BYTES

    def wait_for_room(self) -> None:
        """Wait (at most ``MAX_WAIT``) while more than ``LIMIT_BYTES`` wait for a consumer to take them."""
        if self._size <= self.LIMIT_BYTES or self._wake is None:
            return
        with self._room:
            if self._size > self.LIMIT_BYTES and self._wake is not None \
                    and threading.current_thread() is not self._consumer_thread:
                self._room.wait(self.MAX_WAIT)

    def take_chunks(self) -> list[tuple[int, str]]:
        """Return and forget the chunks appended since the previous call, as ``(stream, text)``."""
        with self._room:
            if not self._parts:
                return []
            parts, self._parts, self._size = self._parts, [], 0
            self._room.notify_all()
        return _merge(parts)

    def take(self) -> str:
        """Return and forget everything appended since the previous call, as one text."""
        return "".join(text for _, text in self.take_chunks())


_PART_OVERHEAD = 64  # bytes a stored chunk costs beyond its text


def _merge(parts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join neighbouring chunks of the same stream."""
    return [(stream, "".join(map(itemgetter(1), group))) for stream, group in groupby(parts, itemgetter(0))]


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

    def read_new_chunks(self) -> list[tuple[int, str]]:
        """Like ``read_new``, as ``(STDOUT or STDERR, text)`` chunks in the order they were written."""
        return self._sink.take_chunks()

    @property
    def sink(self) -> TextSink:
        """Where captured text collects (a run attaches itself as its consumer)."""
        return self._sink

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

    def read_new_chunks(self) -> list[tuple[int, str]]:
        return []


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
            self._proxies = install_proxies(self._sink)
            self._started = True

    def stop(self) -> None:
        with self._state_lock:
            if not self._started:
                return
            self.flush()
            remove_proxies(self._proxies)
            self._proxies = {}
            self._started = False


class TeeStream:
    """A text stream proxy: every write goes to the capture, tagged with its stream, then on to a target.

    The target is the original stream (``sys`` mode) or a stream to the original destination (``fd``
    mode). With ``before_write`` and ``lock`` (``fd`` mode) each write first lets the capture take in
    what other writers put into its pipes, all under one lock, so the capture keeps the order of writes.
    Other attributes (``encoding``, ``isatty``, ``fileno``, ``buffer`` ...) are those of the original.
    """

    def __init__(self, original: TextIO | None, sink: TextSink, stream: int = STDOUT,
                 target: TextIO | None = None, before_write: Callable[[], None] | None = None,
                 lock: Any = None, waiting: Callable[[], Any] | None = None) -> None:
        self.original = original
        self._sink = sink
        self._stream = stream
        self._target = original if target is None else target
        self._before_write = before_write
        self._waiting = waiting if waiting is not None else _ALWAYS
        self._lock = lock

    def write(self, text: str) -> int:
        """Hand ``text`` to the capture (first: a failing terminal must not lose output), then on."""
        if type(text) is not str and not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        sink = self._sink
        lock = self._lock
        if lock is None:
            sink.append(text, self._stream)
            if self._target is not None:
                self._target.write(text)
        else:
            with lock:
                if self._waiting():  # ``waiting``: a cheap test that saves the call most of the time
                    self._before_write()  # type: ignore[misc]
                sink.append(text, self._stream)
                if self._target is not None:
                    self._target.write(text)
        if sink._size > sink.LIMIT_BYTES:
            sink.wait_for_room()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._target is not None:
            if self._lock is None:
                self._target.flush()
            else:
                with self._lock:
                    self._target.flush()
        if self.original is not None and self.original is not self._target:
            self.original.flush()

    def __getattr__(self, name: str) -> Any:
        original = self.__dict__.get("original")
        if original is None:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (no original stream)")
        return getattr(original, name)


def _always() -> bool:
    return True


_ALWAYS = _always


def install_proxies(sink: TextSink, **options_per_stream: dict) -> dict[str, TeeStream]:
    """Replace ``sys.stdout``/``sys.stderr`` with ``TeeStream`` proxies; ``options_per_stream[name]`` are
    extra keyword arguments for that stream's proxy."""
    proxies = {}
    for name, stream in (("stdout", STDOUT), ("stderr", STDERR)):
        proxy = TeeStream(getattr(sys, name), sink, stream, **options_per_stream.get(name, {}))
        proxies[name] = proxy
        setattr(sys, name, proxy)
    return proxies


def remove_proxies(proxies: dict[str, TeeStream]) -> None:
    """Put the original streams back, unless someone replaced a proxy meanwhile (theirs stays)."""
    for name, proxy in proxies.items():
        if getattr(sys, name) is proxy:
            setattr(sys, name, proxy.original)


def flush_python_streams() -> None:
    """Flush ``sys.stdout`` and ``sys.stderr``, ignoring streams that are closed or missing."""
    for stream in (sys.stdout, sys.stderr):
        flush = getattr(stream, "flush", None)
        if flush is None:
            continue
        try:
            flush()
        except (OSError, ValueError):
            pass


def __getattr__(name: str) -> Any:
    """Expose ``FdCapture`` here too, without loading the fd machinery until it is asked for."""
    if name == "FdCapture":
        from core.capture_fd import FdCapture
        return FdCapture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
