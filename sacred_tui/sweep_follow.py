"""Provides the running part of ``sacred-tui sweep``: queue, start or submit, report progress, handle Ctrl-C.

Progress goes to stdout, one line per event (a run started, a run ended, a job changed state), so
the output reads the same in a terminal and in a log file. Ctrl-C never loses the queue silently:
in a terminal it asks what to do with the waiting runs; without one it cancels the waiting local
runs (a second Ctrl-C interrupts the running ones) and leaves SLURM jobs to SLURM.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from core.observers.queued_claim import stored_status
from sacred_tui.data.launch_spec import format_argv
from sacred_tui.data.launcher import Launcher
from sacred_tui.data.queued_runs import LOCAL, SLURM
from sacred_tui.data.run_queue import DONE, LocalQueue, QueuedRun
from sacred_tui.data.slurm import SlurmOptions, read_record
from sacred_tui.data.slurm_monitor import SlurmMonitor
from sacred_tui.data.sweep_control import abandoned_runs, cancel_runs
from sacred_tui.data.sweep_spec import SweepError, SweepSpec
from sacred_tui.data.sweep_submit import SWEEPS_DIR, QueuedSweep, SweepRejected, SweepTarget, queue_sweep

POLL_LOCAL = 0.2
POLL_SLURM = 2.0
FINAL = ("COMPLETED", "FAILED", "INTERRUPTED", "TIMEOUT")

Ask = Callable[[str, str], str]


def say(text: str) -> None:
    print(text, flush=True)


def ask_user(prompt: str, choices: str) -> str:
    """Ask in the terminal; '' when there is none (or input ends)."""
    if not sys.stdin.isatty():
        return ""
    while True:
        try:
            answer = input(prompt).strip().lower()[:1]
        except EOFError:
            return ""
        if answer in choices:
            return answer


def describe(spec: SweepSpec) -> str:
    """``2 named-config alternatives x lr (2 values) x 3 seeds``."""
    parts = []
    if spec.alternatives != ((),):
        parts.append(f"{len(spec.alternatives)} named-config alternatives")
    parts += [f"{axis.key} ({len(axis.values)} values)" for axis in spec.axes]
    if spec.seeds:
        parts.append(f"{len(spec.seeds)} seeds")
    return " x ".join(parts) or "one run"


def _id_span(runs: Sequence[QueuedRun]) -> str:
    ids = [run.run_id for run in runs]
    if len(ids) > 2 and all(i.isdigit() for i in ids) and [int(i) for i in ids] == list(
            range(int(ids[0]), int(ids[0]) + len(ids))):
        return f"{ids[0]}-{ids[-1]}"
    return ", ".join(ids)


def _target(args: argparse.Namespace) -> SweepTarget:
    if args.slurm:
        return SweepTarget(SLURM, SlurmOptions(args.partition, args.time, args.cpus, args.gpus, args.mem,
                                               SlurmOptions.parse_extra(args.sbatch)))
    return SweepTarget(LOCAL, limit=args.jobs)


def run_sweep(spec: SweepSpec, args: argparse.Namespace, ask: Ask = ask_user) -> int:
    """Queue ``spec`` and follow it to the end; the exit code is 0 when every run completed."""
    from sacred_tui.sweep_cli import command_line
    runs_dir = args.runs
    if args.dry_run:
        for point in spec.points():
            say(format_argv(point.spec.argv(runs_dir), point.spec.cwd))
        say(f"{len(spec)} runs: {describe(spec)} (dry run: nothing queued)")
        return 0
    say(f"Sweep of {len(spec)} runs of {spec.base.script.name}: {describe(spec)}")
    started = time.monotonic()
    try:
        sweep = queue_sweep(spec, runs_dir, _target(args), force=args.anyway, progress=_progress())
    except SweepRejected as exc:
        print("Nothing was queued:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        if exc.needs_force:
            print("Fix the values, or pass --anyway to queue them as they are.", file=sys.stderr)
        return 2
    say(f"Queued runs {_id_span(sweep.runs)} in {runs_dir} ({time.monotonic() - started:.1f} s), "
        f"sweep {sweep.sweep_id}.")
    if spec.seeds:
        say(f"To run this sweep again exactly: {command_line(spec, runs_dir, args)}")
    else:  # each run drew its own seed: the same command draws new ones
        say(f"To run this sweep again (new seeds; --seeds N fixes them): {command_line(spec, runs_dir, args)}")
    if args.slurm:
        return follow_slurm(sweep, args, ask)
    queue = LocalQueue(Launcher(runs_dir), args.jobs)
    queue.add(sweep.runs)
    return follow_local(queue, runs_dir, ask)


def _progress() -> Callable[[str, int, int], None]:
    shown: dict[str, float] = {}

    def report(what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if what in ("queued", "submitted") and done < total and now - shown.get(what, 0.0) < 1.0:
            return
        shown[what] = now
        if what != "checking":
            say(f"  {what} {done}/{total}")

    return report


# -- local ---------------------------------------------------------------------------------
class Terminated(Exception):
    """SIGTERM arrived: leave the waiting runs queued (resumable) and say so."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def follow_local(queue: LocalQueue, runs_dir: str, ask: Ask = ask_user) -> int:
    """Start the queue's runs and report until none waits or runs; handles Ctrl-C (see the module doc)."""
    say(f"Running at most {queue.limit} at a time on this machine.")
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _drive_local(queue, runs_dir, ask)
    except Terminated:
        waiting = queue.waiting()
        say(f"Terminated: {len(waiting)} waiting runs stay QUEUED in {runs_dir} (resume with: sacred-tui sweep "
            f"--resume --runs {runs_dir}); {len(queue.running())} running runs go on.")
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)


