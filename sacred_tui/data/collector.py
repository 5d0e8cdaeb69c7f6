"""Provides lasting_objects(): the cyclic garbage collector's full collections paused while the objects
that live as long as the app are made (the rows of a folder being read), then those set aside for good.

A full collection walks every object the interpreter tracks: while 20,000 rows were read one took
0.15-0.4 s, holding the interpreter's lock (the UI froze for that long, several times per load).
Young objects are still collected as usual, so short-lived cycles do not pile up meanwhile; what died
older (a run screen closed during the load) is collected once, at the end, before the freeze. That one
collection holds the lock too (0.1-0.2 s at 20,000 rows): the caller may first wait for a moment when
nobody is typing (``settle``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["lasting_objects"]

_NEVER = 1 << 30
"""A threshold for the oldest generation that is never reached."""

_LONGEST_PAUSE = 30.0
"""Seconds after which full collections resume even if the block goes on (a load of huge metric
files can take minutes: the memory of screens closed meanwhile must not wait that long)."""


@contextmanager
def lasting_objects(longest: float = _LONGEST_PAUSE,
                    settle: Callable[[], bool] | None = None) -> Iterator[None]:
    """Skip full collections in the block (for ``longest`` seconds at most), then collect once and
    freeze what is left alive (later full collections skip it).

    ``settle`` is called when the block ends, before that collection: it may wait (for a pause in
    the user's input), full collections still skipped meanwhile unless ``longest`` has passed; when
    it returns False (the app is quitting) everything is frozen without that collection: the
    interpreter's own collection at exit then skips it too (quitting took 0.3-0.5 s longer).
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
        try:
            finish = settle() if settle is not None else True
        finally:
            gc.callbacks.remove(resume_when_late)
            gc.set_threshold(young, middle, old)
        if finish:
            gc.collect()  # what died in the block is freed, not frozen for good
        gc.freeze()
