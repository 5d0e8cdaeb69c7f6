"""Provides the identity check of a run's process: is the pid in process.json still that run?

Our observer records the pid, host, interpreter and the process's start time (in clock ticks
since boot, from ``/proc/self/stat``) in the extra ``process.json``. A pid is reused by the
system once its process has ended, so a pid that exists today may belong to another program.
Before a run is judged alive by its pid, or before it is sent a signal, the process behind the
pid is checked: the recorded start ticks must match; for records without them, the process must
have started no later than the run did and its command line must name the run's script. Where
that cannot be checked (no ``/proc``, another host), the answer is "unknown", never "alive".
"""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.runs.quick_pickle import pickled_by_fields

__all__ = ["ALIVE", "GONE", "OTHER", "UNKNOWN", "ProcessInfo", "ProcessCheck", "check_process",
           "read_process_info", "send_signal", "this_host"]

ALIVE = "alive"
"""The pid exists and is the run's process."""
GONE = "gone"
"""No process has this pid any more."""
OTHER = "other"
"""The pid exists but belongs to another process (it was reused)."""
UNKNOWN = "unknown"
"""It cannot be told from here (another host, no pid recorded, no ``/proc``)."""

_START_SLACK = 2.0
"""Seconds a process may seem to start after its run did (boot time has a one-second grain)."""
_MAX_PROCESS_JSON = 64 * 1024


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """What process.json says: pid, host, interpreter and start ticks (each may be missing)."""

    pid: int | None = None
    hostname: str | None = None
    python: str | None = None
    started_ticks: int | None = None


@dataclass(frozen=True, slots=True)
class ProcessCheck:
    """The verdict on a run's process, with the sentence that explains it."""

    state: str
    reason: str = ""
    certain: bool = False
    """The process is this run's beyond doubt (it may be signalled)."""


@lru_cache(maxsize=1)
def this_host() -> str:
    """This machine's host name (as the observer records it)."""
    return socket.gethostname()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_process_info(run_dir: str | os.PathLike[str]) -> ProcessInfo:
    """Read process.json of a run folder; anything missing, odd or unreadable reads as unknown.

    Only a regular file is opened (a FIFO in its place must not block the reader).
    """
    path = os.path.join(run_dir, "process.json")
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_PROCESS_JSON:
            return ProcessInfo()
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as stream:
            data = json.loads(stream.read(_MAX_PROCESS_JSON))
    except (OSError, ValueError, RecursionError):
        return ProcessInfo()
    if not isinstance(data, dict):
        return ProcessInfo()
    hostname, python = data.get("hostname"), data.get("python")
    return ProcessInfo(_int(data.get("pid")), hostname if isinstance(hostname, str) else None,
                       python if isinstance(python, str) and python else None,
                       _int(data.get("started_ticks")))


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name (which may contain spaces)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(errors="replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def process_start_ticks(pid: int) -> int | None:
    """Start of a process in clock ticks since boot (field 22 of ``/proc/PID/stat``)."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    try:
        return int(fields[19])
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def process_start_epoch(pid: int) -> float | None:
    """When a process started, in POSIX seconds (None where ``/proc`` cannot tell)."""
    ticks, boot = process_start_ticks(pid), _boot_time()
    if ticks is None or boot is None:
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _command_line(pid: int) -> list[str] | None:
    try:
        data = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode("utf-8", errors="replace") for part in data.split(b"\0") if part]


def _exists(pid: int) -> bool | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


def check_process(info: ProcessInfo, *, run_start: float | None = None,
                  mainfile: str | None = None, hostname: str | None = None) -> ProcessCheck:
    """Tell whether the process recorded for a run is still that run's process.

    A pid that started after the run did is another program's (pids are reused, never shared).
    ``certain`` is set when the match is exact (same start ticks) or the process also runs the
    run's script; only then may the process be sent a signal.

    Args:
        info: process.json of the run.
        run_start: The run's start time (POSIX seconds), for records without start ticks.
        mainfile: The run's script, looked for in the process's command line.
        hostname: The run's host when process.json does not say.
    """
    pid = info.pid
    host = info.hostname or hostname
    if pid is None or pid <= 0:
        return ProcessCheck(UNKNOWN, "no process id recorded")
    if not host or host != this_host():
        return ProcessCheck(UNKNOWN, f"it ran on another host ({host or 'unknown'})")
    exists = _exists(pid)
    if exists is False:
        return ProcessCheck(GONE, f"process {pid} has exited")
    if exists is None:
        return ProcessCheck(UNKNOWN, f"process {pid} cannot be checked")
    ticks = process_start_ticks(pid)
    if ticks is None:
        if _exists(pid) is False:  # it ended while we looked
            return ProcessCheck(GONE, f"process {pid} has exited")
        return ProcessCheck(UNKNOWN, f"the start time of process {pid} cannot be read here")
    if info.started_ticks is not None:
        if ticks == info.started_ticks:
            return ProcessCheck(ALIVE, f"process {pid} is running", certain=True)
        return ProcessCheck(OTHER, f"process {pid} has exited (its pid now belongs to another program)")
    started = process_start_epoch(pid)
    if run_start is None or started is None:
        return ProcessCheck(UNKNOWN, f"process {pid} exists, but nothing recorded shows it is this run")
    if started > run_start + _START_SLACK:
        return ProcessCheck(OTHER, f"process {pid} has exited (its pid now belongs to a newer program)")
    argv = _command_line(pid) if mainfile else None
    names_script = argv is not None and any(
        os.path.basename(word) == os.path.basename(mainfile or "") for word in argv)
    return ProcessCheck(ALIVE, f"process {pid} is running", certain=names_script)


def own_start_ticks() -> int | None:
    """This process's own start ticks (what the observer records)."""
    return process_start_ticks(os.getpid())


def send_signal(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to one process (never to a group: the pid is all that was checked)."""
    os.kill(pid, sig)