def _drive_local(queue: LocalQueue, runs_dir: str, ask: Ask) -> int:
    draining = False
    ended = sum(1 for run in queue.runs() if run.state == DONE)
    while queue.busy:
        try:
            for run in queue.poll():
                ended += run.state == DONE
                _report_local(run, queue, ended)
            time.sleep(POLL_LOCAL)
        except KeyboardInterrupt:
            if draining:
                stopped = queue.stop_running()
                say(f"Stopping running runs {', '.join(stopped)} (Ctrl-C again sends the next signal).")
                continue
            choice = _ask_local(queue, runs_dir, ask)
            if choice == "k":
                return 130
            if choice in ("c", "s"):
                cancelled = queue.cancel_waiting()
                if cancelled:
                    say(f"Cancelled waiting runs {_id_span(cancelled)} (they end INTERRUPTED, never started).")
                draining = True
                if choice == "s":
                    stopped = queue.stop_running()
                    if stopped:
                        say(f"Interrupting running runs {', '.join(stopped)}.")
    return _summary(queue.runs())


def _ask_local(queue: LocalQueue, runs_dir: str, ask: Ask) -> str:
    waiting, running = len(queue.waiting()), len(queue.running())
    say(f"\nInterrupted: {running} running, {waiting} waiting.")
    say(f"  c  cancel the {waiting} waiting runs; let the running ones finish (Ctrl-C again stops them)\n"
        "  s  stop everything: cancel the waiting runs and interrupt the running ones\n"
        f"  k  keep the waiting runs queued and exit; resume later: sacred-tui sweep --resume --runs {runs_dir}\n"
        "  r  go on with the sweep")
    try:
        choice = ask("choice [c/s/k/r]: ", "cskr")
    except KeyboardInterrupt:
        choice = "s"
    if not choice:
        say("No terminal to ask: cancelling the waiting runs, letting the running ones finish.")
        choice = "c"
    if choice == "k":
        say(f"{waiting} runs stay QUEUED in {runs_dir}; resume with: sacred-tui sweep --resume --runs {runs_dir}"
            + (f". {running} running runs go on." if running else "."))
    return choice


def _report_local(run: QueuedRun, queue: LocalQueue, ended: int) -> None:
    if run.state == DONE:
        status = stored_status(run.run_dir) or "?"
        say(f"run {run.run_id} {status} ({run.note}); {ended}/{len(queue.runs())} done")
    else:
        say(f"run {run.run_id} started; {len(queue.running())} running, {len(queue.waiting())} waiting")


def _summary(runs: Sequence[QueuedRun]) -> int:
    counts = Counter(stored_status(run.run_dir) or "?" for run in runs)
    say(f"{len(runs)} runs: " + ", ".join(f"{count} {status}" for status, count in counts.most_common()))
    return 0 if set(counts) <= {"COMPLETED"} else 1


