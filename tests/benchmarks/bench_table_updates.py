#!/usr/bin/env python
"""How long the runs table takes to apply changed rows, at 20,000 runs, in Textual's pilot.

Run: ``python tests/benchmarks/bench_table_updates.py [--runs 20000]``. Prints, in milliseconds:

* a tick changing 1,000 rows spread over the table (a liveness tick's words for dead runs, a
  sweep's runs finishing): seven times, with the screen redrawn in between;
* a first load's batches of 5,000 new rows after the newest 200;
* the second pass of that load: every row again with its config, 1,000 at a time.

Rows are made in memory (no files): this measures the table alone.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.app import App, ComposeResult

from sacred_tui.data.rows import RunRow
from sacred_tui.widgets.runs_table import RunsTable


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunsTable()


def make_rows(count: int, tag: str = "") -> list[RunRow]:
    statuses = ("COMPLETED", "FAILED", "TIMEOUT")
    return [RunRow(str(i), status=statuses[i % 3], experiment=f"exp{i % 7}{tag}", host=f"host{i % 5}",
                   config={"lr": (i % 10) / 10, "seed": i}) for i in range(1, count + 1)]


def timed(action) -> float:
    begin = time.perf_counter()
    action()
    return (time.perf_counter() - begin) * 1000


def describe(name: str, values: list[float]) -> str:
    return (f"{name:<44} median {statistics.median(values):6.1f}  max {max(values):6.1f} ms  "
            f"(n={len(values)})")


async def measure(runs: int) -> None:
    app = TableApp()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(RunsTable)
        rows = make_rows(runs)
        table.set_rows(rows[:200])
        await pilot.pause()
        first_pass = []
        for start in range(200, runs, 5000):
            first_pass.append(timed(lambda: table.update_rows(rows[start:start + 5000])))
            await pilot.pause()
        second_pass = []
        with_config = make_rows(runs, tag="")
        for start in range(0, runs, 1000):
            second_pass.append(timed(lambda: table.update_rows(with_config[start:start + 1000])))
            await pilot.pause()
        ticks = []
        for round_ in range(7):
            changed = [RunRow(str(i), status="FAILED", experiment=f"tick{round_}", host="h",
                              config={"lr": 0.1, "seed": i}) for i in range(1, runs + 1, max(1, runs // 1000))]
            ticks.append(timed(lambda: table.update_rows(changed)))
            await pilot.pause()
    print(describe("first pass, batches of 5,000 new rows", first_pass))
    print(describe("second pass, batches of 1,000 rows", second_pass))
    print(describe(f"a tick changing {len(changed):,} rows", ticks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    asyncio.run(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
