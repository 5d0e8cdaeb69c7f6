"""Sacred's ``sacred.stdout_capturing``: capture what a block of code prints (``fd``, ``sys`` or ``no``)."""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

__all__ = ["flush", "get_stdcapturer"]


def flush() -> None:
    """Flush Python's stdout and stderr buffers."""
    from core.capture_output import flush_python_streams
    flush_python_streams()


class CapturedStdout:
    """What a capture block yields: ``get()`` returns the text printed since the previous call."""

    def __init__(self, capture: Any) -> None:
        self._capture = capture
        self.closed = False

    def get(self) -> str:
        return self._capture.read_new()

    def finalize(self) -> None:
        self.closed = True


def get_stdcapturer(mode: str | None = None) -> tuple[str, Callable[[], Any]]:
    """``(mode, capture)``: ``with capture() as out:`` captures output; the default mode is the setting's."""
    from core.capture_output import CAPTURE_MODES, create_capture
    from core.settings import SETTINGS
    mode = mode if mode is not None else SETTINGS.CAPTURE_MODE
    if mode not in CAPTURE_MODES:
        raise KeyError(f"Unknown capture mode '{mode}'. Available options are {sorted(CAPTURE_MODES)}")

    @contextlib.contextmanager
    def capture_stdout() -> Iterator[CapturedStdout]:
        capture = create_capture(mode)
        capture.start()
        out = CapturedStdout(capture)
        try:
            yield out
        finally:
            capture.stop()
            out.finalize()

    return mode, capture_stdout
