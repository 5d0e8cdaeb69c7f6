#!/usr/bin/env python
"""Benchmark of sweeps: how soon a 200-run sweep is in the table (local queue, SLURM), and the UI with 1,000 pending runs.

Run: ``python tests/benchmarks/bench_sweeps.py [--runs 200] [--pending 1000] [--script demo/train.py] [--slurm]
[--skip-submit]``.
With ``--slurm``, start a cluster first (``tests/slurm/cluster.sh start`` as root) and export the
SLURM_CONF it prints. The SLURM jobs are submitted held (``--hold``) so none runs during the
measurement, and every job and queued run is cancelled at the end.

Measured, headless through Textual's ``run_test``, in a fresh empty runs folder:
- submit: from the composer's request to every run of the sweep shown in the table (the app's
  own path: check every command line, write the QUEUED runs, for SLURM one sbatch per run), and
  for SLURM until every row shows PENDING (every job submitted);
- pending: a folder of N pending runs (SLURM jobs held, else runs of a local queue that stopped):
  first paint, all rows shown, one squeue call for all of them, key presses, filter and sort.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def sweep_of(script: Path, runs: int):
    from sacred_tui.data.launch_spec import LaunchSpec
    from sacred_tui.data.sweep_spec import sweep_of as build

    base = LaunchSpec.create(script, updates=["delay=0.0"], python=sys.executable)
    return build(base, [f"steps=1..{runs}"])


def target(slurm: bool):
    from sacred_tui.data.queued_runs import LOCAL, SLURM
    from sacred_tui.data.slurm import SlurmOptions
    from sacred_tui.data.sweep_submit import SweepTarget

    return SweepTarget(SLURM, SlurmOptions(time="5", extra=("--hold",))) if slurm else SweepTarget(LOCAL, limit=2)


async def until(pilot, check, timeout: float = 300.0) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await pilot.pause(0.01)


def cancel_all(folder: Path) -> None:
    from sacred_tui.data.sweep_control import cancel_runs

    run_dirs = [path for path in folder.iterdir() if path.name.isdigit()]
    cancel_runs(run_dirs, stop_running=True)


async def measure_submit(folder: Path, script: Path, runs: int, slurm: bool) -> dict[str, float]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.screens.launch_sweep import SweepRequest

    results: dict[str, float] = {}
    app = SacredTuiApp(folder, poll=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "loaded", False))
        table = app.screen.table
        started = time.perf_counter()
        app.queue_flow.submit(SweepRequest(sweep_of(script, runs), target(slurm)))
        await until(pilot, lambda: table.row_count >= runs)
        results[f"{runs} runs in the table (s)"] = time.perf_counter() - started
        if slurm:  # every job submitted: its row shows PENDING (before, QUEUED: being submitted)
            await until(pilot, lambda: all(table.get_cell(run_id, "status").plain == "PENDING"
                                           for run_id in table.visible_ids()))
            results[f"{runs} runs shown PENDING, every job submitted (s)"] = time.perf_counter() - started
        if app.queue_flow.queue is not None:
            app.queue_flow.queue.cancel_waiting()
            app.queue_flow.queue.stop_running()
        await pilot.pause(0.5)
    cancel_all(folder)
    return results


async def measure_pending(folder: Path, pending: int, slurm: bool) -> dict[str, float]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.data.query import parse_query
    from sacred_tui.data.slurm_monitor import SlurmMonitor

    results: dict[str, float] = {}
    run_dirs = [path for path in folder.iterdir() if path.name.isdigit()]
    if slurm:
        begin = time.perf_counter()
        SlurmMonitor().poll(run_dirs)
        results[f"one squeue poll of {pending} jobs (s)"] = time.perf_counter() - begin
    started = time.perf_counter()
    app = SacredTuiApp(folder, poll=False, slurm_interval=3.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.painted.is_set())
        results["first paint (s)"] = time.perf_counter() - started
        table = app.screen.table
        await until(pilot, lambda: table.row_count >= pending)
        results["all rows shown (s)"] = time.perf_counter() - started
        shown = {table.get_cell(run_id, "status").plain for run_id in table.visible_ids()[:20]}
        print(f"  statuses shown: {sorted(shown)}", file=sys.stderr)
        presses, cpu = [], []
        for _ in range(60):  # spans several squeue polls of the app (every 3 s)
            begin, begin_cpu = time.perf_counter(), time.process_time()
            await pilot.press("j")
            presses.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)  # all threads: less sensitive to a busy machine
            await pilot.pause(0.1)
        results["key press, median (s)"] = statistics.median(presses)
        results["key press, slowest (s)"] = max(presses)
        results["key press, median CPU time (s)"] = statistics.median(cpu)
        for name, text in (("filter status=PENDING (s)", "status=PENDING"), ("clear filter (s)", "")):
            begin = time.perf_counter()
            table.set_query(parse_query(text))
            await pilot.pause()
            results[name] = time.perf_counter() - begin
        begin = time.perf_counter()
        table.sort_by("status")
        await pilot.pause()
        results["sort by status (s)"] = time.perf_counter() - begin
    return results


def make_pending(folder: Path, script: Path, pending: int, slurm: bool) -> None:
    """A folder of ``pending`` runs that wait: held SLURM jobs, or runs of a local queue that stopped."""
    import subprocess

    from sacred_tui.data.queued_runs import QueueTicket, read_ticket, write_ticket
    from sacred_tui.data.sweep_submit import queue_sweep

    queued = queue_sweep(sweep_of(script, pending), folder, target(slurm))
    if not slurm:
        gone = subprocess.Popen(["true"])
        gone.wait()
        for run in queued.runs:
            ticket = read_ticket(run.run_dir)
            write_ticket(run.run_dir, QueueTicket(**{**ticket.__dict__, "owner_pid": gone.pid}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--script", type=Path, default=ROOT / "demo" / "train.py")
    parser.add_argument("--slurm", action="store_true", help="also submit to SLURM (SLURM_CONF must be set)")
    parser.add_argument("--skip-submit", action="store_true", help="measure only the folders of pending runs")
    args = parser.parse_args()
    if args.slurm and not os.environ.get("SLURM_CONF"):
        parser.error("--slurm needs a cluster: run tests/slurm/cluster.sh start and export its SLURM_CONF")
    script = args.script.resolve()
    print(f"load: {os.getloadavg()}", file=sys.stderr)
    for slurm in ([False, True] if args.slurm else [False]):
        kind = "SLURM" if slurm else "local queue"
        if not args.skip_submit:
            with tempfile.TemporaryDirectory(prefix="bench-sweeps-") as tmp:
                result = asyncio.run(measure_submit(Path(tmp) / "runs", script, args.runs, slurm))
                print(json.dumps({f"submit to {kind}": result}))
        with tempfile.TemporaryDirectory(prefix="bench-pending-") as tmp:
            folder = Path(tmp) / "runs"
            begin = time.perf_counter()
            make_pending(folder, script, args.pending, slurm)
            print(f"  {args.pending} pending runs written in {time.perf_counter() - begin:.1f} s", file=sys.stderr)
            try:
                result = asyncio.run(measure_pending(folder, args.pending, slurm))
            finally:
                cancel_all(folder)
            print(json.dumps({f"{args.pending} pending runs ({kind})": result}))
    with tempfile.TemporaryDirectory(prefix="bench-finished-") as tmp:
        sys.path.insert(0, str(Path(__file__).parent))
        from make_big_runs import make_runs

        folder = make_runs(Path(tmp) / "runs", args.pending, points=10)
        result = asyncio.run(measure_pending(folder, args.pending, False))
        print(json.dumps({f"for comparison, {args.pending} finished runs": result}))
    print(f"load: {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
