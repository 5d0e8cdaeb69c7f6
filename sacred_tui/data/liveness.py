"""Provides the liveness rule: is a run that says RUNNING still alive, or probably dead?

Sacred writes RUNNING at start and only changes it at a clean end, so a run killed hard (SIGKILL,
power loss, OOM killer) says RUNNING forever. A live run rewrites run.json at every heartbeat and
appends to cout.txt and metrics, so a RUNNING run with no sign of life for several beat intervals
is shown as probably dead. Signs of life are the stored heartbeat and the newest file mtime (the
later one counts, so a clock difference between hosts errs on the side of "alive"); a time in the
future is clock skew, said so and not counted. When a run records its process (process.json) and
ran on this host, a vanished process, or a pid now used by another program, is reported at once.
A run whose files start changing again is alive again: nothing here is sticky.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.runs.quick_pickle import pickled_by_fields
from sacred_tui.data.format import format_age, utc_to_epoch
from sacred_tui.data.processes import ALIVE as PROCESS_ALIVE
from sacred_tui.data.processes import GONE, OTHER, ProcessInfo, check_process

DEFAULT_BEAT_INTERVAL = 10.0
"""Sacred's default heartbeat interval in seconds (``SETTINGS.DEFAULT_BEAT_INTERVAL``)."""

MISSED_BEATS = 3
"""How many beat intervals without a sign of life make a run probably dead."""

MIN_GRACE = 60.0
"""Never call a run dead sooner than this many seconds after its last sign of life."""

ALIVE = "alive"
DEAD = "dead"
NOT_RUNNING = ""


@pickled_by_fields
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


FUTURE_TOLERANCE = 60.0
"""A stored time more than this many seconds ahead of this machine's clock is clock skew."""


def is_running(status: str | None) -> bool:
    """True for the RUNNING status, also when stored with stray whitespace (``"RUNNING\\n"``)."""
    return isinstance(status, str) and status.strip() == "RUNNING"


def process_gone(pid: int | None, hostname: str | None) -> bool:
    """Return True only when ``pid`` ran on this host and no such process exists any more."""
    return check_process(ProcessInfo(pid, hostname)).state == GONE


def _in_future(moment: float | None, now: float) -> bool:
    return moment is not None and moment > now + FUTURE_TOLERANCE


def usable_heartbeat(heartbeat: datetime | None, now: float) -> float | None:
    """The heartbeat in POSIX seconds, or None when there is none or it lies in the future."""
    moment = utc_to_epoch(heartbeat)
    return None if moment is None or _in_future(moment, now) else moment


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
    process: ProcessInfo | None = None,
) -> Liveness:
    """Judge a run's liveness.

    A heartbeat (or start, or file time) ahead of this machine's clock is clock skew: it is said
    so and not counted, and the run is judged by its process and the other times instead.

    Args:
        status: The stored status; only RUNNING runs are judged.
        heartbeat: Stored heartbeat (naive UTC) or None.
        start: Stored start time (naive UTC), used when there was no heartbeat yet.
        last_write: Newest mtime (POSIX seconds) of the run's files, or None.
        beat_interval: Seconds between heartbeats; ``<= 0`` means heartbeats are disabled.
        now: Current POSIX time.
        pid: Process id of the run, when recorded (or give ``process``).
        hostname: Host the run executed on.
        process: What process.json recorded (pid, host, start ticks).
    """
    if not is_running(status):
        return NOT_APPLICABLE
    info = process or ProcessInfo(pid, hostname)
    if info.pid is not None and not info.hostname:
        info = ProcessInfo(info.pid, hostname, info.python, info.started_ticks)
    check = check_process(info, run_start=utc_to_epoch(start))
    if check.state in (GONE, OTHER):
        return Liveness(DEAD, check.reason, "exited")
    notes: list[str] = []
    beat = utc_to_epoch(heartbeat)
    if _in_future(beat, now):
        notes.append(f"heartbeat {format_age(beat - now)} in the future: clock skew?")  # type: ignore[operator]
        beat = None
    started = utc_to_epoch(start)
    if _in_future(started, now):
        if heartbeat is None:
            notes.append(f"start {format_age(started - now)} in the future: clock skew?")  # type: ignore[operator]
        started = None
    written = None if _in_future(last_write, now) else last_write
    skew = "; ".join(notes)
    process_alive = check.state == PROCESS_ALIVE
    if beat_interval <= 0:
        return Liveness(ALIVE, "; ".join(filter(None, [skew, "heartbeat disabled",
                                                       check.reason if process_alive else ""])))
    signs = [t for t in (beat, started, written) if t is not None]
    silent = now - max(signs) if signs else None
    quiet = silent is not None and silent > grace_period(beat_interval)
    if process_alive:
        # The process is there: a silent one is busy or stuck, not dead (and a skewed clock
        # cannot make it look dead either).
        silence = f"no heartbeat for {format_age(silent)}" if quiet and silent is not None else ""
        return Liveness(ALIVE, "; ".join(filter(None, [skew, silence, check.reason])))
    if silent is None:
        return Liveness(ALIVE, skew or "no time recorded")
    if quiet:
        if beat is not None:
            what = "heartbeat"
        elif skew:
            what = "file written"
        else:
            what = "sign of life since start"
        age = format_age(silent)
        reason = f"no {what} for {age}"
        return Liveness(DEAD, f"{skew}; {reason}" if skew else reason, age)
    return Liveness(ALIVE, skew)


def run_duration(status: str | None, start: datetime | None, stop: datetime | None,
                 heartbeat: datetime | None, liveness: Liveness, now: float) -> float | None:
    """Seconds a run ran, from what run.json says (file times change when a folder is copied).

    Start to stop for a finished run; to now while it runs; for a probably dead run to its last
    heartbeat (unknown without one, or when the heartbeat lies in the future).
    """
    begin = utc_to_epoch(start)
    if begin is None:
        return None
    end = utc_to_epoch(stop)
    if end is not None:
        return end - begin
    if not is_running(status):
        return None
    if liveness.dead:
        beat = usable_heartbeat(heartbeat, now)
        return beat - begin if beat is not None else None
    return now - begin


def status_words(status: str | None, liveness: Liveness) -> str:
    """The status as every screen shows it: ``DEAD? 7 min`` for a probably dead run, else as stored."""
    if liveness.dead:
        return f"DEAD? {liveness.silent_for}".rstrip()
    return (status or "").strip() or "?"


def liveness_sentence(liveness: Liveness) -> str:
    """Why a RUNNING run is judged as it is (``probably dead: no heartbeat for 7 min``), or ''."""
    if liveness.dead:
        return f"probably dead: {liveness.reason}"
    return liveness.reason
