"""Provides RunState: one run's liveness and duration, the same on every screen that shows the run.

The runs table judges liveness in the store (:class:`~sacred_tui.data.store.RunStore`); the
detail and compare screens read run.json themselves. So that a run called probably dead in the
table is called so, with the same reason, everywhere, those screens take the store's verdict when
the app has a store, and judge from the run's files with the same rule when it has none.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runs.folder import stamp_run
from core.runs.record import RunRecord
from sacred_tui.data.liveness import (NOT_APPLICABLE, Liveness, assess, beat_interval_from_options,
                                      is_running, run_duration)
from sacred_tui.data.processes import read_process_info
from sacred_tui.data.queue_view import QueueView, read_queue_view, scheduler_liveness

__all__ = ["RunState", "judge_files", "run_state"]


@dataclass(frozen=True, slots=True)
class RunState:
    """A run's liveness and how long it ran (None: unknown), judged at one moment."""

    liveness: Liveness
    duration: float | None
    queue: QueueView | None = None
    """What queue.json and slurm.json say (queued, never started and SLURM runs)."""


def _last_write(run_dir: Path) -> float | None:
    times = [entry[0] for entry in stamp_run(str(run_dir)).files if entry is not None]
    return max(times) / 1e9 if times else None


def judge_files(run_dir: str | os.PathLike[str], record: RunRecord, now: float | None = None) -> Liveness:
    """Judge a run from its folder: run.json's times, process.json and the files' mtimes."""
    if not is_running(record.status) or record.stop_time is not None:
        return NOT_APPLICABLE
    now = time.time() if now is None else now
    folder = Path(run_dir)
    judged = assess(record.status, heartbeat=record.heartbeat, start=record.start_time,
                    last_write=_last_write(folder), beat_interval=beat_interval_from_options(record.options),
                    now=now, hostname=record.host.hostname, process=read_process_info(folder))
    return scheduler_liveness(judged, read_queue_view(folder, ticket=False))


def run_state(store: Any, run_dir: str | os.PathLike[str], record: RunRecord,
              now: float | None = None) -> RunState:
    """The state of a run: the store's verdict when it knows the run, else judged from its files."""
    now = time.time() if now is None else now
    liveness: Liveness | None = None
    queue: QueueView | None = None
    getter = getattr(store, "get", None)
    row = getter(record.id) if callable(getter) else None
    if row is not None and is_running(record.status) and record.stop_time is None:
        row_liveness = getattr(row, "liveness", None)
        if isinstance(row_liveness, Liveness) and row_liveness.state:
            liveness = row_liveness
    if row is not None and isinstance(getattr(row, "queue", None), QueueView):
        queue = row.queue
    else:  # the store keeps no queue facts for finished runs; the Overview still names their job
        queue = read_queue_view(run_dir, ticket=record.start_time is None)
    if liveness is None:
        liveness = judge_files(run_dir, record, now)
    duration = run_duration(record.status, record.start_time, record.stop_time, record.heartbeat,
                            liveness, now)
    return RunState(liveness, duration, queue)


def metrics_cadence(record: RunRecord, run_dir: str | os.PathLike[str]) -> str:
    """How often a live run's metrics reach its files, when that is slower than at once ('' else).

    Runs written by ``core`` append every point to metrics.jsonl within a second (and record
    process.json); runs written by Sacred store metrics only at their heartbeat.
    """
    if not is_running(record.status) or record.stop_time is not None:
        return ""
    folder = Path(run_dir)
    if (folder / "process.json").exists() or (folder / "metrics.jsonl").exists():
        return ""
    beat = beat_interval_from_options(record.options)
    if beat <= 0:
        return "metrics arrive when the run ends (its heartbeat is off; Sacred stores them only then)"
    return f"updates every {beat:g} s, at the run's heartbeat (Sacred stores metrics only then)"
