#!/usr/bin/env python
"""Benchmark of the metrics path: log_scalar rate, memory for 1M points, per-beat cost with 200k stored.

Run: ``python tests/benchmarks/bench_metrics.py [--n 1000000] [--stored 200000] [--repeat 3]``.
Each figure is the median of ``--repeat`` runs; peak memory is the process's peak RSS, measured in a
fresh child process per ``--n`` run so earlier phases do not inflate it.
Targets (Sacred 0.8.7 on the same machine): >= 2.1M log_scalar calls/s in a loop (Sacred 414k/s);
1M points logged and written by a FileStorageObserver: peak < 120 MiB (Sacred 631 MiB); an idle beat
with 200k points stored: < 1/100 of Sacred's 833 ms.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from core.metrics import MetricsLogger
from core.observers import FileStorageObserver


def log_rate(count: int) -> float:
    """log_scalar calls per second in a tight loop (one metric, float values)."""
    log = MetricsLogger().log_scalar
    start = time.perf_counter()
    for i in range(count):
        log("loss", 1.0 / (i + 1))
    return count / (time.perf_counter() - start)


def _started_observer(directory: str) -> FileStorageObserver:
    observer = FileStorageObserver(directory, copy_sources=False)
    observer.started_event({"base_dir": directory, "sources": [], "name": "bench"}, "main", {},
                           datetime.datetime(2026, 1, 1), {}, {}, None)
    return observer


def whole_flush(count: int) -> dict:
    """Log ``count`` points, then write them all in one beat; report times and peak memory."""
    directory = tempfile.mkdtemp(prefix="bench-metrics-")
    try:
        logger = MetricsLogger()
        log = logger.log_scalar
        start = time.perf_counter()
        for i in range(count):
            log("loss", 1.0 / (i + 1))
        logged = time.perf_counter()
        observer = _started_observer(directory)
        observer.log_metrics(logger.drain(), {})
        observer.heartbeat_event({}, "", datetime.datetime(2026, 1, 1), None)
        done = time.perf_counter()
        size = os.path.getsize(os.path.join(observer.dir, "metrics.json"))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return {"log_s": logged - start, "flush_s": done - logged, "metrics_json_bytes": size,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def beat_costs(stored: int, new: int = 1000, beats: int = 5) -> dict:
    """Cost of an idle beat and of a beat with ``new`` points while ``stored`` points are stored."""
    directory = tempfile.mkdtemp(prefix="bench-metrics-")
    try:
        observer = _started_observer(directory)
        logger = MetricsLogger()
        for i in range(stored):
            logger.log_scalar("loss", 1.0 / (i + 1))
        observer.log_metrics(logger.drain(), {})
        idle, busy = [], []
        beat_time = datetime.datetime(2026, 1, 1)
        for _ in range(beats):
            start = time.perf_counter()
            observer.log_metrics(logger.drain(), {})
            observer.heartbeat_event({}, "", beat_time, None)
            idle.append(time.perf_counter() - start)
            for i in range(new):
                logger.log_scalar("loss", float(i))
            start = time.perf_counter()
            observer.log_metrics(logger.drain(), {})
            observer.heartbeat_event({}, "", beat_time, None)
            busy.append(time.perf_counter() - start)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return {"idle_beat_ms": statistics.median(idle) * 1000, "beat_with_new_ms": statistics.median(busy) * 1000,
            "new_points": new}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="points for the rate and memory figures")
    parser.add_argument("--stored", type=int, default=200_000, help="points stored for the beat figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flush-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flush_only:
        print(json.dumps(whole_flush(args.n)))
        return
    rates = [log_rate(args.n) for _ in range(args.repeat)]
    flushes = []
    for _ in range(args.repeat):
        child = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--flush-only"],
                               check=True, capture_output=True, text=True)
        flushes.append(json.loads(child.stdout))
    beats = [beat_costs(args.stored) for _ in range(args.repeat)]
    result = {
        "log_scalar_calls_per_s": statistics.median(rates),
        "flush_s": statistics.median(f["flush_s"] for f in flushes),
        "peak_rss_mib": statistics.median(f["peak_rss_mib"] for f in flushes),
        "metrics_json_bytes": flushes[0]["metrics_json_bytes"],
        "idle_beat_ms": statistics.median(b["idle_beat_ms"] for b in beats),
        "beat_with_1k_new_ms": statistics.median(b["beat_with_new_ms"] for b in beats),
    }
    print(f"log_scalar            {result['log_scalar_calls_per_s']:,.0f} calls/s (target >= 2,100,000)")
    print(f"{args.n:,} points flush  {result['flush_s']:.3f} s, peak RSS {result['peak_rss_mib']:.1f} MiB "
          f"(target < 120), metrics.json {result['metrics_json_bytes']:,} B")
    print(f"{args.stored:,} stored: idle beat {result['idle_beat_ms']:.2f} ms (target < 8.3), "
          f"beat with 1k new points {result['beat_with_1k_new_ms']:.2f} ms")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
