#!/usr/bin/env python
"""Benchmark of the runs table: first paint, filter, sort, live update and memory for big folders.

Run: ``python tests/benchmarks/bench_tui_table.py [--runs 2000 20000] [--folder-cache DIR]``.
Each size runs in a fresh child process (so its peak RSS is the app's), headless through Textual's
``run_test``. Budgets: 20,000 runs painted within 3 s and the app under 300 MB; filtering, sorting
and scrolling 10,000 rows "instant" (well under 0.5 s).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from make_big_runs import make_runs  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(folder: Path, runs: int) -> dict[str, float]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.data.query import parse_query
    from sacred_tui.screens.runs import RunsScreen

    results: dict[str, float] = {}
    started = time.perf_counter()
    app = SacredTuiApp(folder, poll=True, poll_interval=5, safety_interval=5)
    async with app.run_test(size=(160, 48)) as pilot:
        while not app.painted.is_set():
            await pilot.pause(0.005)
        results["first paint (s)"] = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.table
        while table.row_count < runs:
            await pilot.pause(0.01)
        results["all rows shown (s)"] = time.perf_counter() - started
        while app.store.pending:
            await pilot.pause(0.05)
        results["config+metrics loaded (s)"] = time.perf_counter() - started

        async def timed(name: str, action: object) -> None:
            begin = time.perf_counter()
            action()  # type: ignore[operator]
            await pilot.pause()
            results[name] = time.perf_counter() - begin

        await timed("filter word (s)", lambda: table.set_query(parse_query("mlp")))
        await timed("filter query (s)", lambda: table.set_query(
            parse_query("status=FAILED or config.lr>0.01 and metric.loss.last<0.05")))
        await timed("clear filter (s)", lambda: table.set_query(parse_query("")))
        await timed("sort by status (s)", lambda: table.sort_by("status"))
        await timed("sort by id (s)", lambda: table.sort_by("id", True))
        await timed("scroll to end (s)", lambda: table.action_scroll_bottom())
        rows = [app.store.get(str(i)) for i in range(1, 11)]
        await timed("update 10 rows (s)", lambda: table.update_rows([r for r in rows if r]))
        results["peak RSS (MB)"] = rss_mb()
    return results


def child(runs: int, folder: Path) -> None:
    print(json.dumps(asyncio.run(measure(folder, runs))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--folder-cache", type=Path, default=None,
                        help="keep generated folders here (runs-<N>) to reuse them next time")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    base = args.folder_cache or Path(tempfile.mkdtemp(prefix="bench-tui-"))
    for runs in args.runs:
        folder = base / f"runs-{runs}"
        if not (folder / str(runs) / "run.json").exists():
            begin = time.perf_counter()
            make_runs(folder, runs)
            print(f"made {runs} runs in {time.perf_counter() - begin:.1f}s")
        done = subprocess.run([sys.executable, __file__, "--child", str(runs), "--folder", str(folder)],
                              capture_output=True, text=True, check=True)
        results = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"--- {runs} runs")
        for name, value in results.items():
            print(f"  {name:28s} {value:8.3f}")


if __name__ == "__main__":
    main()
