#!/usr/bin/env python
"""How long opening a run takes once a big folder is loaded: opens the run under the cursor
``--times`` times (back to the table in between) and prints each time until its overview is drawn.

Run: ``python tests/benchmarks/open_run_probe.py --folder runs20k [--times 8] [--profile FILE]``
(``--profile`` writes cProfile statistics of the UI thread during the openings).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui_table import _painted_when, _table_has_store_rows, _wait  # noqa: E402


async def measure(folder: Path, times: int, profile: str | None) -> list[float]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.screens.runs import RunsScreen

    app = SacredTuiApp(folder)
    seconds = []
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.store) > 0
                    and not app.store.pending and _table_has_store_rows(app.screen.table, app.store),
                    timeout=300)
        screen = app.screen
        await asyncio.sleep(3)
        profiler = cProfile.Profile() if profile else None
        for index in range(times):
            screen.table.move_cursor(row=index * 7)
            await asyncio.sleep(0.5)
            if profiler:
                profiler.enable()
            begin = time.perf_counter()
            screen.open_run(screen.table.current_run_id or "1")
            drawn = await _painted_when(app, lambda: isinstance(app.screen, RunDetailScreen)
                                        and app.screen._record is not None)
            if profiler:
                profiler.disable()
            seconds.append(drawn - begin)
            await asyncio.sleep(0.5)
            app.pop_screen()
            await _wait(pilot, lambda: app.screen is screen)
        if profiler:
            profiler.dump_stats(profile)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--times", type=int, default=8)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    seconds = asyncio.run(measure(args.folder, args.times, args.profile))
    print("open run (ms): " + " ".join(f"{s * 1000:.0f}" for s in seconds)
          + f"; median {statistics.median(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}")


if __name__ == "__main__":
    main()
