#!/usr/bin/env python
"""The runs table at 20,000 runs as a user meets it: load, keys during the load, live runs, interactions.

Run: ``python tests/benchmarks/bench_tui_table.py [--runs 20000] [--folder-cache DIR] [--poll]``.
Each size runs in a fresh child process (its peak RSS is the app's), through Textual's pilot, with
file-system events as a user gets them (``--poll`` for polling). The folder is the realistic one of
``make_big_runs.py``. Measured, wall-clock from creating the app:

* first rows / all rows / config and metric columns filled;
* keys pressed during the load (cursor down every 0.25 s, sent as the terminal driver sends them):
  time until the cursor moved and the screen was refreshed;
* a new run written once the load is done: time until its row is in the table;
* filter (word, config condition, metric condition), sort, add a column, mark, open a run (until
  its overview is drawn), and two more sorts ten seconds later:
  time until the screen was refreshed after it.

Goals: first rows 0.5 s, all rows 3 s, columns filled 5 s, every key and interaction 100 ms, a new
run within 1 s (2 s polling), peak RSS 300 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from make_big_runs import make_runs  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _wait(pilot, condition, timeout: float = 120.0, step: float = 0.005) -> float:
    """Seconds until ``condition()`` holds (plain sleeps: ``pilot.pause()`` waits up to 2 s for the
    process to go idle, which a loading app never is)."""
    begin = time.perf_counter()
    while not condition():
        if time.perf_counter() - begin > timeout:
            return float("inf")
        await asyncio.sleep(step)
    return time.perf_counter() - begin


async def _drawn(app) -> None:
    """Wait until the screen has been refreshed after what was just done."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


async def _painted_when(app, condition, timeout: float = 60.0) -> float:
    """The moment the app first writes a frame to the terminal while ``condition()`` holds.

    A refresh callback would come later: callbacks queued before it (such as a screen mounting
    more widgets after its first paint) run first.
    """
    painted = asyncio.get_running_loop().create_future()
    display = app._display

    def watching(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and not painted.done() and condition():
            painted.set_result(time.perf_counter())

    app._display = watching
    try:
        return await asyncio.wait_for(painted, timeout)
    finally:
        del app._display


def _table_has_store_rows(table, store) -> bool:
    """Whether the table shows every row the store holds (the last batch read is drawn)."""
    shown = table.all_rows
    return all(shown.get(row.run_id) is row for row in store.rows())


async def key_down(app, pilot, table, timeout: float) -> tuple[float, float]:
    """Press cursor-down as the terminal sends it (back to the top at the bottom); return the wall
    time until the cursor moved and the screen was redrawn, and the UI thread's CPU time for it."""
    before = table.cursor_row
    if before >= table.row_count - 1:
        table.move_cursor(row=0)
        before = 0
    begin, cpu = time.perf_counter(), time.thread_time()
    _press(app, "down")
    await _wait(pilot, lambda: table.cursor_row != before, timeout=timeout, step=0.002)
    await _drawn(app)
    return time.perf_counter() - begin, time.thread_time() - cpu


def describe_keys(latencies: list[float], cpu_times: list[float]) -> str:
    """Median and max wall time of keys, how many took over 100 ms, and the UI thread's CPU."""
    return (f"n={len(latencies)} median {statistics.median(latencies) * 1000:.0f} ms "
            f"max {max(latencies) * 1000:.0f} ms >100ms: {sum(v > 0.1 for v in latencies)}; UI thread CPU "
            f"median {statistics.median(cpu_times) * 1000:.0f} ms max {max(cpu_times) * 1000:.0f} ms")


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process (all its threads) and of its child processes, the
    ones still running (from /proc) and the ones ended and waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = ended.ru_utime + ended.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            pids = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            children += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return own.ru_utime + own.ru_stime, children


def _press(app, key: str) -> None:
    """Send a key as the terminal driver does, without waiting for the app to go idle."""
    from textual import events

    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)


