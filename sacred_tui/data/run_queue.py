"""Provides LocalQueue: start queued runs on this machine, at most ``limit`` at a time.

The queue holds runs that are already QUEUED folders in the runs folder (see ``queued_runs``); it
starts each with its ticket's command line plus ``--id N``, so the process takes that folder over.
It runs no thread of its own: its owner calls :meth:`LocalQueue.poll` (a few times a second), which
notes ended processes and starts the next runs. A process that exits before its run started (the
script broke at import, the interpreter is gone) leaves the folder QUEUED; the queue then ends the
run as FAILED with the process's last words, so no run waits forever for a process that is gone.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.observers.queued_claim import read_claim, stored_status
from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.launcher import LaunchedRun, LaunchError, Launcher, exit_text
from sacred_tui.data.queued_runs import QueueTicket, end_unstarted, write_end, write_ticket

__all__ = ["CANCELLED", "DONE", "LocalQueue", "QueuedRun", "RUNNING", "WAITING", "default_limit"]

WAITING = "waiting"
RUNNING = "running"
DONE = "done"
CANCELLED = "cancelled"


def default_limit() -> int:
    """One run per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(eq=False)
class QueuedRun:
    """One run of a local queue: its folder, its ticket, and what became of it."""

    run_id: str
    run_dir: Path
    ticket: QueueTicket
    state: str = WAITING
    launch: LaunchedRun | None = None
    note: str = ""
    """How it ended, in words (``exit 0``, ``cancelled before it started`` ...)."""

    @property
    def sweep(self) -> str | None:
        return self.ticket.sweep

    def spec(self) -> LaunchSpec:
        """A launch spec for display: the script and interpreter of the ticket's command line."""
        python, script = self.ticket.argv[0], self.ticket.argv[1] if len(self.ticket.argv) > 1 else ""
        return LaunchSpec.create(Path(self.ticket.cwd) / script, python=python)


class LocalQueue:
    """Queued runs of one runs folder, started on this machine with a concurrency limit. Thread-safe."""

    def __init__(self, launcher: Launcher, limit: int | None = None) -> None:
        self.launcher = launcher
        self.limit = max(1, limit) if limit else default_limit()
        self._runs: list[QueuedRun] = []
        self._lock = threading.RLock()

    # -- what is in it ---------------------------------------------------------------------
    def runs(self) -> list[QueuedRun]:
        """Every run this queue held, in queue order."""
        with self._lock:
            return list(self._runs)

    def _in_state(self, state: str) -> list[QueuedRun]:
        with self._lock:
            return [run for run in self._runs if run.state == state]

    def waiting(self) -> list[QueuedRun]:
        return self._in_state(WAITING)

    def running(self) -> list[QueuedRun]:
        return self._in_state(RUNNING)

    def get(self, run_id: str) -> QueuedRun | None:
        with self._lock:
            return next((run for run in self._runs if run.run_id == run_id), None)

    @property
    def busy(self) -> bool:
        """True while a run waits or runs."""
        with self._lock:
            return any(run.state in (WAITING, RUNNING) for run in self._runs)

    # -- changing it -----------------------------------------------------------------------
    def add(self, runs: Iterable[QueuedRun]) -> None:
        """Queue runs (in order); they start on the next :meth:`poll`."""
        with self._lock:
            known = {run.run_id for run in self._runs}
            self._runs.extend(run for run in runs if run.run_id not in known)

    def adopt(self, run_dir: Path, ticket: QueueTicket) -> QueuedRun:
        """Take over a queued run whose queue is gone: this process holds its ticket from now on."""
        adopted = ticket.adopted()
        write_ticket(run_dir, adopted)
        run = QueuedRun(run_dir.name, run_dir, adopted)
        self.add([run])
        return run

    def cancel(self, run_id: str) -> bool:
        """Cancel a waiting run: it will never start and ends INTERRUPTED. False if it is not waiting."""
        with self._lock:
            run = self.get(run_id)
            if run is None or run.state != WAITING:
                return False
            run.state = CANCELLED
        ended = end_unstarted(run.run_dir, "INTERRUPTED")
        run.note = "cancelled before it started" if ended else "taken by another process before it was cancelled"
        return True

    def cancel_waiting(self, sweep: str | None = None) -> list[QueuedRun]:
        """Cancel every waiting run (of one sweep, when given); return the cancelled ones."""
        chosen = [run for run in self.waiting() if sweep is None or run.sweep == sweep]
        return [run for run in chosen if self.cancel(run.run_id)]

    def stop_running(self) -> list[str]:
        """Send each running run its next stop signal (SIGINT, then SIGTERM, then SIGKILL)."""
        sent = []
        for run in self.running():
            if run.launch is not None and self.launcher.stop(run.launch):
                sent.append(run.run_id)
        return sent

    # -- driving it ------------------------------------------------------------------------
    def poll(self) -> list[QueuedRun]:
        """Note ended runs and start waiting ones up to the limit; return the runs that changed."""
        changed: list[QueuedRun] = []
        self.launcher.poll()
        for run in self.running():
            if run.launch is not None and not run.launch.running:
                self._ended(run)
                changed.append(run)
        with self._lock:
            free = self.limit - len(self.running())
            starting = self.waiting()[:max(0, free)]
            for run in starting:
                run.state = RUNNING
        for run in starting:
            self._start(run)
            changed.append(run)
        return changed

    def _start(self, run: QueuedRun) -> None:
        argv = run.ticket.start_argv(run.run_id)
        try:
            run.launch = self.launcher.start(run.spec(), argv=argv, run_id=run.run_id)
        except LaunchError as exc:
            run.state = DONE
            ended = end_unstarted(run.run_dir, "FAILED", [f"The run could not be started: {exc}"], "fail")
            run.note = f"could not start: {exc}" if ended else "taken by another process"

    def _ended(self, run: QueuedRun) -> None:
        launch = run.launch
        assert launch is not None
        run.state = DONE
        run.note = exit_text(launch.exit_code)
        if stored_status(run.run_dir) != "QUEUED":
            return
        tail = launch.stderr_tail(4000).strip().splitlines()[-20:]
        lines = [f"The process exited ({exit_text(launch.exit_code)}) before the run started.",
                 f"Command: {launch.command_line}", *tail]
        claim = read_claim(run.run_dir)
        if claim is not None and claim.get("pid") == launch.pid and claim.get("action") == "start":
            write_end(run.run_dir, "FAILED", lines)  # it took the run, then died before recording its start
        elif claim is not None:
            run.note = f"{run.note}; the run was taken by pid {claim.get('pid')} to {claim.get('action')} it"
            return
        elif not end_unstarted(run.run_dir, "FAILED", lines, "fail"):
            return
        run.note = f"{run.note} before the run started"
