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

from core.observers.atomic import atomic_write_text

__all__ = ["PROCESS_FILE", "process_info_text", "write_process_file"]

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


_written: dict[str, tuple[str, str, tuple[int, int, int]]] = {}
"""Per runs folder: (a process.json this process wrote there, its text, (inode, size, mtime) then)."""


def write_process_file(run_dir: str) -> None:
    """Put this process's ``process.json`` into ``run_dir``.

    Every run of one process has the same text, so after the first it is a hard link to a copy this
    process wrote in the same runs folder: no new file to create and write, which is what costs on a
    busy disk when a program makes thousands of short runs. A link appears whole, as a rename does. If
    that copy is gone or was changed, or the file system has no hard links, the file is written anew.
    """
    text = process_info_text()
    path = os.path.join(run_dir, PROCESS_FILE)
    folder = os.path.dirname(os.path.abspath(run_dir))
    known = _written.get(folder)
    if known is not None and known[1] == text:
        try:
            info = os.stat(known[0])
            if (info.st_ino, info.st_size, info.st_mtime_ns) == known[2]:
                os.link(known[0], path)
                return
        except OSError:  # gone, changed, or no hard links here: write it
            pass
    atomic_write_text(path, text)
    try:
        info = os.stat(path)
    except OSError:
        return
    _written[folder] = (path, text, (info.st_ino, info.st_size, info.st_mtime_ns))
