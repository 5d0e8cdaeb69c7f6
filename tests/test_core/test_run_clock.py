"""The shared clock thread runs each callback about when it is due, whatever order they were scheduled in."""
from __future__ import annotations

import threading
import time

from core.run_clock import schedule


def test_callbacks_run_when_due_in_any_scheduling_order() -> None:
    fired: dict[str, float] = {}
    done = threading.Event()

    def note(name: str) -> None:
        fired[name] = time.monotonic()
        if len(fired) == 3:
            done.set()

    start = time.monotonic()
    schedule(0.6, lambda: note("late"))
    schedule(0.05, lambda: note("early"))  # due before the one the clock waits for
    schedule(0.3, lambda: note("middle"))  # due after the head: the clock finds it when it wakes
    assert done.wait(5)
    assert sorted(fired, key=fired.get) == ["early", "middle", "late"]
    assert fired["early"] - start < 0.5  # it did not wait for the one due at 0.6 s
    assert fired["middle"] - start >= 0.3
    assert fired["late"] - start >= 0.6


def test_cancelled_callbacks_never_run_and_do_not_hold_up_later_ones() -> None:
    fired: list[str] = []
    done = threading.Event()
    first = schedule(0.05, lambda: fired.append("cancelled"))
    schedule(0.15, lambda: (fired.append("kept"), done.set()))
    first.cancel()
    assert done.wait(5)
    assert fired == ["kept"]
