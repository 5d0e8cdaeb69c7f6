"""Provides DaemonThreadExecutor: background reads that can never keep the app from quitting.

The app reads run folders in worker threads. Python's default executor joins its threads when the
event loop closes and again at interpreter exit, so one read stuck in the kernel (a hung network
file system, a device that never answers) would keep the process alive after the user quit. This
executor runs each call in its own daemon thread and never waits for them on shutdown.
"""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["DaemonThreadExecutor"]

T = TypeVar("T")


class DaemonThreadExecutor(ThreadPoolExecutor):
    """An executor whose calls run in daemon threads, one each; ``shutdown`` returns at once.

    It subclasses ThreadPoolExecutor only because asyncio accepts nothing else as the default
    executor; none of the pool machinery is used.
    """

    def __init__(self, name: str = "reader") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._name = name
        self._closed = False
        self._numbers = itertools.count(1)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:  # type: ignore[override]
        """Start ``fn(*args, **kwargs)`` in a new daemon thread and return its future."""
        if self._closed:
            raise RuntimeError("DaemonThreadExecutor.submit() after shutdown(): no new work is started")
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever awaits the future
                future.set_exception(exc)
            else:
                future.set_result(result)

        thread = threading.Thread(target=run, name=f"{self._name}-{next(self._numbers)}", daemon=True)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; running calls are left to finish (or not) on their own."""
        self._closed = True
