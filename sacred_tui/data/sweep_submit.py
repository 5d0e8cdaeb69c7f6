"""Provides queue_sweep: check a sweep, write its QUEUED runs, record it, and hand it to its target.

Nothing is written until every run's command line passed the script's own checks (run by the
queue writer, which imports the script once): a bad value, an unknown key or named config, or a
type change stops the whole sweep with the reasons, grouped. Then each run becomes a QUEUED folder
with its ticket, the sweep is recorded in ``<runs>/_sweeps/<id>.json`` (definition, seeds, run ids),
and for SLURM each run is submitted as a job. The local target is left to a :class:`LocalQueue`.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sacred_tui
from core.observers.queued_claim import read_claim
from sacred_tui.data.queued_runs import LOCAL, SLURM, QueueTicket, end_unstarted, write_json_file
from sacred_tui.data.run_queue import QueuedRun
from sacred_tui.data.slurm import SlurmError, SlurmOptions, check_options, slurm_available, submit_job
from sacred_tui.data.sweep_spec import SweepPoint, SweepSpec

__all__ = ["SWEEPS_DIR", "QueuedSweep", "SweepCheck", "SweepRejected", "SweepTarget", "check_sweep", "queue_sweep"]

SWEEPS_DIR = "_sweeps"
"""Shared folder of the runs folder (ignored as a run, like ``_sources``) holding one record per sweep."""

Progress = Callable[[str, int, int], None]
"""Called with (what is happening, how many are done, how many in all)."""


class SweepRejected(Exception):
    """The sweep was not queued; ``problems`` says why (nothing was written)."""

    def __init__(self, problems: Sequence[str], blocked_only_by_warnings: bool = False) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.needs_force = blocked_only_by_warnings
        """True when only type changes or added keys stopped it: forcing would queue it."""


@dataclass(frozen=True)
class SweepTarget:
    """Where a sweep's runs run: this machine's queue (``limit`` at a time) or SLURM jobs."""

    kind: str = LOCAL
    slurm: SlurmOptions = field(default_factory=SlurmOptions)
    limit: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind == SLURM:
            data["slurm"] = self.slurm.to_json()
        elif self.limit:
            data["limit"] = self.limit
        return data


@dataclass
class QueuedSweep:
    """A sweep whose runs are in the runs folder, QUEUED (and submitted, for SLURM)."""

    sweep_id: str
    spec: SweepSpec
    target: SweepTarget
    runs: list[QueuedRun]
    record_path: Path
    failures: list[str] = field(default_factory=list)
    """Runs that could not be submitted, in words (SLURM)."""


def new_sweep_id() -> str:
    """A sortable, unique sweep id: ``20250101-120000-3fa2``."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def _describe(point: SweepPoint) -> str:
    words = point.spec.words()
    return " ".join(words) if words else "(no updates)"


def group_problems(problems: Sequence[Mapping[str, Any]], points: Sequence[SweepPoint]) -> list[str]:
    """One line per distinct problem, naming the runs it affects (``run 3 of 8: with lr='x'``)."""
    grouped: dict[str, list[int]] = {}
    for problem in problems:
        grouped.setdefault(str(problem["problem"]), []).append(int(problem["index"]))
    lines = []
    for text, indexes in grouped.items():
        first = points[indexes[0]]
        where = (f"run {indexes[0] + 1} of {len(points)}" if len(indexes) == 1
                 else f"{len(indexes)} of {len(points)} runs, e.g. run {indexes[0] + 1}")
        lines.append(f"{text} ({where}: with {_describe(first)})")
    return lines


def _writer_argv(python: str) -> list[str]:
    """Run the queue writer in the script's interpreter; this package is a fallback at the end of sys.path."""
    root = str(Path(sacred_tui.__file__).resolve().parent.parent)
    code = (f"import sys, runpy; sys.path.append({root!r}); "
            "runpy.run_module('sacred_tui.data.queue_writer', run_name='__main__')")
    return [python, "-c", code]


def _run_writer(spec: SweepSpec, requests: list[dict[str, Any]], force: bool,
                on_event: Callable[[dict[str, Any]], None], check_only: bool = False) -> str:
    """Feed the requests to the queue writer and pass each event on; returns its stderr tail."""
    request = {"script": str(spec.base.script), "requests": requests, "force": force, "check_only": check_only}
    with tempfile.TemporaryFile() as errors:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            process = subprocess.Popen(_writer_argv(spec.base.python), cwd=spec.base.cwd, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors, env=env, text=True)
        except OSError as exc:
            why = f"Cannot run the interpreter {spec.base.python!r}: {exc.strerror or exc}"
            raise SweepRejected([why]) from None
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(request))
            process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            for line in process.stdout:
                if line.strip():
                    on_event(json.loads(line))
        finally:
            process.stdout.close()
            process.wait()
        errors.seek(0)
        return errors.read()[-8000:].decode("utf-8", errors="replace")


