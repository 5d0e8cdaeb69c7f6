"""Provides SlurmMonitor: follow the SLURM jobs of a runs folder and record what SLURM says about them.

One ``squeue`` call per poll covers every job that has not ended. What it reports (state, reason,
node) is written to the run's ``slurm.json`` when it changes, because SLURM forgets a finished job
after its MinJobAge (five minutes by default) and the run folder must keep the answer. A job that
ended while its run was still QUEUED never started the run (bad node, out of memory, time limit,
cancelled while pending, the script broke at import): the monitor ends that run (INTERRUPTED when
cancelled, FAILED otherwise, with SLURM's state and the end of SLURM's output file as the reason).
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.observers.queued_claim import read_claim, stored_status
from core.runs import parse_timestamp
from sacred_tui.data.queued_runs import end_unstarted, utc_now_iso, write_end
from sacred_tui.data.slurm import (SlurmError, SlurmRecord, cluster_name, query_jobs, read_record,
                                   write_record)

__all__ = ["GONE_AFTER", "MonitorReport", "SlurmMonitor", "output_tail"]

GONE_AFTER = 30.0
"""Seconds after submission before a job squeue does not list is taken as ended and forgotten."""


@dataclass
class MonitorReport:
    """What one poll found: the runs whose record changed, and why SLURM could not be asked."""

    changed: list[Path] = field(default_factory=list)
    error: str | None = None
    unfinished: list[Path] = field(default_factory=list)
    """Runs whose job SLURM may still report on (worth asking about next time)."""


def output_tail(run_dir: Path, record: SlurmRecord, max_bytes: int = 2000) -> list[str]:
    """The last lines of SLURM's output file of a run (empty when there is none yet)."""
    try:
        with open(run_dir / record.output, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(max(0, size - max_bytes))
            text = stream.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = text.splitlines()
    return lines[1:] if size > max_bytes else lines


def _age(record: SlurmRecord) -> float:
    submitted = parse_timestamp(record.submitted)
    if submitted is None:
        return float("inf")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return (now - submitted).total_seconds()


class SlurmMonitor:
    """Polls SLURM for the jobs of given run folders; thread-safe as long as one thread polls."""

    def poll(self, run_dirs: Iterable[Path]) -> MonitorReport:
        """Ask SLURM about every unfinished job among ``run_dirs``; record and act on what changed."""
        report = MonitorReport()
        records: dict[Path, SlurmRecord] = {}
        for run_dir in run_dirs:
            record = read_record(run_dir)
            if record is None:
                continue
            if record.final:
                if self._end_if_unstarted(run_dir, record):
                    report.changed.append(run_dir)
                continue
            records[run_dir] = record
        if not records:
            return report
        try:
            states = query_jobs(record.job_id for record in records.values())
        except SlurmError as exc:
            report.error = str(exc)
            report.unfinished = list(records)
            return report
        here = cluster_name()
        for run_dir, record in records.items():
            found = states.get(record.job_id)
            if found is not None:
                updated = replace(record, state=found.state, reason=found.reason, node=found.node or record.node,
                                  checked=utc_now_iso())
                changed = (found.state, found.reason, found.node or record.node) != (record.state, record.reason,
                                                                                   record.node)
            elif here and record.cluster == here and _age(record) > GONE_AFTER:
                updated, changed = replace(record, gone=True, checked=utc_now_iso()), True
            else:
                report.unfinished.append(run_dir)
                continue
            if changed:
                write_record(run_dir, updated)
            ended = updated.final and self._end_if_unstarted(run_dir, updated)
            if changed or ended:
                report.changed.append(run_dir)
            if not updated.final:
                report.unfinished.append(run_dir)
        return report

    @staticmethod
    def _end_if_unstarted(run_dir: Path, record: SlurmRecord) -> bool:
        """End the run of a finished job that never started it; True when this poll did so."""
        if stored_status(run_dir) != "QUEUED":
            return False
        how = "is no longer listed by SLURM (it ended while nothing was watching)" if record.gone \
            else f"ended {record.state}"
        lines = [f"SLURM job {record.job_id} {how} before the run started.",
                 f"SLURM's output file: {run_dir / record.output}"]
        tail = output_tail(run_dir, record)
        if tail:
            lines += ["Its last lines:", *tail[-20:]]
        status = "INTERRUPTED" if record.state == "CANCELLED" and not record.gone else "FAILED"
        claim = read_claim(run_dir)
        if claim is not None and claim.get("action") == "start":
            write_end(run_dir, status, lines)  # the job's process took the run, then died before recording it
            return True
        return end_unstarted(run_dir, status, lines, "record the end of")
