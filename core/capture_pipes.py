"""Provides StdPipes, the two pipes behind descriptors 1 and 2 in the ``fd`` capture mode (the one
thread per process that reads the pipes of every active capture is :mod:`core.pipe_reader`'s).

Reading and handing text to the capture happen under ``StdPipes.lock``, the lock the stream proxies take
too, so the capture sees writes in the order they happened. Each pipe's bytes are also copied on to the
original destination of its descriptor.
"""
from __future__ import annotations

import codecs
import io
import logging
import os
import select
import sys
import threading
import time
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

from core.capture_output import STDERR, STDOUT, TextSink
from core.pipe_reader import READER

__all__ = ["READER", "StdPipes"]

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 65536
_STD_FDS = ((STDOUT, "stdout"), (STDERR, "stderr"))
_PIPE_BYTES = 1 << 20


class StdPipes:
    """The two pipes behind descriptors 1 and 2, their reader thread and the streams to the destinations.

    ``lock`` orders everything that enters the capture: the reader thread and the proxies take it while
    they read a pipe or hand a write to the capture, so the capture sees writes in the order they
    happened. Each pipe's bytes are copied on to the original destination of its descriptor.
    """

    def __init__(self, sink: TextSink) -> None:
        self.sink = sink
        self.lock = threading.RLock()
        self.saved: dict[int, int] = {}  # fd -> duplicate of its original destination
        self.read_ends: dict[int, int] = {}  # fd -> read end of its pipe
        self.write_ends: dict[int, int] = {}
        self.tee_fds: dict[int, int | None] = {}  # fd -> where the pipe's bytes are copied to
        self.targets: dict[int, io.TextIOWrapper] = {}  # fd -> text stream the proxy writes to
        self.decoders = {fd: codecs.getincrementaldecoder("utf-8")(errors="replace") for fd, _ in _STD_FDS}
        self._done = threading.Event()
        self.ready_poller = select.poll()

    def open(self) -> None:
        for fd, name in _STD_FDS:
            self.saved[fd] = os.dup(fd)
            read_end, write_end = os.pipe()
            self.read_ends[fd], self.write_ends[fd] = read_end, write_end
            os.set_blocking(read_end, False)
            _enlarge(write_end)
            self.ready_poller.register(read_end, select.POLLIN)
            self.tee_fds[fd] = os.dup(self.saved[fd])
            self.targets[fd] = _destination_stream(self.saved[fd], getattr(sys, name))
        redirected = []
        try:
            for fd, _name in _STD_FDS:
                os.dup2(self.write_ends[fd], fd)
                redirected.append(fd)
        except OSError:
            for fd in redirected:
                os.dup2(self.saved[fd], fd)
            raise

    def take_waiting(self, to_the_end: bool = False) -> None:
        """Take in (and copy on) what waits in the pipes now; the caller holds ``lock``.

        One ``poll`` system call finds the pipes with data, so a Python write costs little extra.
        ``to_the_end``: keep reading until a pipe is empty or ended, not just what one read returns.
        """
        ready = self.ready_poller.poll(0)
        if not ready:
            return
        by_read_end = {read_end: fd for fd, read_end in self.read_ends.items()}
        for read_end, _events in sorted(ready, key=lambda item: by_read_end.get(item[0], 0)):
            fd = by_read_end.get(read_end)
            if fd is None:
                continue
            while True:
                try:
                    data = os.read(read_end, _CHUNK_SIZE)
                except BlockingIOError:
                    break
                except OSError as exc:
                    logger.debug("Reading captured output failed: %s", exc)
                    data = b""
                if not data:
                    self.ready_poller.unregister(read_end)
                    self._close_pipe(fd)
                    break
                self._deliver(fd, data)
                if len(data) < _CHUNK_SIZE and not to_the_end:
                    break

    def _deliver(self, fd: int, data: bytes) -> None:
        self.sink.append(self.decoders[fd].decode(data), fd)
        target = self.targets.get(fd)
        if target is not None:  # text a proxy buffered for the same destination goes first
            try:
                target.flush()
            except (OSError, ValueError):
                pass
        self._copy_on(fd, data)

    def _copy_on(self, fd: int, data: bytes) -> None:
        """Write all of ``data`` to the original destination; stop copying (not capturing) if it is gone."""
        view = memoryview(data)
        while view and self.tee_fds.get(fd) is not None:
            try:
                view = view[os.write(self.tee_fds[fd], view):]  # type: ignore[arg-type]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                _close_quietly(self.tee_fds[fd])  # type: ignore[arg-type]
                self.tee_fds[fd] = None

    def _close_pipe(self, fd: int) -> None:
        """The pipe of ``fd`` reached its end: finish decoding, close it and its copy descriptor."""
        self.sink.append(self.decoders[fd].decode(b"", final=True), fd)
        read_end = self.read_ends.pop(fd)
        READER.forget(read_end)
        _close_quietly(read_end)
        tee = self.tee_fds.pop(fd, None)
        if tee is not None:
            _close_quietly(tee)
        if not self.read_ends:
            self._done.set()

    def restore_descriptors(self) -> None:
        """Point 1 and 2 back at their destinations and close our write ends (the pipes then end)."""
        with self.lock:
            READER.pause(self)  # ``finish`` reads them to their end
            for fd, target in self.targets.items():
                try:
                    target.flush()
                except (OSError, ValueError):
                    pass
            for fd, saved in self.saved.items():
                try:
                    os.dup2(saved, fd)
                finally:
                    _close_quietly(saved)
            self.saved.clear()
            for write_end in self.write_ends.values():
                _close_quietly(write_end)
            self.write_ends.clear()

    def finish(self, timeout: float) -> None:
        """Read both pipes to their end; wait (bounded) for a process still holding one (the reader
        thread then keeps copying its output on)."""
        with self.lock:
            self.take_waiting(to_the_end=True)
            if self.read_ends:  # another process still holds a pipe: the reader thread follows it
                READER.resume(self)
        if self.read_ends and not self._done.wait(timeout):
            with self.lock:
                self.take_waiting()
            logger.debug("Output capture stopped while another process still holds the pipe.")
        for target in self.targets.values():
            try:
                target.close()
            except (OSError, ValueError):
                pass
        self.targets = {}

    def release_in_child(self) -> None:
        """In a forked child: close this process's copies of the pipes' other ends and of the saved
        descriptors; the streams to the destinations write to the null device from now on, so the
        parent's text buffered in them never reaches a destination twice. Descriptors 1 and 2 stay."""
        self._close_descriptors()
        try:
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            null = -1
        for target in self.targets.values():
            try:
                if null >= 0:
                    os.dup2(null, target.fileno())
            except (OSError, ValueError):
                pass
            _ABANDONED.append(target)  # never finalized while the child runs
        if null >= 0:
            _close_quietly(null)
        self.saved, self.read_ends, self.write_ends, self.tee_fds, self.targets = {}, {}, {}, {}, {}

    def _close_descriptors(self) -> None:
        """Close the saved descriptors, both ends of the pipes and the tee copies."""
        for fds in (self.saved, self.read_ends, self.write_ends):
            for fd in fds.values():
                _close_quietly(fd)
        for tee in self.tee_fds.values():
            if tee is not None:
                _close_quietly(tee)

    def close_all(self) -> None:
        """Release everything after a failed ``open``."""
        self._close_descriptors()
        for target in self.targets.values():
            try:
                target.close()
            except (OSError, ValueError):
                pass


