"""Provides FdCapture, the ``fd`` capture mode: descriptors 1 and 2 redirected into pipes read in-process.

Everything written to the process's stdout/stderr (Python, C extensions, subprocesses) is captured and
still reaches its original destination, whatever that is (a terminal, one log file, two log files, a
pipe), and the capture keeps the order in which the process wrote:

- ``sys.stdout``/``sys.stderr`` become proxies that hand each Python-level write to the capture at once
  and then write it to the original destination. Python-level writes are therefore in exact order.
- Descriptors 1 and 2 lead into one pipe each, for output that bypasses ``sys.stdout``/``sys.stderr``
  (C code, subprocesses, handlers holding the original stream objects). Before a proxy takes a write,
  it takes in whatever waits in the pipes, under the same lock as the reader thread, so such output is
  ordered correctly against Python writes, and at least per write call against each other.

No ``tee`` subprocesses are involved, so nothing is reordered or lost at the end.
"""
from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import threading
import weakref
from typing import Any

from core.capture_output import (STDERR, STDOUT, OutputCapture, SysCapture, TeeStream, TextSink,
                                 flush_python_streams, install_proxies, remove_proxies)
from core.capture_pipes import READER, StdPipes

logger = logging.getLogger(__name__)

_STD_FDS = ((STDOUT, "stdout"), (STDERR, "stderr"))


class FdCapture(OutputCapture):
    """Capture at the file-descriptor level and tee to the original destinations.

    Falls back to the ``sys`` mode (with a debug log) when ``sys.stdout``/``sys.stderr`` do not write
    to descriptors 1/2, e.g. under pytest's ``capsys``, in notebooks, or with a ``StringIO`` stdout.

    Args:
        drain_timeout: on ``stop()``, how long to wait for processes that still hold the descriptors
            (e.g. a background subprocess) before returning; what they wrote until then is kept.
    """

    mode = "fd"

    def __init__(self, sink: TextSink | None = None, drain_timeout: float = 1.0) -> None:
        super().__init__(sink)
        self.drain_timeout = drain_timeout
        self._fallback: SysCapture | None = None
        self._pipes: StdPipes | None = None
        self._proxies: dict[str, TeeStream] = {}
        self._line_buffered: list[Any] = []
        self._handlers: list[tuple[logging.StreamHandler, Any]] = []

    @property
    def active_mode(self) -> str:
        return "sys" if self._fallback is not None else "fd"

    def start(self) -> None:
        with self._state_lock:
            if self._started:
                return
            reason = _why_not_fd_capturable()
            if reason is None:
                try:
                    self._redirect()
                except OSError as exc:
                    reason = f"redirecting descriptors 1 and 2 failed: {exc}"
            if reason is None:
                atexit.register(self.stop)  # never leave fds 1/2 pointing at a pipe nobody reads
                _ACTIVE.add(self)
            else:
                logger.debug('Capture mode "fd" is not possible (%s); using "sys" instead.', reason)
                self._fallback = SysCapture(self._sink)
                self._fallback.start()
            self._started = True

    def flush(self) -> None:
        """Flush Python's and C's buffers, then take in everything waiting in the pipes."""
        if self._fallback is not None:
            self._fallback.flush()
            return
        flush_python_streams()
        _flush_c_streams()
        pipes = self._pipes
        if pipes is not None:
            with pipes.lock:
                pipes.take_waiting()

    def stop(self) -> None:
        with self._state_lock:
            if not self._started:
                return
            try:
                if self._fallback is not None:
                    self._fallback.stop()
                    self._fallback = None
                    return
                atexit.unregister(self.stop)
                _ACTIVE.discard(self)
                try:
                    flush_python_streams()
                    _flush_c_streams()
                finally:
                    self._restore()
            finally:
                self._started = False

    def _redirect(self) -> None:
        """Point descriptors 1 and 2 at new pipes, install the proxies; undo everything on failure."""
        flush_python_streams()
        _flush_c_streams()
        pipes = StdPipes(self._sink)
        try:
            pipes.open()
        except OSError:
            pipes.close_all()
            raise
        self._pipes = pipes
        options = {name: {"target": pipes.targets[fd], "before_write": pipes.take_waiting, "lock": pipes.lock,
                          "waiting": functools.partial(pipes.ready_poller.poll, 0)}
                   for fd, name in _STD_FDS}
        self._proxies = install_proxies(self._sink, **options)
        self._line_buffered = _make_line_buffered(proxy.original for proxy in self._proxies.values())
        self._handlers = _point_handlers_at(self._proxies)
        READER.register(pipes)

    def _restore(self) -> None:
        """Put the streams and descriptors back, then read the pipes to their end (bounded)."""
        _point_handlers_back(self._handlers)
        self._handlers = []
        remove_proxies(self._proxies)
        self._proxies = {}
        for stream in self._line_buffered:
            try:
                stream.reconfigure(line_buffering=False)
            except (AttributeError, OSError, ValueError):
                pass
        self._line_buffered = []
        pipes, self._pipes = self._pipes, None
        if pipes is not None:
            pipes.restore_descriptors()
            pipes.finish(self.drain_timeout)

    def _leave_to_parent(self) -> None:
        """In a forked child (``os.fork``, multiprocessing's "fork"): the capture is the parent's.

        The child writes through its original streams to descriptors 1 and 2, which still lead into
        the parent's pipes, so the parent captures the child's output with everything else. The child
        never takes the parent's locks (another thread may have held one at the fork), never reads
        the parent's pipes, and never flushes the parent's buffered text a second time."""
        atexit.unregister(self.stop)
        for handler, original in self._handlers:
            handler.stream = original  # no setStream: it would flush through the parent's proxy
        remove_proxies(self._proxies)
        pipes, self._pipes = self._pipes, None
        if pipes is not None:
            pipes.release_in_child()
        self._proxies, self._handlers, self._line_buffered = {}, [], []
        self._state_lock = threading.RLock()
        self._started = False


