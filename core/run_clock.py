"""Provides ``schedule``: run a quick callback after a delay, on one clock thread shared by all runs.

A run needs its background threads (output flusher, heartbeat, capture reader) only once it lasts: a
run that ends within half a second starts none, which matters when a program runs thousands of short
runs in a loop. The clock thread itself starts once per process and only calls short callbacks.
"""
from __future__ import annotations

import heapq
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable

__all__ = ["Scheduled", "block_signals_in_this_thread", "schedule"]

_ASYNC_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGWINCH")


def block_signals_in_this_thread() -> None:
    """Keep process signals (Ctrl-C, SIGTERM, alarms ...) away from this helper thread.

    The kernel hands a signal sent to the process to any thread that does not block it; one that lands
    on a helper thread does not wake the main thread, so a main thread sleeping in ``time.sleep`` would
    only see a SIGTERM once its sleep ends. Blocked here, such signals always reach the main thread.
    """
    wanted = {getattr(signal, name) for name in _ASYNC_SIGNALS if hasattr(signal, name)}
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask on this platform
        pass


class Scheduled:
    """A pending callback; ``cancel()`` keeps it from running (no effect once it ran)."""

    __slots__ = ("due", "callback", "cancelled")

    def __init__(self, due: float, callback: Callable[[], None]) -> None:
        self.due = due
        self.callback: Callable[[], None] | None = callback
        self.cancelled = False

    def cancel(self) -> None:
        """Keep it from running, and let go of the callback at once: a cancelled item stays in the queue
        until it is due, and a run's callback holds the whole run (hundreds of finished runs would
        otherwise stay alive, and make each garbage collection slower, in a program making many)."""
        self.cancelled = True
        self.callback = None


class _Clock:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Scheduled]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, callback: Callable[[], None]) -> Scheduled:
        item = Scheduled(time.monotonic() + delay, callback)
        with self._condition:
            heapq.heappush(self._heap, (item.due, next(self._order), item))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="run-clock", daemon=True)
                self._thread.start()
            if self._heap[0][2] is item:  # due first: the clock must wake earlier than it planned
                self._condition.notify()
        return item

    def _loop(self) -> None:
        block_signals_in_this_thread()
        while True:
            with self._condition:
                while True:
                    while self._heap and self._heap[0][2].cancelled:
                        heapq.heappop(self._heap)
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        item = heapq.heappop(self._heap)[2]
                        break
                    self._condition.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
            callback = item.callback
            if callback is not None and not item.cancelled:
                try:
                    callback()
                except Exception:  # a callback must never stop the clock for everyone else
                    pass


    def reset_after_fork(self) -> None:
        """In a forked child the clock thread does not exist and the lock may be held: start afresh."""
        self._condition = threading.Condition()
        self._heap = []
        self._thread = None


_CLOCK = _Clock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_CLOCK.reset_after_fork)


def schedule(delay: float, callback: Callable[[], None]) -> Scheduled:
    """Call ``callback()`` (it must be quick) on the clock thread in about ``delay`` seconds."""
    return _CLOCK.schedule(delay, callback)