async def measure(folder: Path, runs: int, poll: bool) -> dict[str, float | str]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.data.columns import BASE_COLUMNS, column_for
    from sacred_tui.data.query import parse_query
    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.screens.runs import RunsScreen

    results: dict[str, float | str] = {}
    started, cpu_before = time.perf_counter(), cpu_seconds()
    app = SacredTuiApp(folder, poll=poll)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.table.row_count > 0)
        results["first rows (s)"] = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.table
        # Keys during the load: cursor down every 0.25 s until every column is filled.
        latencies: list[float] = []
        cpu_times: list[float] = []
        all_rows = filled = None
        while filled is None:
            if all_rows is None and len(table.all_rows) >= runs:
                all_rows = time.perf_counter() - started
            if all_rows is not None and not app.store.pending and _table_has_store_rows(table, app.store):
                filled = time.perf_counter() - started
                own, children = (after - before for after, before in zip(cpu_seconds(), cpu_before))
                results["CPU until filled (s)"] = f"{own:.2f} the app's process, {children:.2f} its children"
                break
            if time.perf_counter() - started > 300:
                break
            wall, cpu = await key_down(app, pilot, table, timeout=60)
            latencies.append(wall)
            cpu_times.append(cpu)
            await asyncio.sleep(0.25)
        results["all rows (s)"] = all_rows if all_rows is not None else float("inf")
        results["columns filled (s)"] = filled if filled is not None else float("inf")
        if latencies:
            results["keys during load"] = describe_keys(latencies, cpu_times)
        await asyncio.sleep(1.0)  # the watcher is up

        # A new run written the way Sacred writes it: a folder, then its files.
        new_id = str(runs + 1)
        begin = time.perf_counter()
        shutil.copytree(folder / "2", folder / new_id)
        results["new run shown (s)"] = await _wait(pilot, lambda: new_id in table.all_rows, timeout=30)
        shutil.rmtree(folder / new_id)
        await _wait(pilot, lambda: new_id not in table.all_rows, timeout=30)

        async def timed(name: str, action) -> None:
            await asyncio.sleep(0.3)
            begin, cpu = time.perf_counter(), time.thread_time()
            action()
            await _drawn(app)
            results[name] = (f"{time.perf_counter() - begin:8.3f} wall, "
                             f"{time.thread_time() - cpu:.3f} CPU of the UI thread")

        await timed("filter word (s)", lambda: table.set_query(parse_query("mlp")))
        await timed("filter config (s)", lambda: table.set_query(parse_query("config.lr>0.01")))
        await timed("filter metric (s)", lambda: table.set_query(parse_query("metric.train.loss.last<0.05")))
        await timed("clear filter (s)", lambda: table.set_query(parse_query("")))
        await timed("sort by status (s)", lambda: table.sort_by("status"))
        await timed("sort by id (s)", lambda: table.sort_by("id", True))
        await timed("add column (s)", lambda: table.set_columns(
            [*BASE_COLUMNS, column_for("config.lr"), column_for("metric.train.loss.last")]))
        await timed("sort by metric (s)", lambda: table.sort_by("metric.train.loss.last"))
        await timed("mark (s)", lambda: table.toggle_mark())
        # A user who reads the table a while before sorting: columns not sorted by yet.
        await asyncio.sleep(10)
        await timed("sort by start, 10 s on (s)", lambda: table.sort_by("started"))
        await timed("sort by host, 10 s on (s)", lambda: table.sort_by("host"))
        # Open a run: until its overview (status, times, host ...) is drawn.
        begin = time.perf_counter()
        screen.open_run(table.current_run_id or "1")
        drawn = await _painted_when(app, lambda: isinstance(app.screen, RunDetailScreen)
                                    and app.screen._record is not None)
        results["open run (s)"] = drawn - begin
        results["peak RSS (MB)"] = rss_mb()
    return results


def child(runs: int, folder: Path, poll: bool) -> None:
    print(json.dumps(asyncio.run(measure(folder, runs, poll))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[20000])
    parser.add_argument("--folder-cache", type=Path, default=None,
                        help="keep generated folders here (runs-<N>) to reuse them next time")
    parser.add_argument("--folder", type=Path, default=None, help="measure this existing folder")
    parser.add_argument("--poll", action="store_true", help="poll instead of file-system events")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.poll)
        return
    base = args.folder_cache or Path(tempfile.mkdtemp(prefix="bench-tui-"))
    for runs in args.runs:
        folder = args.folder or base / f"runs-{runs}"
        if not (folder / str(runs) / "run.json").exists():
            begin = time.perf_counter()
            make_runs(folder, runs)
            print(f"made {runs} runs in {time.perf_counter() - begin:.1f}s")
        load = os.getloadavg()[0]
        command = [sys.executable, __file__, "--child", str(runs), "--folder", str(folder)]
        done = subprocess.run(command + (["--poll"] if args.poll else []), capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        results = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"--- {runs} runs, {'polling' if args.poll else 'file events'}, load before {load:.2f}")
        for name, value in results.items():
            print(f"  {name:22s} {value:8.3f}" if isinstance(value, float) else f"  {name:22s} {value}")


if __name__ == "__main__":
    main()
