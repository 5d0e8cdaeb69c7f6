"""Provides the text of ``process.json``: an extra file beside a run, not part of Sacred's format.

It lets a viewer on the same host tell a killed run from a live one (pid and host; the process's
start in clock ticks since boot, so a reused pid is never taken for the run) and re-run it with the
interpreter it used.
"""
from __future__ import annotations

import json
import os
import platform
import sys
from typing import Any

__all__ = ["PROCESS_FILE", "process_info_text"]

PROCESS_FILE = "process.json"

_cached: tuple[int, str] | None = None
"""(pid, text) of the last call: the facts never change within one process, and a program making
thousands of short runs should not read /proc for each of them (a forked child has its own pid)."""


def process_info_text() -> str:
    """This process's facts as ``process.json`` holds them."""
    global _cached
    pid = os.getpid()
    if _cached is not None and _cached[0] == pid:
        return _cached[1]
    info: dict[str, Any] = {"hostname": platform.node(), "pid": pid, "python": sys.executable}
    ticks = _own_start_ticks()
    if ticks is not None:
        info["started_ticks"] = ticks
    text = json.dumps(info, sort_keys=True, indent=2)
    _cached = (pid, text)
    return text


def _own_start_ticks() -> int | None:
    """This process's start in clock ticks since boot (field 22 of /proc/self/stat), where Linux tells."""
    try:
        with open("/proc/self/stat", "rb") as stream:
            fields = stream.read().rpartition(b")")[2].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None
