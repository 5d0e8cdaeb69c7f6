"""Times the run detail screen on one huge run (see make_huge_runs.py), in a process of its own.

Run by bench_run_detail.py as ``python huge_detail_probe.py FOLDER RUN_ID KIND``, KIND being
``config``, ``metrics`` or ``table`` (the whole app: Enter on the run's row); prints one JSON line
of figures. Keys are sent as the terminal driver
sends them and timed until the next redraw (wall and the UI thread's CPU time). A ticker on the
event loop records its longest stall while the run loads.
"""
from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StallMeter:
    """Longest gap between ticks of a 5 ms timer on the event loop (how long the UI was blocked)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.longest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.005)
            last = now

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.longest


async def _wait(condition: Callable[[], bool], timeout: float = 300.0) -> float:
    begin = time.perf_counter()
    while not condition():
        if time.perf_counter() - begin > timeout:
            return float("inf")
        await asyncio.sleep(0.005)
    return time.perf_counter() - begin


async def _drawn(app: Any) -> None:
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


def _press(app: Any, key: str) -> None:
    from textual import events

    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)


async def measure(folder: Path, run_id: str, kind: str) -> dict[str, Any]:
    from textual.app import App

    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.widgets.config_view import ConfigView
    from sacred_tui.widgets.metrics_plot import MetricPlot

    results: dict[str, Any] = {}
    base_rss = rss_mb()[0]
    app: App[None] = App()
    async with app.run_test(size=(160, 48)):
        meter = StallMeter()
        meter.start()
        begin, cpu = time.perf_counter(), time.thread_time()
        app.push_screen(RunDetailScreen(folder, run_id))
        await _wait(lambda: isinstance(app.screen, RunDetailScreen) and app.screen.is_mounted)
        await _drawn(app)
        results["screen shown (ms)"] = round((time.perf_counter() - begin) * 1000, 1)
        results["longest UI stall until shown (ms)"] = round(meter.stop() * 1000)
        meter.start()  # from here on: while the run's files are read
        screen = app.screen

        async def timed(name: str, key: str, until: Callable[[], bool]) -> None:
            await asyncio.sleep(0.2)
            begin, cpu = time.perf_counter(), time.thread_time()
            _press(app, key)
            if await _wait(until, timeout=20) == float("inf"):
                print(f"{name}: no redraw within 20 s", file=sys.stderr, flush=True)
            await _drawn(app)
            results[name] = f"{(time.perf_counter() - begin) * 1000:.0f} ms wall, " \
                            f"{(time.thread_time() - cpu) * 1000:.0f} ms UI CPU"

        def tab(name: str) -> Callable[[], bool]:
            return lambda: screen.active_tab == name

        if kind == "config":
            view = screen.query_one(ConfigView)
            tree = view.tree
            await timed("key 2: config tab", "2", tab("tab-config"))
            loaded = await _wait(lambda: bool(tree.root.children))
            results["config shown (s)"] = round(time.perf_counter() - begin, 2)
            results["UI CPU until shown (ms)"] = round((time.thread_time() - cpu) * 1000)
            results["longest UI stall while reading (ms)"] = round(meter.stop() * 1000)
            results["rows in tree"] = tree.last_line + 1
            results["loaded"] = loaded != float("inf")
            await timed("key 3: metrics tab", "3", tab("tab-metrics"))
            await timed("key 2: config tab again", "2", tab("tab-config"))
            await timed("key 1: overview tab", "1", tab("tab-overview"))
            await timed("key 2: config tab, third time", "2", tab("tab-config"))
            line = tree.cursor_line
            await timed("key down", "down", lambda: tree.cursor_line != line)
            await timed("key end", "end", lambda: tree.cursor_line == tree.last_line)
            await timed("key home", "home", lambda: tree.cursor_line == 0)
            branches = [node for node in tree.root.children if node.allow_expand]
            if branches:
                node = branches[0]
                tree.move_cursor(node)
                expanded = node.is_expanded
                await timed(f"key enter: open/close {node.data}", "enter", lambda: node.is_expanded != expanded)
                results["rows in tree after enter"] = tree.last_line + 1
            leaves = [node for node in tree.root.children if not node.allow_expand and node.data == "prompt"]
            if leaves:
                tree.move_cursor(leaves[0])
                await timed("key enter: the whole value shown", "enter",
                            lambda: getattr(app.screen, "text", None) is not None)
                await timed("key escape: back", "escape", lambda: app.screen is screen)
            await timed("key c (only changed)", "c", lambda: view.only_changed)
            await timed("key c (all again)", "c", lambda: not view.only_changed)
        else:
            panel = screen.query_one(MetricsPanel)
            await timed("key 3: metrics tab", "3", tab("tab-metrics"))

            def plotted() -> bool:
                plots = list(screen.query(MetricPlot))
                return bool(plots) and plots[0].last_data is not None and plots[0].last_data.total > 0

            await _wait(plotted)
            results["plot drawn (s)"] = round(time.perf_counter() - begin, 2)
            results["UI CPU until drawn (ms)"] = round((time.thread_time() - cpu) * 1000)
            results["longest UI stall while reading (ms)"] = round(meter.stop() * 1000)
            results["points"] = {name: len(series) for name, series in panel.series.items()}
            plot = screen.query(MetricPlot).first()

            def redrawn() -> Callable[[], bool]:
                before = plot.last_data
                return lambda: plot.last_data is not before

            await timed("key x (time axis)", "x", redrawn())
            await timed("key s (smoothing)", "s", redrawn())
            await timed("key y (log y)", "y", redrawn())
            await timed("key 2: config tab", "2", tab("tab-config"))
            await timed("key 3: metrics tab again", "3", tab("tab-metrics"))
        now, peak = rss_mb()
        results["RSS above start (MB)"] = round(now - base_rss)
        results["peak RSS (MB)"] = round(peak)
    return results


async def enter_from_table(folder: Path, run_id: str) -> dict[str, Any]:
    """The whole app on the folder: Enter on ``run_id``'s row, until the detail screen and its plot show."""
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.screens.runs import RunsScreen
    from sacred_tui.widgets.config_view import ConfigView
    from sacred_tui.widgets.metrics_plot import MetricPlot

    results: dict[str, Any] = {}
    app = SacredTuiApp(folder)
    async with app.run_test(size=(160, 48)):
        await _wait(lambda: isinstance(app.screen, RunsScreen) and run_id in app.screen.table.all_rows)
        table = app.screen.table
        table.move_cursor(row=table.get_row_index(run_id))
        await _wait(lambda: table.current_run_id == run_id)
        await asyncio.sleep(0.5)
        meter = StallMeter()
        meter.start()
        begin, cpu = time.perf_counter(), time.thread_time()
        _press(app, "enter")
        await _wait(lambda: isinstance(app.screen, RunDetailScreen) and app.screen.is_mounted)
        await _drawn(app)
        results["enter: detail screen shown (ms)"] = round((time.perf_counter() - begin) * 1000)
        results["UI CPU until shown (ms)"] = round((time.thread_time() - cpu) * 1000)
        screen = app.screen
        _press(app, "3")
        tree = screen.query_one(ConfigView).tree
        await _wait(lambda: bool(tree.root.children))
        results["config shown (s)"] = round(time.perf_counter() - begin, 2)

        def plotted() -> bool:
            plots = list(screen.query(MetricPlot))
            return bool(plots) and plots[0].last_data is not None and plots[0].last_data.total > 0

        if any((folder / run_id / name).exists() for name in ("metrics.json", "metrics.jsonl")):
            await _wait(plotted)
            results["metrics plotted (s)"] = round(time.perf_counter() - begin, 2)
        results["longest UI stall from Enter until shown (ms)"] = round(meter.stop() * 1000)
        results["peak RSS (MB)"] = round(rss_mb()[1])
    return results


if __name__ == "__main__":
    folder, run_id, kind = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    probe = enter_from_table(folder, run_id) if kind == "table" else measure(folder, run_id, kind)
    print(json.dumps(asyncio.run(probe)))
