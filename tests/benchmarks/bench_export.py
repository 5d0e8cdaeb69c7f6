#!/usr/bin/env python
"""Benchmark of exporting a big runs table: filter, sort and write CSV, JSON and Markdown.

Run: ``python tests/benchmarks/bench_export.py [--runs 20000] [--folder-cache DIR]``.
Measures, on rows already in memory (what the UI's E key does), the time to filter and sort
20,000 runs and render them with four extra columns, per format (goal: 1 s or less each), and the
headless ``sacred-tui export`` end to end in a fresh process, which also reads every run's files.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from make_big_runs import make_runs  # noqa: E402

FILTER = "status=COMPLETED and config.lr<0.1"
COLUMNS = ["id", "status", "experiment", "started", "duration", "tags", "config.lr", "config.optimizer",
           "metric.loss.min", "metric.accuracy.last"]


def best_of(repeats: int, work: object) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--folder-cache", type=Path, default=None,
                        help="keep the generated folder here and reuse it on the next run")
    args = parser.parse_args()
    from sacred_tui.data.export import render, select_rows
    from sacred_tui.data.query import parse_query
    from sacred_tui.data.store import RunStore

    base = args.folder_cache or Path(tempfile.mkdtemp(prefix="bench-export-"))
    folder = base / f"runs-{args.runs}"
    if not (folder / str(args.runs)).is_dir():
        make_runs(folder, args.runs, points=20)
    started = time.perf_counter()
    rows = RunStore(folder).load_all()
    load = time.perf_counter() - started
    query, now = parse_query(FILTER), time.time()
    print(f"runs: {len(rows)}; loading them into the store: {load:.2f} s; load {os.getloadavg()[0]:.1f}")
    selected = select_rows(rows, query, COLUMNS, now)
    select = best_of(3, lambda: select_rows(rows, query, COLUMNS, now, sort="metric.loss.min"))
    print(f"filter + sort ({len(selected)} of {len(rows)} kept): {select * 1000:.0f} ms")
    for fmt in ("csv", "json", "md"):
        seconds = best_of(3, lambda: render(selected, COLUMNS, fmt, now))
        size = len(render(selected, COLUMNS, fmt, now))
        print(f"render {fmt:4s} {len(selected)} rows x {len(COLUMNS)} columns: {seconds * 1000:.0f} ms "
              f"({size / 1e6:.1f} MB)")
    out = base / "export.csv"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sacred_tui", "export", str(folder), "--filter", FILTER,
                    "--columns", ",".join(COLUMNS), "-o", str(out)], check=True, capture_output=True)
    print(f"headless sacred-tui export end to end (new process, reads every run): "
          f"{time.perf_counter() - started:.2f} s; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
