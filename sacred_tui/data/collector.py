"""Provides lasting_objects(): the cyclic garbage collector's full collections paused while the objects
that live as long as the app are made (the rows of a folder being read), then those set aside for good.

A full collection walks every object the interpreter tracks: while 20,000 rows were read one took
0.15-0.4 s, holding the interpreter's lock (the UI froze for that long, several times per load).
Young objects are still collected as usual, so short-lived cycles do not pile up meanwhile; what died
older (a run screen closed during the load) is collected once, at the end, before the freeze.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["lasting_objects"]

_NEVER = 1 << 30
"""A threshold for the oldest generation that is never reached."""

_LONGEST_PAUSE = 30.0
"""Seconds after which full collections resume even if the block goes on (a load of huge metric
files can take minutes: the memory of screens closed meanwhile must not wait that long)."""


@contextmanager
def lasting_objects(longest: float = _LONGEST_PAUSE) -> Iterator[None]:
    """Skip full collections in the block (for ``longest`` seconds at most), then collect once and
    freeze what is left alive (later full collections skip it).

    Thresholds are the interpreter's, so the block must not overlap another one (one load at a time).
    """
    young, middle, old = gc.get_threshold()
    until = time.monotonic() + longest

    def resume_when_late(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start" and time.monotonic() > until:
            gc.set_threshold(young, middle, old)

    gc.set_threshold(young, middle, _NEVER)
    gc.callbacks.append(resume_when_late)
    try:
        yield
    finally:
        gc.callbacks.remove(resume_when_late)
        gc.set_threshold(young, middle, old)
        gc.collect()  # what died in the block is freed, not frozen for good
        gc.freeze()