# -- SLURM ---------------------------------------------------------------------------------
def follow_slurm(sweep: QueuedSweep, args: argparse.Namespace, ask: Ask = ask_user) -> int:
    """Report the jobs of a submitted sweep until every run ended; Ctrl-C asks (see the module doc)."""
    for failure in sweep.failures:
        say(f"Not submitted: {failure}")
    jobs = [record.job_id for run in sweep.runs if (record := read_record(run.run_dir)) is not None]
    if jobs:
        say(f"Submitted {len(jobs)} SLURM jobs ({jobs[0]}-{jobs[-1]}).")
    if args.no_wait:
        say(f"Follow them with: sacred-tui {args.runs}")
        return 0 if not sweep.failures else 1
    monitor = SlurmMonitor()
    last = ""
    while True:
        try:
            report = monitor.poll(run.run_dir for run in sweep.runs)
            if report.error:
                say(f"squeue: {report.error}")
            line, finished = _slurm_state(sweep.runs)
            if line != last:
                say(line)
                last = line
            if finished:
                return _summary(sweep.runs)
            time.sleep(POLL_SLURM)
        except KeyboardInterrupt:
            if _ask_slurm(sweep, args, ask) == "l":
                return 130


def _slurm_state(runs: Sequence[QueuedRun]) -> tuple[str, bool]:
    counts: Counter[str] = Counter()
    finished = True
    for run in runs:
        status = stored_status(run.run_dir) or "?"
        record = read_record(run.run_dir)
        if status == "QUEUED" and record is not None:
            counts[f"{record.state}" + (f" ({record.reason})" if record.reason else "")] += 1
            finished = False
        elif status == "RUNNING" and record is not None and record.final:
            counts[f"DEAD (job {record.state if not record.gone else 'gone'})"] += 1
        else:
            counts[status] += 1
            finished = finished and status != "RUNNING"
    return "jobs: " + ", ".join(f"{count} {state}" for state, count in sorted(counts.items())), finished


def _ask_slurm(sweep: QueuedSweep, args: argparse.Namespace, ask: Ask) -> str:
    say("\nInterrupted. The jobs are in SLURM's queue and run without this command.")
    say(f"  l  leave them to SLURM and exit (watch them with: sacred-tui {args.runs})\n"
        "  c  cancel the jobs still pending; let running ones finish\n"
        "  a  cancel every job of the sweep (running runs end INTERRUPTED)\n"
        "  r  go on following them")
    try:
        choice = ask("choice [l/c/a/r]: ", "lcar")
    except KeyboardInterrupt:
        choice = "l"
    if not choice:
        say("No terminal to ask: leaving the jobs to SLURM.")
        choice = "l"
    if choice in ("c", "a"):
        result = cancel_runs([run.run_dir for run in sweep.runs], stop_running=choice == "a")
        if result.cancelled:
            say(f"Cancelled runs {', '.join(result.cancelled)} before they started.")
        if result.stopped:
            say(f"Cancelled the jobs of running runs {', '.join(result.stopped)}.")
        if result.error:
            say(f"scancel: {result.error}")
    return choice


# -- other forms ---------------------------------------------------------------------------
def resume(args: argparse.Namespace, ask: Ask = ask_user) -> int:
    """Adopt the runs whose local queue stopped, and run them."""
    orphans = abandoned_runs(args.runs)
    if not orphans:
        say(f"No runs of {args.runs} wait for a queue that stopped.")
        return 0
    queue = LocalQueue(Launcher(args.runs), args.jobs)
    for run_dir, ticket in orphans:
        queue.adopt(run_dir, ticket)
    say(f"Resuming {len(orphans)} waiting runs: {_id_span(queue.runs())}.")
    return follow_local(queue, args.runs, ask)


def recorded_sweep(args: argparse.Namespace) -> SweepSpec:
    """The sweep recorded under ``--again`` (an id in <runs>/_sweeps, or a path); sets its target in args."""
    path = Path(args.again)
    if not path.is_file():
        path = Path(args.runs) / SWEEPS_DIR / f"{args.again}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    spec = SweepSpec.from_json(data.get("sweep") or {})
    target = data.get("target") or {}
    if target.get("kind") == SLURM and not args.slurm:
        args.slurm = True
        slurm = SlurmOptions.from_json(target.get("slurm") or {})
        args.partition, args.time, args.cpus = slurm.partition, slurm.time, slurm.cpus
        args.gpus, args.mem, args.sbatch = slurm.gpus, slurm.mem, " ".join(slurm.extra)
    elif target.get("limit") and not args.jobs:
        args.jobs = int(target["limit"])
    if not spec.base.script.is_file():
        raise SweepError(f"the script {spec.base.script} of the recorded sweep is gone")
    if not os.access(spec.base.python, os.X_OK):
        raise SweepError(f"the interpreter {spec.base.python} of the recorded sweep is gone")
    return spec
