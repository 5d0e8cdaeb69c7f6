"""Provides lasting_objects(): the cyclic garbage collector's full collections paused while the objects
that live as long as the app are made (the rows of a folder being read), then those set aside for good.

A full collection walks every object the interpreter tracks: while 20,000 rows were read one took
0.15-0.4 s, holding the interpreter's lock (the UI froze for that long, several times per load).
Young objects are still collected as usual, so short-lived cycles do not pile up meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["lasting_objects"]

_NEVER = 1 << 30
"""A threshold for the oldest generation that is never reached."""


@contextmanager
def lasting_objects() -> Iterator[None]:
    """Skip full collections in the block, then freeze what exists (later full collections skip it).

    Thresholds are the interpreter's, so the block must not overlap another one (one load at a time).
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
        gc.freeze()
