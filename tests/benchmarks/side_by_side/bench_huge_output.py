#!/usr/bin/env python
"""Memory of a run that prints a lot: peak RSS of a run printing ``--megabytes`` (600) MB against one
printing 1 MB, each in a fresh process (peak RSS only ever grows within a process).

The run writes 1 MB blocks of 100-byte lines with ``sys.stdout.write`` (default capture mode, a
FileStorageObserver into a temp folder, the process's stdout pointed at /dev/null, as ``> /dev/null``
would), then the child checks that cout.txt holds every line.

Figures: ``peak_mib`` of each child, ``kept_mib`` = peak(N MB) - peak(1 MB): what the library keeps
of the output in memory; ``seconds`` of each child's run; ``cout_complete``.

How to run:
    python bench_huge_output.py --lib core --megabytes 600
    python bench_huge_output.py --lib sacred --megabytes 600
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from _benchlib import LoadProbe, emit, load_lib, pop_lib

LINE = b"y" * 99 + b"\n"
BLOCK_LINES = 10_000  # 1 MB


def child(lib, megabytes, report_fd):
    """Run one experiment printing ``megabytes`` MB; print 'peak_kib seconds complete'."""
    Experiment, FileStorageObserver = load_lib(lib)
    ex = Experiment("bench_huge_output")
    folder = tempfile.mkdtemp(prefix="bench-huge-")
    ex.observers.append(FileStorageObserver(folder))
    block = LINE.decode() * BLOCK_LINES

    @ex.main
    def main():
        for _ in range(megabytes):
            sys.stdout.write(block)

    import logging

    logging.getLogger().setLevel(logging.WARNING)
    ex.logger = logging.getLogger("bench_huge_output")  # the run's own INFO lines are not timed
    ex.logger.setLevel(logging.WARNING)
    started = time.perf_counter()
    run = ex.run()
    seconds = time.perf_counter() - started
    with open(os.path.join(folder, str(run._id), "cout.txt"), "rb") as handle:
        complete = sum(1 for line in handle if line == LINE) == megabytes * BLOCK_LINES
    shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    os.write(report_fd, ("%d %.3f %d\n" % (peak, seconds, complete)).encode())


def measure(lib, megabytes):
    read_end, write_end = os.pipe()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--lib", lib, "--child", str(megabytes),
             "--report-fd", str(write_end)], stdout=devnull, pass_fds=(write_end,))
    os.close(write_end)
    with os.fdopen(read_end) as report:
        text = report.read()
    if process.wait() != 0 or not text:
        sys.exit("bench: the run printing %d MB failed" % megabytes)
    peak_kib, seconds, complete = text.split()
    return {"peak_mib": int(peak_kib) / 1024, "seconds": float(seconds), "cout_complete": complete == "1"}


if __name__ == "__main__":
    argv = list(sys.argv)
    LIB = pop_lib(argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("--megabytes", type=int, default=600)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--report-fd", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", default=None, help="append the RESULT line to FILE")
    args = ap.parse_args(argv[1:])
    if args.child is not None:
        child(LIB, args.child, args.report_fd)
        sys.exit(0)
    probe = LoadProbe()
    small = measure(LIB, 1)
    large = measure(LIB, args.megabytes)
    out = {"bench": "huge_output", "lib": LIB, "megabytes": args.megabytes, "one_mb": small,
           "large": large, "kept_mib": large["peak_mib"] - small["peak_mib"], "load": probe.result()}
    sys.stderr.write("{}: 1 MB peak {:.1f} MiB; {} MB peak {:.1f} MiB in {:.1f} s (cout.txt complete: {}); "
                     "kept {:.1f} MiB\n".format(LIB, small["peak_mib"], args.megabytes, large["peak_mib"],
                                                large["seconds"], large["cout_complete"], out["kept_mib"]))
    emit(out, args.json)