_ABANDONED: list[io.TextIOWrapper] = []
"""Streams a forked child inherited from a capture of its parent (they write to the null device)."""


def _enlarge(pipe_fd: int) -> None:
    """Give a pipe room for 1 MB (Linux), so C-level output rarely waits for the reader."""
    if fcntl is None:
        return
    try:
        fcntl.fcntl(pipe_fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except OSError:
        pass


def _destination_stream(saved_fd: int, original: Any) -> io.TextIOWrapper:
    """A text stream to the original destination that encodes and buffers as the original stream.

    Line-buffered for a terminal (and where the original was, as stderr is), else block-buffered as
    Python buffers output to files and pipes; the capture's flushes (about every second, and before
    output of C code or subprocesses reaches the same destination) keep a log file current.
    """
    raw = io.FileIO(os.dup(saved_fd), "w", closefd=True)
    encoding = getattr(original, "encoding", None) or "utf-8"
    errors = getattr(original, "errors", None) or "strict"
    line_buffering = bool(getattr(original, "line_buffering", False)) or raw.isatty()
    unbuffered = isinstance(getattr(original, "buffer", None), io.RawIOBase)  # python -u
    binary = raw if unbuffered else io.BufferedWriter(raw)
    return io.TextIOWrapper(binary, encoding=encoding, errors=errors,  # type: ignore[arg-type]
                            line_buffering=line_buffering, write_through=bool(getattr(original, "write_through", False)))


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
