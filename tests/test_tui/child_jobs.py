"""Jobs for child processes in tests: importable by their full name, as a child imports them."""
from __future__ import annotations

import os
from pathlib import Path


def dies_first(marker: str, items: list[int]) -> list[int]:
    """A job whose first child dies in the middle of it (as one killed or out of memory)."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return [item * 2 for item in items]


def numbered(count: int) -> list[tuple[int, str, dict[str, float]]]:
    """A list result of ``count`` small records (a child sends long lists back in slices)."""
    return [(index, f"run {index}", {"loss": index / 7}) for index in range(count)]


def fails_after(count: int) -> list[int]:
    """A job that fails, its message naming ``count``."""
    raise ValueError(f"stopped after {count} items")
