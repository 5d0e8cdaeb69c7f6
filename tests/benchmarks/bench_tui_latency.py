#!/usr/bin/env python
"""How long after a write does the UI show it? A new run, a new stdout line, a new metric point.

Run: ``python tests/benchmarks/bench_tui_latency.py [--repeat 5]``. The app runs headless (Textual's
``run_test``) over a temp folder, once with file-system events and once with ``--poll``; the writes are
made the way our observer makes them (a new run folder, an append to cout.txt, a line in metrics.jsonl).
Budgets: 1 s with events, 2 s with polling.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference_runs" / "runs"


def _running_copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
    record = json.loads((target / "run.json").read_text())
    record.update(status="RUNNING", stop_time=None)
    (target / "run.json").write_text(json.dumps(record, sort_keys=True, indent=2))
    (target / "metrics.jsonl").write_text("")


async def _wait(pilot, condition, timeout: float = 10.0) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            return float("inf")
        await pilot.pause(0.01)
    return time.perf_counter() - start


async def measure(poll: bool) -> dict[str, float]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.widgets.log_tail import LogTail
    from sacred_tui.widgets.metrics_plot import MetricsPanel
    from sacred_tui.widgets.runs_table import RunsTable

    folder = Path(tempfile.mkdtemp(prefix="latency-"))
    _running_copy(REFERENCE / "1", folder / "1")
    app = SacredTuiApp(folder, poll=poll)
    result: dict[str, float] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.screen.query_one(RunsTable)
        await _wait(pilot, lambda: "1" in table.all_rows)
        await pilot.pause(1.5)  # the watcher is up
        shutil.copytree(REFERENCE / "2", folder / "2")
        result["new run"] = await _wait(pilot, lambda: "2" in table.all_rows)

        await pilot.press("g")
        table.move_cursor(row=[i for i in range(table.row_count)
                               if table.coordinate_to_cell_key((i, 0)).row_key.value == "1"][0])
        await pilot.press("enter")
        await pilot.pause(1.0)
        await pilot.press("4")
        await pilot.pause(1.0)
        tail = app.screen.query_one(LogTail)
        with open(folder / "1" / "cout.txt", "a") as cout:
            cout.write("a new line of output\n")
        result["stdout line"] = await _wait(pilot, lambda: any("a new line of output" in line
                                                                 for line in tail.lines))
        await pilot.press("3")
        await pilot.pause(1.0)
        panel = app.screen.query_one(MetricsPanel)
        before = len(panel.series.get("loss").values) if "loss" in panel.series else 0
        with open(folder / "1" / "metrics.jsonl", "a") as sidecar:
            sidecar.write(json.dumps({"name": "loss", "step": 99, "timestamp": "2026-11-28T01:24:01.000001",
                                      "value": 0.01}) + "\n")
        result["metric point"] = await _wait(
            pilot, lambda: "loss" in panel.series and len(panel.series["loss"].values) > before)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for poll in (False, True):
        runs = [asyncio.run(measure(poll)) for _ in range(args.repeat)]
        mode = "polling" if poll else "events"
        for key in runs[0]:
            values = [r[key] for r in runs]
            print(f"{mode:8} {key:13} median {statistics.median(values):.3f} s "
                  f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)})")


if __name__ == "__main__":
    main()
