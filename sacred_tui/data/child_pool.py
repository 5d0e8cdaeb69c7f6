"""Provides ChildPool: one job's list of items shared out among child processes, one per core.

Reading the files of 20,000 runs is CPU work: one child process uses one core. A pool splits the
items of a job into contiguous parts, runs each part in its own
:class:`~sacred_tui.data.child_worker.ChildWorker` at the same time (the calling threads wait
without the interpreter lock) and joins the results in the items' order.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sacred_tui.data.child_worker import ChildGone, ChildWorker

__all__ = ["ChildPool", "pool_size"]

T = TypeVar("T")

logger = logging.getLogger(__name__)

MIN_PART = 50
"""Items per child at least: smaller jobs go to fewer children (a part has a fixed cost)."""


def pool_size() -> int:
    """Children worth running: the cores this process may use, at most two (the app needs one too)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


class ChildPool:
    """Child processes that run the parts of a job at the same time; thread-safe."""

    def __init__(self, size: int | None = None, jobs_per_child: int | None = None) -> None:
        self.workers = [ChildWorker(jobs_per_child=jobs_per_child) for _ in range(size or pool_size())]

    def close(self) -> None:
        """End every child now (running parts are abandoned)."""
        for worker in self.workers:
            worker.close()

    def map(self, function: Callable[..., list[T]], items: Sequence[Any], *args: Any) -> list[T]:
        """Run ``function(args[0], part, *args[1:])`` for each part of ``items`` (jobs take the
        folder first, then their items) and join the lists they return in order.

        Raises what :meth:`ChildWorker.run` raises for any part (the first failure).
        """
        return self.map_with(function, items, None, *args)

    def map_with(self, function: Callable[..., list[T]], items: Sequence[Any],
                 extra: Callable[[list[Any]], Any] | None, *args: Any) -> list[T]:
        """:meth:`map`, with ``extra(part)`` passed as the job's last argument when given (what
        only that part needs, e.g. its lines of a cache)."""
        parts = min(len(self.workers), max(1, len(items) // MIN_PART))
        size = max(1, -(-len(items) // parts))
        chunks = [list(items[start:start + size]) for start in range(0, len(items), size)] or [[]]
        arguments = [args if extra is None else (*args, extra(chunk)) for chunk in chunks]
        if len(chunks) == 1:
            return self._run(self.workers[0], function, chunks[0], arguments[0])
        results: list[list[T] | BaseException | None] = [None] * len(chunks)

        def run(index: int) -> None:
            try:
                results[index] = self._run(self.workers[index], function, chunks[index], arguments[index])
            except BaseException as exc:  # handed to the caller below
                results[index] = exc

        helpers = [threading.Thread(target=run, args=(index,), name=f"child-part-{index}", daemon=True)
                   for index in range(1, len(chunks))]
        for helper in helpers:
            helper.start()
        run(0)
        for helper in helpers:
            helper.join()
        joined: list[T] = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            assert result is not None
            joined.extend(result)
        return joined

    @staticmethod
    def _run(worker: ChildWorker, function: Callable[..., list[T]], part: list[Any],
             args: Sequence[Any]) -> list[T]:
        """One part in one child; a child that died is replaced once (the part is read again)."""
        try:
            return worker.run(function, args[0], part, *args[1:])
        except ChildGone:
            if worker.closed:
                raise
            logger.warning("a reading process ended during its job: starting another one")
            return worker.run(function, args[0], part, *args[1:])
