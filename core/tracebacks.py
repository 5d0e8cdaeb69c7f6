"""Provides tracebacks of user code with this library's own frames left out."""
from __future__ import annotations

import os
import traceback
from types import TracebackType

CORE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_internal(filename: str) -> bool:
    return os.path.abspath(filename).startswith(CORE_DIR)


def filtered_traceback(tb: TracebackType | None) -> TracebackType | None:
    """The traceback chain without frames from files of this package (user frames kept in order)."""
    frames = []
    while tb is not None:
        if not _is_internal(tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    if not frames:
        return None
    head = None
    for frame_tb in reversed(frames):
        head = TracebackType(head, frame_tb.tb_frame, frame_tb.tb_lasti, frame_tb.tb_lineno)
    return head


def internal_origin(exc: BaseException) -> TracebackType | None:
    """The innermost frame of ``exc``'s traceback when it lies in this package (the error is ours), else None."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None and _is_internal(tb.tb_frame.f_code.co_filename):
        return tb
    return None


def format_filtered_exception(exc: BaseException) -> list[str]:
    """Lines like ``traceback.format_exception`` but without internal frames (also in chained causes)."""
    _filter_chain(exc, set())
    return traceback.format_exception(type(exc), exc, exc.__traceback__)


def _filter_chain(exc: BaseException | None, seen: set[int]) -> None:
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        filtered = filtered_traceback(exc.__traceback__)
        if filtered is not None:
            exc.__traceback__ = filtered
        _filter_chain(exc.__context__, seen)
        exc = exc.__cause__