def queue_sweep(spec: SweepSpec, runs_dir: str | os.PathLike[str], target: SweepTarget, *,
                force: bool = False, progress: Progress | None = None) -> QueuedSweep:
    """Check and queue every run of ``spec`` in ``runs_dir``; submit them when the target is SLURM.

    Raises SweepRejected (nothing written) when the sweep, its target or a run's command line is wrong.
    """
    runs_path = Path(os.path.abspath(runs_dir))
    problems = spec.problems()
    if target.kind == SLURM:
        why = slurm_available()
        problems += [why] if why else []
    if problems:
        raise SweepRejected(problems)
    if target.kind == SLURM:
        try:
            check_options(target.slurm)
        except SlurmError as exc:
            raise SweepRejected([str(exc)]) from None
    report = progress or (lambda what, done, total: None)
    points = spec.points()
    sweep_id = new_sweep_id()
    requests = []
    for point in points:
        argv = point.spec.argv(runs_path)
        ticket = QueueTicket.create(target.kind, argv, point.spec.cwd, sweep_id, point.index, len(points))
        requests.append({"argv": argv[2:], "sidecar": ticket.to_json(), "ticket": ticket})
    queued: list[QueuedRun] = []
    outcome: dict[str, Any] = {}

    def on_event(event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "checked":
            outcome["checked"] = event
            report("checked", len(points), len(points))
        elif kind == "queued":
            index = int(event["index"])
            queued.append(QueuedRun(str(event["run_id"]), Path(event["run_dir"]), requests[index]["ticket"]))
            report("queued", len(queued), len(points))
        elif kind == "fatal":
            outcome["fatal"] = str(event.get("message"))

    report("checking", 0, len(points))
    stderr = _run_writer(spec, [{"argv": r["argv"], "sidecar": r["sidecar"]} for r in requests], force, on_event)
    checked = outcome.get("checked")
    if checked is None or outcome.get("fatal"):
        reason = outcome.get("fatal") or _last_error(stderr) or "the script stopped without saying why"
        if queued:
            _cancel(queued, f"queueing stopped: {reason}")
        raise SweepRejected([f"The script could not queue the sweep: {reason}"] +
                            ([f"{len(queued)} runs queued before this were cancelled."] if queued else []))
    if checked.get("blocked"):
        hard = any(problem.get("hard") for problem in checked["problems"])
        raise SweepRejected(group_problems(checked["problems"], points), blocked_only_by_warnings=not hard)
    record_path = _write_record(runs_path, sweep_id, spec, target, queued)
    sweep = QueuedSweep(sweep_id, spec, target, queued, record_path)
    if target.kind == SLURM:
        _submit_all(sweep, report)
    return sweep


@dataclass
class SweepCheck:
    """What checking a sweep found: ``errors`` block it, ``doubts`` need a "queue anyway"."""

    errors: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def check_sweep(spec: SweepSpec, runs_dir: str | os.PathLike[str], target: SweepTarget) -> SweepCheck:
    """Check every run of ``spec`` as queueing would (the script imported once), writing nothing."""
    check = SweepCheck(list(spec.problems()))
    if target.kind == SLURM:
        why = slurm_available()
        if why:
            check.errors.append(why)
        else:
            try:
                check_options(target.slurm)
            except SlurmError as exc:
                check.errors.append(str(exc))
    if spec.problems():
        return check
    points = spec.points()
    outcome: dict[str, Any] = {}
    requests = [{"argv": point.spec.argv(runs_dir)[2:]} for point in points]
    stderr = _run_writer(spec, requests, False, lambda event: outcome.setdefault(str(event.get("event")), event),
                         check_only=True)
    if "fatal" in outcome or "checked" not in outcome:
        reason = (outcome.get("fatal") or {}).get("message") or _last_error(stderr) or "no answer"
        check.errors.append(f"The script could not check the sweep: {reason}")
        return check
    problems = outcome["checked"]["problems"]
    check.errors += group_problems([p for p in problems if p.get("hard")], points)
    check.doubts += group_problems([p for p in problems if not p.get("hard")], points)
    return check


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _cancel(runs: Sequence[QueuedRun], why: str) -> None:
    for run in runs:
        end_unstarted(run.run_dir, "INTERRUPTED", [why])


def _write_record(runs_path: Path, sweep_id: str, spec: SweepSpec, target: SweepTarget,
                  queued: Sequence[QueuedRun]) -> Path:
    folder = runs_path / SWEEPS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sweep_id}.json"
    write_json_file(path, {"id": sweep_id, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                           "sweep": spec.to_json(), "target": target.to_json(),
                           "run_ids": [run.run_id for run in queued]})
    return path


def _submit_all(sweep: QueuedSweep, report: Progress) -> None:
    stem = sweep.spec.base.script.stem
    for position, run in enumerate(sweep.runs):
        if read_claim(run.run_dir) is not None:
            # Cancelled while earlier runs were being submitted: a job for it would only start to find
            # its run taken (and a held job would wait forever).
            report("submitted", position + 1, len(sweep.runs))
            continue
        try:
            submit_job(run.run_dir, run.ticket.start_argv(run.run_id), run.ticket.cwd, sweep.target.slurm,
                       f"{stem}-{run.run_id}")
        except SlurmError as exc:
            end_unstarted(run.run_dir, "FAILED", [str(exc)], "fail")
            rest = sweep.runs[position + 1:]
            _cancel(rest, f"not submitted: sbatch refused run {run.run_id}")
            sweep.failures.append(str(exc))
            if rest:
                sweep.failures.append(f"{len(rest)} later runs were not submitted and are cancelled.")
            return
        report("submitted", position + 1, len(sweep.runs))

