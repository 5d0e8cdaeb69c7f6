"""Provides QueueView: what every screen shows of a run a queue or SLURM holds, and the words for it.

A queued run's folder says QUEUED (Sacred's status); its extra files say more: ``queue.json``
which queue holds it (and whether that process still runs), ``slurm.json`` the job and SLURM's last
state and reason. From them a queued run shows as QUEUED (local) or PENDING (SLURM, with the
reason), a run that ended before it started as CANCELLED or as SLURM's state (TIMEOUT,
OUT_OF_MEMORY ...), and a RUNNING run whose job ended is dead at once, with SLURM's state as the
reason. The table, the status line, the Overview and compare use these same words.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.runs.quick_pickle import pickled_by_fields
from sacred_tui.data.liveness import ALIVE, DEAD, Liveness
from sacred_tui.data.queued_runs import LOCAL, SLURM, read_ticket
from sacred_tui.data.slurm import read_record

__all__ = ["QueueView", "queue_sentence", "read_queue_view", "record_status", "scheduler_liveness",
           "shown_status"]

_STARTING = frozenset({"RUNNING", "CONFIGURING", "COMPLETING", "SIGNALING", "STAGE_OUT"})


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class QueueView:
    """The queue and SLURM facts of one run (each empty when unknown)."""

    target: str = ""
    sweep: str | None = None
    index: int | None = None
    count: int | None = None
    owner: str = ""
    """``pid 123 on vm``: the process holding a local queue."""
    owner_alive: bool | None = None
    job_id: str | None = None
    job_state: str = ""
    job_reason: str = ""
    job_final: bool = False
    job_gone: bool = False
    node: str = ""
    output: str | None = None
    """SLURM's output file (absolute path)."""
    checked: str = ""
    """When SLURM last reported on the job (naive UTC ISO)."""

    @property
    def slurm(self) -> bool:
        return self.target == SLURM or self.job_id is not None

    def position(self) -> str:
        """``sweep 20250101-… run 3 of 8`` (empty outside a sweep)."""
        if not self.sweep:
            return ""
        where = f" run {self.index + 1} of {self.count}" if self.index is not None and self.count else ""
        return f"sweep {self.sweep}{where}"


def read_queue_view(run_dir: str | os.PathLike[str], *, ticket: bool = True) -> QueueView | None:
    """Read queue.json (with ``ticket``) and slurm.json of a run; None when it has neither."""
    folder = Path(run_dir)
    queued = read_ticket(folder) if ticket else None
    job = read_record(folder)
    if queued is None and job is None:
        return None
    view = QueueView()
    if queued is not None:
        view = QueueView(queued.target, queued.sweep, queued.index, queued.count,
                         f"pid {queued.owner_pid} on {queued.owner_host}" if queued.owner_pid else "",
                         queued.owner_alive())
    if job is not None:
        view = QueueView(view.target or SLURM, view.sweep, view.index, view.count, view.owner, view.owner_alive,
                         job.job_id, job.state, job.reason, job.final, job.gone, job.node,
                         str(folder / job.output) if job.output else None, job.checked)
    return view


def _never_started(status: str, start: datetime | None) -> bool:
    return start is None and status in ("INTERRUPTED", "FAILED")


def shown_status(status: str, start: datetime | None, view: QueueView | None) -> str:
    """The status a run shows (before liveness): PENDING, CANCELLED, TIMEOUT ... or the stored one."""
    if status == "QUEUED" and view is not None and view.job_id is not None:
        if view.job_gone:
            return "QUEUED"
        if view.job_state in _STARTING:
            return "STARTING"
        return view.job_state or "PENDING"
    if _never_started(status, start):
        if status == "INTERRUPTED":
            return "CANCELLED"
        if view is not None and view.job_final and view.job_state not in ("", "COMPLETED", "CANCELLED"):
            return view.job_state
    return status


def record_status(record: Any, view: QueueView | None) -> str:
    """:func:`shown_status` of a ``core.runs.RunRecord`` (its stored status stripped)."""
    stored = (record.status or "").strip()
    return shown_status(stored, record.start_time, view) if stored else stored


def queue_sentence(status: str, start: datetime | None, view: QueueView | None, own: str = "") -> str:
    """Why a queued or never-started run shows as it does; ``own`` describes this app's queue."""
    if status == "QUEUED":
        if view is None:
            return "queued with -q; start it with --id"
        if view.job_id is not None:
            if view.job_gone:
                return f"SLURM job {view.job_id} is no longer listed and the run never started"
            state = view.job_state or "PENDING"
            if state in _STARTING:
                return f"SLURM job {view.job_id} is {state} on {view.node or 'a node'}; the run is starting"
            reason = f" ({view.job_reason})" if view.job_reason else ""
            return f"SLURM job {view.job_id} {state}{reason}"
        if view.target == SLURM:
            return ("queued for SLURM, not submitted: the process that queued it has exited"
                    if view.owner_alive is False else "queued for SLURM, being submitted")
        if own:
            return own
        if view.owner_alive is False:
            return f"its queue stopped ({view.owner} exited): resume it here or cancel it"
        return f"waiting in the queue of {view.owner}" if view.owner else "waiting in a queue"
    if _never_started(status, start):
        if status == "INTERRUPTED":
            return "cancelled before it started"
        if view is not None and view.job_id is not None and view.job_final:
            how = "is no longer listed by SLURM" if view.job_gone else f"ended {view.job_state}"
            return f"SLURM job {view.job_id} {how} before the run started; see {view.output}"
        return "it failed before it started (see Overview)"
    return ""


def scheduler_liveness(liveness: Liveness, view: QueueView | None) -> Liveness:
    """A RUNNING run's liveness with SLURM's word added: a job that ended means the run is dead."""
    if view is None or view.job_id is None or not liveness.state:
        return liveness
    if view.job_final:
        how = "is no longer listed by SLURM" if view.job_gone else f"ended {view.job_state}"
        return Liveness(DEAD, f"SLURM job {view.job_id} {how}", f"job {view.job_state.lower() or 'gone'}")
    job = f"SLURM job {view.job_id} {view.job_state or 'RUNNING'}" + (f" on {view.node}" if view.node else "")
    if liveness.state == DEAD and liveness.silent_for != "exited":
        # SLURM says the job still runs: a silent process may be stuck, but it is there.
        return Liveness(ALIVE, f"{liveness.reason}; {job}")
    if liveness.state == DEAD:
        return liveness
    return Liveness(ALIVE, "; ".join(filter(None, [liveness.reason, job])))


def describe_target(view: QueueView | None) -> str:
    """``SLURM`` or ``local``."""
    return "SLURM" if view is not None and view.slurm else LOCAL
