"""Provides the liveness rule: is a run that says RUNNING still alive, or probably dead?

Sacred writes RUNNING at start and only changes it at a clean end, so a run killed hard (SIGKILL,
power loss, OOM killer) says RUNNING forever. A live run rewrites run.json at every heartbeat and
appends to cout.txt and metrics, so a RUNNING run with no sign of life for several beat intervals
is shown as probably dead. Signs of life are the stored heartbeat and the newest file mtime (the
later one counts, so a clock difference between hosts errs on the side of "alive"). When a run
records its process id and ran on this host, a vanished process is reported at once. A run whose
files start changing again is alive again: nothing here is sticky.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sacred_tui.data.format import format_age, utc_to_epoch

DEFAULT_BEAT_INTERVAL = 10.0
"""Sacred's default heartbeat interval in seconds (``SETTINGS.DEFAULT_BEAT_INTERVAL``)."""

MISSED_BEATS = 3
"""How many beat intervals without a sign of life make a run probably dead."""

MIN_GRACE = 60.0
"""Never call a run dead sooner than this many seconds after its last sign of life."""

ALIVE = "alive"
DEAD = "dead"
NOT_RUNNING = ""


@dataclass(frozen=True, slots=True)
class Liveness:
    """Derived state of a run: ``alive``, ``dead`` (probably) or ``""`` when it is not RUNNING."""

    state: str
    reason: str = ""
    silent_for: str = ""
    """How long the run has been silent, in words (set for dead runs)."""

    @property
    def dead(self) -> bool:
        """True when the run says RUNNING but is probably dead."""
        return self.state == DEAD


NOT_APPLICABLE = Liveness(NOT_RUNNING)


def beat_interval_from_options(options: dict[str, Any] | None) -> float:
    """Return the run's heartbeat interval from ``meta.options["--beat-interval"]`` (10 s default)."""
    value = (options or {}).get("--beat-interval")
    if isinstance(value, bool) or value is None:
        return DEFAULT_BEAT_INTERVAL
    try:
        return float(value)
    except (TypeError, ValueError):
        return DEFAULT_BEAT_INTERVAL


def grace_period(beat_interval: float) -> float:
    """Return the seconds of silence after which a run with this beat interval is probably dead."""
    return max(MISSED_BEATS * beat_interval, MIN_GRACE)


@lru_cache(maxsize=1)
def _this_host() -> str:
    return socket.gethostname()


def process_gone(pid: int | None, hostname: str | None) -> bool:
    """Return True only when ``pid`` ran on this host and no such process exists any more."""
    if pid is None or pid <= 0 or not hostname or hostname != _this_host():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def assess(
    status: str | None,
    *,
    heartbeat: datetime | None,
    start: datetime | None,
    last_write: float | None,
    beat_interval: float,
    now: float,
    pid: int | None = None,
    hostname: str | None = None,
) -> Liveness:
    """Judge a run's liveness.

    Args:
        status: The stored status; only RUNNING runs are judged.
        heartbeat: Stored heartbeat (naive UTC) or None.
        start: Stored start time (naive UTC), used when there was no heartbeat yet.
        last_write: Newest mtime (POSIX seconds) of the run's files, or None.
        beat_interval: Seconds between heartbeats; ``<= 0`` means heartbeats are disabled.
        now: Current POSIX time.
        pid: Process id of the run, when recorded.
        hostname: Host the run executed on.
    """
    if status != "RUNNING":
        return NOT_APPLICABLE
    if process_gone(pid, hostname):
        return Liveness(DEAD, f"process {pid} has exited", "exited")
    if beat_interval <= 0:
        return Liveness(ALIVE, "heartbeat disabled")
    signs = [t for t in (utc_to_epoch(heartbeat), utc_to_epoch(start), last_write) if t is not None]
    if not signs:
        return Liveness(ALIVE, "no time recorded")
    silent = now - max(signs)
    if silent > grace_period(beat_interval):
        what = "heartbeat" if heartbeat is not None else "sign of life since start"
        age = format_age(silent)
        return Liveness(DEAD, f"no {what} for {age}", age)
    return Liveness(ALIVE)
