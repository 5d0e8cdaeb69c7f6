"""Provides PipeReader, the one thread per process that reads the pipes of every active ``fd`` capture,
and READER, that thread's instance (reset in a forked child).
"""
from __future__ import annotations

import logging
import os
import select
import threading
from typing import TYPE_CHECKING, Any

from core.run_clock import block_signals_in_this_thread

if TYPE_CHECKING:
    from core.capture_pipes import StdPipes

__all__ = ["READER", "PipeReader"]

logger = logging.getLogger(__name__)


class PipeReader:
    """One thread per process reading the pipes of every active capture, started on first use.

    Output that bypasses Python's streams (C code, subprocesses) is taken in as soon as it is written,
    which keeps it in order against the other stream's; a capture does not pay for a thread of its own.

    Where the system has ``epoll`` (Linux), a capture's pipes join the watched set without waking the
    thread, and leave it before they end (the capture reads them to their end itself): a short run that
    writes nothing below Python never wakes the thread, which matters for thousands of runs in a loop.
    Elsewhere ``poll`` is used, and the thread is woken to watch a new set.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[int, StdPipes] = {}  # read end -> its pipes
        self._wake_read = self._wake_write = -1
        self._epoll: Any = None
        self._watched: set[int] = set()  # read ends in the epoll set
        self._thread: threading.Thread | None = None

    def register(self, pipes: StdPipes) -> None:
        with self._lock:
            for read_end in pipes.read_ends.values():
                self._owners[read_end] = pipes
            if self._thread is None or not self._thread.is_alive():
                self._start()
            if self._epoll is not None:
                self._watch(pipes.read_ends.values())
                return
        try:
            os.write(self._wake_write, b"x")  # watch the new pipes from now on
        except OSError:
            pass

    def pause(self, pipes: StdPipes) -> None:
        """Stop watching the pipes while their capture reads them to the end itself (``epoll`` only:
        with ``poll`` the thread sees the end too, as it always did)."""
        if self._epoll is not None:
            with self._lock:
                for read_end in pipes.read_ends.values():
                    self._unwatch(read_end)

    def resume(self, pipes: StdPipes) -> None:
        """Watch the pipes again (another process still holds them: their end comes later)."""
        if self._epoll is not None:
            with self._lock:
                self._watch(pipes.read_ends.values())

    def forget(self, read_end: int) -> None:
        """Stop watching a pipe that ended (its poll reports that, so the loop looks again anyway)."""
        with self._lock:
            self._owners.pop(read_end, None)
            if self._epoll is not None:
                self._unwatch(read_end)

    def _start(self) -> None:
        """Start the thread (the lock is held)."""
        if hasattr(select, "epoll"):
            if self._epoll is not None:
                self._epoll.close()
            self._epoll = select.epoll()
            self._watched = set()
            self._watch(list(self._owners))
            target, args = self._loop_epoll, (self._epoll,)
        else:
            self._wake_read, self._wake_write = os.pipe()
            os.set_blocking(self._wake_read, False)
            target, args = self._loop, (self._wake_read,)
        self._thread = threading.Thread(target=target, args=args, name="output-capture-reader", daemon=True)
        self._thread.start()

    def _watch(self, read_ends: Any) -> None:
        for read_end in read_ends:
            try:
                self._epoll.register(read_end, select.EPOLLIN)
            except FileExistsError:
                pass
            except OSError as exc:  # the proxies and the end of the capture still take in its output
                logger.debug("Cannot watch a capture pipe: %s", exc)
                continue
            self._watched.add(read_end)

    def _unwatch(self, read_end: int, known: bool = True) -> None:
        """Take ``read_end`` out of the set (``known``: only if this object put it there)."""
        if known and read_end not in self._watched:
            return
        self._watched.discard(read_end)
        try:
            self._epoll.unregister(read_end)
        except (OSError, ValueError):  # already closed
            pass

    def _loop_epoll(self, watched: Any) -> None:
        block_signals_in_this_thread()
        while True:
            try:
                ready = watched.poll()
            except ValueError:  # closed: a new thread and set took over
                return
            except OSError:
                continue
            for read_end, _events in ready:
                with self._lock:
                    pipes = self._owners.get(read_end)
                    if pipes is None:  # not a capture's any more: never report it again
                        self._unwatch(read_end, known=False)
                        continue
                with pipes.lock:
                    if read_end in pipes.read_ends.values():
                        pipes.take_waiting()
                pipes.sink.wait_for_room()

    def _loop(self, wake_read: int) -> None:
        block_signals_in_this_thread()
        while True:
            with self._lock:
                watched = dict(self._owners)
            poller = select.poll()
            poller.register(wake_read, select.POLLIN)
            for read_end in watched:
                poller.register(read_end, select.POLLIN)
            try:
                ready = poller.poll()
            except OSError:
                continue
            for read_end, _events in ready:
                if read_end == wake_read:
                    try:
                        os.read(wake_read, 4096)
                    except OSError:
                        pass
                    continue
                pipes = watched.get(read_end)
                if pipes is None:
                    continue
                with pipes.lock:
                    if read_end in pipes.read_ends.values():
                        pipes.take_waiting()
                pipes.sink.wait_for_room()

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._owners = {}
        self._thread = None
        self._watched = set()
        if self._epoll is not None:  # this process's copy only; the parent's set is untouched
            try:
                self._epoll.close()
            except OSError:
                pass
            self._epoll = None


READER = PipeReader()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=READER.reset_after_fork)
