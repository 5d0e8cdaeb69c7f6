"""Provides FdCapture, the ``fd`` capture mode: descriptors 1 and 2 redirected into pipes read in-process.

Everything written to the process's stdout/stderr descriptors (Python, C extensions, subprocesses) goes
into a pipe; a daemon thread reads it, appends the decoded text to the capture and copies the bytes to
the original descriptor, so the terminal still shows the output. When stdout and stderr lead to the same
place (a terminal, one log file) a single pipe carries both, which keeps their order exact; when they
lead to different places each gets its own pipe and keeps its destination (order exact within a stream).
No ``tee`` subprocesses are involved, so no output is reordered or lost at the end.
"""
from __future__ import annotations

import atexit
import codecs
import contextlib
import logging
import os
import select
import sys
import threading
import time
from typing import Any

from core.capture_output import OutputCapture, SysCapture, TextSink, flush_python_streams

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 65536
_FLUSH_WAIT = 0.1  # seconds flush() waits for the reader to empty the pipe
_HOLD_MILLISECONDS = 50  # how long an unfinished line waits for its end when streams have separate pipes
_STD_FDS = ((1, "stdout"), (2, "stderr"))


class FdCapture(OutputCapture):
    """Capture at the file-descriptor level and tee to the original descriptors.

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
        self._saved_fds: dict[int, int] = {}
        self._write_fds: list[int] = []
        self._readers: list[_PipeReader] = []
        self._line_buffered: list[Any] = []

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
            else:
                logger.debug('Capture mode "fd" is not possible (%s); using "sys" instead.', reason)
                self._fallback = SysCapture(self._sink)
                self._fallback.start()
            self._started = True

    def flush(self) -> None:
        """Flush Python's and C's stdio buffers, then wait briefly until the readers emptied the pipes."""
        if self._fallback is not None:
            self._fallback.flush()
            return
        flush_python_streams()
        _flush_c_streams()
        for reader in list(self._readers):
            reader.wait_idle(_FLUSH_WAIT)

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
                try:
                    flush_python_streams()
                    _flush_c_streams()
                finally:
                    self._restore()
                self._drain()
            finally:
                self._started = False

    def _redirect(self) -> None:
        """Point descriptors 1 and 2 at new pipes and start the readers; undo everything on failure."""
        flush_python_streams()
        _flush_c_streams()
        opened: list[int] = []
        readers: list[_PipeReader] = []
        write_fds: dict[int, int] = {}
        redirected: list[int] = []
        try:
            for fd, _name in _STD_FDS:
                self._saved_fds[fd] = os.dup(fd)
                opened.append(self._saved_fds[fd])
            shared = _same_destination(1, 2)
            for fd, _name in _STD_FDS:
                if shared and fd == 2:
                    write_fds[2] = write_fds[1]
                    break
                read_end, write_end = os.pipe()
                opened += [read_end, write_end]
                tee_fd = os.dup(self._saved_fds[fd])
                opened.append(tee_fd)
                readers.append(_PipeReader(read_end, tee_fd, self._sink, hold_partial_lines=not shared))
                write_fds[fd] = write_end
            for fd, _name in _STD_FDS:
                os.dup2(write_fds[fd], fd)
                redirected.append(fd)
        except OSError:
            for fd in redirected:
                os.dup2(self._saved_fds[fd], fd)
            for fd in opened:
                _close_quietly(fd)
            self._saved_fds.clear()
            raise
        self._write_fds = sorted(set(write_fds.values()))
        self._readers = readers
        for reader in readers:
            reader.start()
        self._line_buffered = _make_line_buffered()

    def _restore(self) -> None:
        """Point descriptors 1 and 2 back at their originals and close our write ends."""
        for fd, saved in self._saved_fds.items():
            try:
                os.dup2(saved, fd)
            finally:
                _close_quietly(saved)
        self._saved_fds.clear()
        for fd in self._write_fds:
            _close_quietly(fd)
        self._write_fds = []
        for stream in self._line_buffered:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.reconfigure(line_buffering=False)
        self._line_buffered = []

    def _drain(self) -> None:
        """Wait (bounded) until every reader saw the end of its pipe; readers still busy keep running."""
        deadline = time.monotonic() + self.drain_timeout
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        for reader in self._readers:
            if reader.alive:
                # A process that inherited the descriptor still holds it: keep what it wrote so far and
                # let the daemon reader go on copying its output to the terminal until it closes.
                reader.wait_idle(_FLUSH_WAIT)
                logger.debug("Output capture stopped while another process still holds the pipe.")
        self._readers = []


class _PipeReader:
    """A daemon thread copying one pipe into the capture and onto one original descriptor.

    It owns the pipe's read end and its own duplicate of the original descriptor and closes both when
    the pipe reaches end-of-file. Reading and appending happen under one lock, so ``wait_idle`` can tell
    that nothing is in flight between the pipe and the capture. With ``hold_partial_lines`` (stdout and
    stderr in separate pipes) text after the last line break waits up to ``_HOLD_MILLISECONDS`` for the rest
    of its line: unbuffered ``print`` writes the text and the newline separately, and a line of the
    other stream must not land in between.
    """

    def __init__(self, read_fd: int, tee_fd: int, sink: TextSink, hold_partial_lines: bool) -> None:
        self._read_fd = read_fd
        self._tee_fd: int | None = tee_fd
        self._sink = sink
        self._hold_partial_lines = hold_partial_lines
        self._held = ""  # an unfinished line, kept back briefly so another stream cannot split it
        self._lock = threading.Lock()
        self._done = False
        self._thread = threading.Thread(target=self._run, name="output-capture-reader", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the pipe is empty and the last chunk read is in the capture; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                try:
                    if self._done or _pending_bytes(self._read_fd) == 0:
                        self._release_held()
                        return True
                finally:
                    self._lock.release()
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.001)

    def _run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        poller = select.poll() if hasattr(select, "poll") else None
        if poller is not None:
            poller.register(self._read_fd, select.POLLIN)
        try:
            while True:
                # wait for data without holding the lock; a held partial line waits only briefly
                if poller is not None and not poller.poll(_HOLD_MILLISECONDS if self._held else None):
                    with self._lock:
                        self._release_held()
                    continue
                with self._lock:
                    data = os.read(self._read_fd, _CHUNK_SIZE)
                    self._append(decoder.decode(data, final=not data))
                if not data:
                    return
                self._copy_to_terminal(data)
        except OSError as exc:
            logger.debug("Reading captured output failed: %s", exc)
        finally:
            with self._lock:
                self._release_held()
                self._done = True
                _close_quietly(self._read_fd)
                if self._tee_fd is not None:
                    _close_quietly(self._tee_fd)

    def _append(self, text: str) -> None:
        """Hand text to the capture; with line holding, keep back what follows the last line break."""
        if not self._hold_partial_lines:
            self._sink.append(text)
            return
        text = self._held + text
        end = max(text.rfind("\n"), text.rfind("\r")) + 1
        self._sink.append(text[:end])
        self._held = text[end:]

    def _release_held(self) -> None:
        self._sink.append(self._held)
        self._held = ""

    def _copy_to_terminal(self, data: bytes) -> None:
        """Write all of ``data`` to the original descriptor; stop copying (not capturing) if it is gone."""
        view = memoryview(data)
        while view and self._tee_fd is not None:
            try:
                view = view[os.write(self._tee_fd, view):]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                _close_quietly(self._tee_fd)
                self._tee_fd = None


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


def _same_destination(first: int, second: int) -> bool:
    try:
        a, b = os.fstat(first), os.fstat(second)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _make_line_buffered() -> list[Any]:
    """Switch ``sys.stdout``/``sys.stderr`` to line buffering so prints reach the pipe at once."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "line_buffering", None) is False and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(line_buffering=True)
            except (OSError, ValueError):
                continue
            changed.append(stream)
    return changed


def _pending_bytes(fd: int) -> int:
    """Bytes waiting in a pipe (0 where the platform cannot tell)."""
    try:
        import fcntl
        import termios
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except (ImportError, OSError):
        return 0
    return int.from_bytes(raw, sys.byteorder, signed=True)


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


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
