#!/usr/bin/env python
"""Benchmark of the run detail screen: plot redraws, a 200 MB cout.txt, and runs huge in config or metrics.

Run: ``python tests/benchmarks/bench_run_detail.py [--points 1000000] [--megabytes 200] [--repeat 5]``.
Figures are medians of ``--repeat`` runs. Budgets: a redraw of a 1M-point plot (downsample + plotext)
< 100 ms; appending 1000 points to it and redrawing < 100 ms; opening a 200 MB cout.txt (first poll of
the data layer) < 100 ms, and until the lines are on screen in the app < 1 s.

``--huge FOLDER`` instead measures the runs of make_huge_runs.py (written into FOLDER when it is
empty: a 20 MB config, a 10 MB string value, a killed run and a finished one with 1M-point metrics),
each in a fresh process (huge_detail_probe.py): the screen shown, the data shown, the longest stall
of the event loop while the files are read, tab switches and keys until the next redraw (wall and
the UI thread's CPU time), RSS; then Enter on each run from the runs table of the whole app.
Compile first (``python -m compileall -q sacred_tui core``) and note the load printed beside them.
Budget: every key and tab switch 100 ms, no stall over 100 ms, memory bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual_plotext import Plot

from sacred_tui.data.plot_data import PreparedSeries, plot_points
from sacred_tui.data.run_detail_data import RunDetailSource
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.log_tail import LogTail
from sacred_tui.widgets.metrics_plot import draw_plot


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def redraw(prepared: PreparedSeries, steps: list[int], stamps: list[str], width: int, weight: float) -> None:
    """What MetricPlot does on a redraw: downsample to the width, draw, build the text, parse it."""
    data = plot_points(prepared, steps, stamps, width, weight=weight)
    plot = Plot()
    draw_plot(plot, data, "loss", log_y=False)
    plot.plotsize(width + 10, 30)
    Text.from_ansi(plot.build())


def bench_plot(points: int, repeat: int) -> None:
    values: list[float] = [math.sin(i / 1000) + (i % 97) / 500 for i in range(points)]
    steps = list(range(points))
    stamps = ["2026-11-28T01:00:00.000000"] * points
    prepared = PreparedSeries()
    started = time.perf_counter()
    prepared.update(values)
    print(f"prepare {points:,} points (once per point)     {(time.perf_counter() - started) * 1000:8.1f} ms")
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        redraw(prepared, steps, stamps, 110, 0.0)
        samples.append(time.perf_counter() - started)
    print(f"redraw {points:,}-point plot, 110 columns     {median_ms(samples)}")
    started = time.perf_counter()
    redraw(prepared, steps, stamps, 110, 0.9)
    print(f"first redraw with smoothing (EMA computed)     {(time.perf_counter() - started) * 1000:8.1f} ms")
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        redraw(prepared, steps, stamps, 110, 0.9)
        samples.append(time.perf_counter() - started)
    print(f"redraw with smoothing (cached)                 {median_ms(samples)}")
    samples = []
    for _ in range(repeat):
        values.extend(0.5 for _ in range(1000))
        steps.extend(range(len(steps), len(steps) + 1000))
        stamps.extend(["2026-11-28T01:00:01.000000"] * 1000)
        started = time.perf_counter()
        prepared.update(values)
        redraw(prepared, steps, stamps, 110, 0.9)
        samples.append(time.perf_counter() - started)
    print(f"append 1000 points + redraw                    {median_ms(samples)}")


def write_cout(path: Path, megabytes: int) -> None:
    line = b"epoch 12 | step 123456 | loss 0.123456 | acc 0.98765 | lr 1e-4 ....\n"
    block = line * (1024 * 1024 // len(line))
    with open(path, "wb") as handle:
        for _ in range(megabytes):
            handle.write(block)


async def open_in_app(folder: Path) -> float:
    """Seconds from pushing the screen to the stdout tail holding its lines."""
    app: App[None] = App()
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.perf_counter()
        await app.push_screen(RunDetailScreen(folder, "1"))
        while app.screen.query_one(LogTail).line_count == 0:
            await pilot.pause(0.002)
        return time.perf_counter() - started


def bench_stdout(megabytes: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "1"
        run_dir.mkdir()
        (run_dir / "run.json").write_text(json.dumps({"status": "RUNNING"}))
        started = time.perf_counter()
        write_cout(run_dir / "cout.txt", megabytes)
        print(f"write {megabytes} MB cout.txt (setup)              {(time.perf_counter() - started) * 1000:8.1f} ms")
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            update = RunDetailSource(tmp, "1").poll()
            assert update.stdout is not None and len(update.stdout.text) > 1_000_000 * 0.9
            samples.append(time.perf_counter() - started)
        print(f"first poll of a {megabytes} MB cout.txt (data layer)  {median_ms(samples)}")
        samples = [asyncio.run(open_in_app(Path(tmp))) for _ in range(max(1, repeat // 2))]
        print(f"screen pushed -> tail lines on screen          {median_ms(samples)}")


HUGE_CASES = (("1", "config", "20 MB config"), ("2", "config", "10 MB string value"),
              ("3", "metrics", "killed run, 1M points (metrics.jsonl)"),
              ("4", "metrics", "finished run, 2 x 1M points (metrics.json)"),
              ("4", "table", "Enter on the finished 2 x 1M-point run in the runs table"),
              ("1", "table", "Enter on the 20 MB config run in the runs table"))


def bench_huge(folder: Path) -> None:
    here = Path(__file__).parent
    if not (folder / "4" / "metrics.json").exists():
        sys.path.insert(0, str(here))
        from make_huge_runs import make_huge_runs

        make_huge_runs(folder)
    for run_id, kind, title in HUGE_CASES:
        load = os.getloadavg()
        done = subprocess.run([sys.executable, str(here / "huge_detail_probe.py"), str(folder), run_id, kind],
                              capture_output=True, text=True, timeout=1800)
        print(f"--- run {run_id}: {title} (load before {load[0]:.2f}, after {os.getloadavg()[0]:.2f})")
        if done.returncode:
            print(done.stderr[-2000:])
            continue
        for name, value in json.loads(done.stdout.strip().splitlines()[-1]).items():
            print(f"  {name:40s} {value}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--huge", type=Path, help="measure the huge runs of make_huge_runs.py in this folder")
    args = parser.parse_args(argv)
    if args.huge:
        bench_huge(args.huge)
        return
    bench_plot(args.points, args.repeat)
    bench_stdout(args.megabytes, args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
