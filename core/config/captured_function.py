"""Sacred's module name for turning a function into a captured function."""
from __future__ import annotations

from typing import Callable

from core.capture import capture

__all__ = ["create_captured_function"]


def create_captured_function(function: Callable, prefix: str | None = None) -> Callable:
    """``function`` with its missing arguments filled from the config of the run it is called in."""
    return capture(function, prefix=prefix)
