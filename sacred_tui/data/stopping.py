"""Provides RunStopper: stop a RUNNING run of this host that the app did not start itself.

A run started elsewhere (another terminal, or a launch of an earlier session of the app) is
found by its process.json. It is only signalled when its pid is alive on this host and is
certainly still that run's process (same start ticks, or started before the run and running its
script); the check is repeated right before each signal. Signals go to the pid alone (the
process group is not known to be the run's): SIGINT first (the run ends INTERRUPTED), then
SIGTERM, then SIGKILL; a signal the process ignores (SIGINT, for a job a shell started in the
background) is skipped.
"""
from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from typing import Any

from sacred_tui.data.format import utc_to_epoch
from sacred_tui.data.liveness import is_running
from sacred_tui.data.processes import ALIVE, check_process, read_process_info, send_signal

__all__ = ["StopTarget", "RunStopper", "find_stop_target", "ignores"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class StopTarget:
    """A run that may be stopped: its id, pid and the facts the identity check needs."""

    run_id: str
    pid: int
    run_dir: str
    run_start: float | None
    mainfile: str | None
    hostname: str | None


def find_stop_target(stored: Any) -> StopTarget | str:
    """The stoppable process of a stored run (a ``core.runs.StoredRun``), or why there is none."""
    record = stored.read_record()
    run_id = stored.run_id
    if not is_running(record.status) or record.stop_time is not None:
        return f"Run {run_id} is not running (its status is {(record.status or 'unknown').strip()})."
    info = read_process_info(stored.dir)
    if info.pid is None:
        return (f"Run {run_id} recorded no process (runs written by Sacred itself do not), so it "
                f"cannot be stopped from here.")
    check = check_process(info, run_start=utc_to_epoch(record.start_time), mainfile=record.mainfile,
                          hostname=record.host.hostname)
    if check.state != ALIVE:
        return f"Run {run_id} cannot be stopped: {check.reason}."
    if not check.certain:
        return (f"Run {run_id} is not stopped: process {info.pid} is running, but nothing shows for "
                f"certain that it is this run (its command line does not name "
                f"{record.mainfile or 'the script'}).")
    return StopTarget(run_id, info.pid, str(stored.dir), utc_to_epoch(record.start_time),
                      record.mainfile, record.host.hostname)


def ignores(pid: int, sig: signal.Signals) -> bool:
    """Whether a process ignores a signal (``SigIgn`` in ``/proc/PID/status``).

    A shell starts background jobs (``python train.py &``, ``nohup``) with SIGINT ignored: such a
    run would never see a Ctrl-C, so stopping it starts with SIGTERM.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & (1 << (int(sig) - 1)))
    except (OSError, ValueError, IndexError):
        pass
    return False


class RunStopper:
    """Remembers which signals each run was sent, and sends the next one after checking again."""

    def __init__(self) -> None:
        self._sent: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def next_signal(self, run_id: str, pid: int | None = None) -> str:
        """The name of the signal the next ``stop`` sends to this run (one it does not ignore)."""
        return self._next(run_id, pid).name

    def _next(self, run_id: str, pid: int | None) -> signal.Signals:
        with self._lock:
            count = len(self._sent.get(run_id, []))
        for sig in STOP_SIGNALS[min(count, len(STOP_SIGNALS) - 1):]:
            if pid is None or not ignores(pid, sig):
                return sig
        return signal.SIGKILL

    def sent(self, run_id: str) -> list[str]:
        """The signals sent to a run so far."""
        with self._lock:
            return list(self._sent.get(run_id, []))

    def stop(self, target: StopTarget) -> tuple[str | None, str]:
        """Check the process again and send it the next signal: ``(signal name or None, why)``."""
        check = check_process(read_process_info(target.run_dir), run_start=target.run_start,
                              mainfile=target.mainfile, hostname=target.hostname)
        if check.state != ALIVE or not check.certain:
            return None, check.reason or "the process can no longer be confirmed"
        sig = self._next(target.run_id, target.pid)
        with self._lock:
            sent = self._sent.setdefault(target.run_id, [])
            try:
                send_signal(target.pid, sig)
            except ProcessLookupError:
                return None, f"process {target.pid} has exited"
            except PermissionError:
                return None, f"process {target.pid} belongs to another user"
            sent.append(sig.name)
        return sig.name, ""
