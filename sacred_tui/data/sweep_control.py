"""Provides what one can do to queued runs from anywhere: find them, cancel them, find abandoned ones.

Cancelling a waiting run claims it first (so it can never start afterwards), ends it INTERRUPTED,
and for a SLURM job then cancels the job, in that order: a job that starts in between finds its run
taken and exits without running. A running SLURM run is stopped with scancel (SLURM sends SIGTERM,
the run ends INTERRUPTED). Runs whose local queue process is gone are "abandoned": they stay QUEUED
and visible, and a new queue can adopt them.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.observers.queued_claim import read_claim, stored_status
from sacred_tui.data.queued_runs import LOCAL, SLURM, QueueTicket, end_unstarted, read_ticket
from sacred_tui.data.slurm import SlurmError, cancel_jobs, read_record

__all__ = ["CancelResult", "abandoned_runs", "cancel_runs", "queued_runs_of"]


@dataclass
class CancelResult:
    """What a cancellation did, run by run."""

    cancelled: list[str]
    """Runs that will never start now (they end INTERRUPTED)."""
    stopped: list[str]
    """Running SLURM runs whose job was cancelled (they end INTERRUPTED when their process stops)."""
    skipped: list[str]
    """Runs left alone, with the reason (already started, finished, not a queued run of ours)."""
    error: str | None = None


def queued_runs_of(runs_dir: str | os.PathLike[str], sweep: str | None = None) -> list[tuple[Path, QueueTicket]]:
    """QUEUED runs of ours in the folder (of one sweep, when given), in id order."""
    base = Path(runs_dir)
    found = []
    try:
        entries = [entry for entry in os.scandir(base) if entry.name[0] not in "_." and entry.is_dir()]
    except OSError:
        return []
    for entry in entries:
        run_dir = Path(entry.path)
        ticket = read_ticket(run_dir)
        if ticket is None or (sweep is not None and ticket.sweep != sweep):
            continue
        if stored_status(run_dir) == "QUEUED" and read_claim(run_dir) is None:
            found.append((run_dir, ticket))
    found.sort(key=lambda pair: (0, int(pair[0].name)) if pair[0].name.isdigit() else (1, pair[0].name))
    return found


def abandoned_runs(runs_dir: str | os.PathLike[str]) -> list[tuple[Path, QueueTicket]]:
    """Runs waiting in a local queue whose process has exited (on this host): nobody will start them."""
    return [(run_dir, ticket) for run_dir, ticket in queued_runs_of(runs_dir)
            if ticket.target == LOCAL and ticket.owner_alive() is False]


def cancel_runs(run_dirs: Iterable[Path], *, stop_running: bool = False) -> CancelResult:
    """Cancel waiting runs (and, with ``stop_running``, running SLURM runs): see the module doc."""
    result = CancelResult([], [], [])
    to_scancel: list[str] = []
    for run_dir in run_dirs:
        name = run_dir.name
        status = stored_status(run_dir)
        record = read_record(run_dir)
        if status == "QUEUED":
            if not end_unstarted(run_dir, "INTERRUPTED", (), "cancel"):
                result.skipped.append(f"{name}: it started meanwhile")
                continue
            result.cancelled.append(name)
            if record is not None and not record.final:
                to_scancel.append(record.job_id)
        elif status == "RUNNING" and stop_running and record is not None and not record.final:
            result.stopped.append(name)
            to_scancel.append(record.job_id)
        else:
            result.skipped.append(f"{name}: it is {status or 'not a run'}")
    if to_scancel:
        try:
            cancel_jobs(to_scancel)
        except SlurmError as exc:
            result.error = str(exc)
    return result


def describe_target(ticket: QueueTicket) -> str:
    """``local`` or ``SLURM`` for messages."""
    return "SLURM" if ticket.target == SLURM else "local"