_ACTIVE: weakref.WeakSet[FdCapture] = weakref.WeakSet()
"""The started fd captures of this process."""


def _after_fork_in_child() -> None:
    for capture in list(_ACTIVE):
        capture._leave_to_parent()
    _ACTIVE.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _why_not_fd_capturable() -> str | None:
    """Say why redirecting descriptors would miss ``sys.stdout``/``sys.stderr`` writes (None if it would not)."""
    for fd, name in _STD_FDS:
        stream = getattr(sys, name)
        if stream is None:
            return f"sys.{name} is None"
        try:
            actual = stream.fileno()
        except (AttributeError, OSError, ValueError) as exc:
            return f"sys.{name} has no file descriptor ({type(exc).__name__})"
        if actual != fd:
            return f"sys.{name} writes to descriptor {actual}, not {fd}"
    return None


def _point_handlers_at(proxies: dict[str, TeeStream]) -> list[tuple[logging.StreamHandler, Any]]:
    """Let logging handlers that write to the original stdout/stderr objects write to the proxies.

    Such handlers (e.g. one set up before the run) would otherwise bypass the proxies and reach the
    capture only through the pipes, where the order against other output is less exact.
    """
    by_original = {id(proxy.original): proxy for proxy in proxies.values() if proxy.original is not None}
    changed = []
    for handler in _stream_handlers():
        proxy = by_original.get(id(handler.stream))
        if proxy is not None:
            changed.append((handler, handler.stream))
            handler.setStream(proxy)  # type: ignore[arg-type]
    return changed


def _point_handlers_back(changed: list[tuple[logging.StreamHandler, Any]]) -> None:
    for handler, original in changed:
        if isinstance(handler.stream, TeeStream):
            try:
                handler.setStream(original)
            except Exception:
                pass


def _stream_handlers() -> list[logging.StreamHandler]:
    loggers: list[Any] = [logging.getLogger()]
    loggers += [item for item in list(logging.Logger.manager.loggerDict.values()) if isinstance(item, logging.Logger)]
    found: dict[int, logging.StreamHandler] = {}
    for item in loggers:
        for handler in list(item.handlers):
            if type(handler) is logging.StreamHandler or (isinstance(handler, logging.StreamHandler)
                                                          and not isinstance(handler, logging.FileHandler)):
                found[id(handler)] = handler
    return list(found.values())


def _make_line_buffered(streams: Any) -> list[Any]:
    """Switch the original stream objects to line buffering, so lines written through them (logging
    handlers created before the run hold them) reach the pipe at once."""
    changed = []
    for stream in streams:
        if getattr(stream, "line_buffering", None) is False and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(line_buffering=True)
            except (OSError, ValueError):
                continue
            changed.append(stream)
    return changed


_fflush: Any = None


def _flush_c_streams() -> None:
    """Flush C stdio buffers (``fflush(NULL)``), so output of C extensions is captured too."""
    global _fflush
    if _fflush is None:
        try:
            import ctypes
            _fflush = ctypes.CDLL(None).fflush
            _fflush.argtypes = [ctypes.c_void_p]
        except (ImportError, OSError, AttributeError, TypeError):
            _fflush = False
    if _fflush:
        _fflush(None)
