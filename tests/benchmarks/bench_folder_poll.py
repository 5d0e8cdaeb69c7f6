#!/usr/bin/env python
"""A poll of a big runs folder where nothing changed: time and stat calls per run directory.

Run: ``python tests/benchmarks/bench_folder_poll.py FOLDER [--repeat 10]`` (FOLDER made by
``make_big_runs.py``; its files should be older than a few minutes, as in a folder of finished runs).
Compares the app's poller (``FolderPoller``) with stating every tracked file of every run
(``RunsFolder.scan``). Goal: under 0.2 s for 20,000 runs, a few stat calls per run directory.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from core.runs import RunsFolder
from sacred_tui.data import folder_poll
from sacred_tui.data.folder_poll import FolderPoller


def timed(action, repeat: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    folder = RunsFolder(args.folder)
    known = folder.scan({}).stamps
    runs = len(known)
    poller = FolderPoller(folder)
    poller.scan(known)  # remembers the directories

    calls = 0
    real_stat = os.stat

    def counting_stat(path, *rest, **options):
        nonlocal calls
        calls += 1
        return real_stat(path, *rest, **options)

    folder_poll.os.stat = counting_stat  # type: ignore[attr-defined]
    polls = 16
    for _ in range(polls):
        result = poller.scan(known)
        assert not result.has_changes, "the folder changed while it was measured"
    folder_poll.os.stat = real_stat  # type: ignore[attr-defined]

    load = os.getloadavg()[0]
    poll_wall, poll_cpu = timed(lambda: poller.scan(known), args.repeat)
    full_wall, full_cpu = timed(lambda: folder.scan(known), max(1, args.repeat // 3))
    print(f"{runs} runs, load before {load:.2f}")
    print(f"  poll (FolderPoller):  median {statistics.median(poll_wall):.3f} s wall "
          f"(min {min(poll_wall):.3f}), {statistics.median(poll_cpu):.3f} s CPU, "
          f"{calls / polls / runs:.2f} stat calls per run directory (over {polls} polls)")
    print(f"  every file stated:    median {statistics.median(full_wall):.3f} s wall "
          f"(min {min(full_wall):.3f}), {statistics.median(full_cpu):.3f} s CPU, 6 stat calls per run")


if __name__ == "__main__":
    sys.exit(main())
