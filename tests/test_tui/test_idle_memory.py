"""An idle app over damaged runs keeps its memory and its threads: every periodic job is bounded.

Minutes of idling are compressed: polls, safety scans, liveness and SLURM checks every 50 ms. A job
that leaks per round (a thread left blocked on a FIFO, a cache keyed by time, piling notifications)
shows within the dozens of rounds done here.
"""
from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from damaged_runs import make_app_runs
from sacred_tui.app import SacredTuiApp
from sacred_tui.data.store import RunStore
from tests.test_tui.tui_runs_factory import ago, write_run


def test_idle_rounds_over_damaged_runs_keep_memory_and_threads_flat(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "runs"
    make_app_runs(folder, seed=7)  # every damage of the fuzz catalogue, FIFOs and huge files included
    write_run(folder, "900", status="RUNNING", stopped=None, heartbeat=ago(3600))  # killed long ago
    write_run(folder, "901", status="RUNNING", stopped=None, heartbeat=ago(1))
    rounds = {"tick": 0}
    real_tick = RunStore.tick

    def counted_tick(self: RunStore, now: float | None = None) -> list:  # type: ignore[type-arg]
        rounds["tick"] += 1
        return real_tick(self, now)

    monkeypatch.setattr(RunStore, "tick", counted_tick)

    async def idle() -> tuple[int, int, int, int, int]:
        app = SacredTuiApp(folder, poll=True, poll_interval=0.05, safety_interval=0.05,
                           liveness_interval=0.05, slurm_interval=0.05)
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(1500):
                if app.watcher is not None and not app.store.pending and app.painted.is_set():
                    break
                await pilot.pause(0.02)
            await asyncio.sleep(1.0)  # the first rounds fill what is kept for good
            before_memory, before_threads = tracemalloc.get_traced_memory()[0], threading.active_count()
            before_rounds = rounds["tick"]
            await asyncio.sleep(3.0)
            after_memory, after_threads = tracemalloc.get_traced_memory()[0], threading.active_count()
            return before_memory, after_memory, before_threads, after_threads, rounds["tick"] - before_rounds

    tracemalloc.start()
    try:
        before_memory, after_memory, before_threads, after_threads, idle_rounds = asyncio.run(idle())
    finally:
        tracemalloc.stop()
    assert idle_rounds >= 10, "the idle rounds did not run: the test would prove nothing"
    assert after_threads <= before_threads + 2, (before_threads, after_threads)
    assert after_memory - before_memory < 2_000_000, (before_memory, after_memory)
