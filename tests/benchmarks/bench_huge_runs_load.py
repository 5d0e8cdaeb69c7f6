#!/usr/bin/env python
"""Opening a folder of killed runs with 0.6-1.2 M points each: is the UI responsive during the load?

Run: ``python tests/benchmarks/bench_huge_runs_load.py [--runs 20] [--folder DIR]``.
Each run is written by ``core`` as a user's script writes it (an Experiment with a
FileStorageObserver logging one or two metrics) and killed (SIGKILL) before it ends, so it stays
RUNNING with its points in metrics.jsonl and most of them in metrics.json. The folder is kept in
``--folder`` to be reused. The app is then opened through Textual's pilot (fresh child process)
with a key pressed every 0.25 s until every run's metric summaries are read; measured: each key's
time until the cursor moved and the screen was redrawn, the time until the summaries were read,
and the time Enter took to open a run in the middle of the load. Goal: never more than 100 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui_table import _drawn, _wait, describe_keys, key_down  # noqa: E402

SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    from core import Experiment
    from core.observers import FileStorageObserver
    ex = Experiment("huge")
    ex.observers.append(FileStorageObserver(sys.argv[1]))

    @ex.main
    def main(_run):
        points = int(sys.argv[2])
        for step in range(points):
            _run.log_scalar("loss", 1.0 / (1 + step), step)
            if step % 2 == 0:
                _run.log_scalar("accuracy", step / points, step)
        time.sleep(1.5)  # a few beats write the points out
        os.kill(os.getpid(), signal.SIGKILL)  # killed before the end: it stays RUNNING

    ex.run(options={"--beat-interval": "0.5"})
""")


def _series(points: int, name: str, every: int) -> tuple[list[int], list[float]]:
    steps = list(range(0, points, every))
    return steps, [1.0 / (1 + step) if name == "loss" else step / points for step in steps]


def make_folder(folder: Path, runs: int) -> None:
    """A killed run written by core, copied ``runs`` times with 0.6-1.2 M points in its metrics
    files (metrics.jsonl: every point, as core appends them; metrics.json: the points of the last
    beat, in Sacred's layout)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder.parent / "huge_run_script.py"
    script.write_text(SCRIPT)
    model = folder.parent / "model"
    subprocess.run([sys.executable, str(script), str(model), "200000"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    template = model / "1"
    stamp = json.loads((template / "run.json").read_text())["start_time"]
    for index in range(runs):
        points = 600_000 + (600_000 * index) // max(1, runs - 1)
        run_dir = folder / str(index + 1)
        shutil.copytree(template, run_dir)
        series = {name: _series(points, name, every) for name, every in (("loss", 1), ("accuracy", 2))}
        with open(run_dir / "metrics.jsonl", "w") as handle:
            for name, (steps, values) in series.items():
                handle.writelines(f'{{"name": "{name}", "step": {step}, "timestamp": "{stamp}", '
                                  f'"value": {value!r}}}\n' for step, value in zip(steps, values))
        flushed = {name: {"steps": steps[: len(steps) * 9 // 10], "values": values[: len(values) * 9 // 10],
                          "timestamps": [stamp] * (len(steps) * 9 // 10)} for name, (steps, values) in series.items()}
        (run_dir / "metrics.json").write_text(json.dumps(flushed))


async def measure(folder: Path) -> dict[str, object]:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.screens.runs import RunsScreen

    results: dict[str, object] = {}
    started = time.perf_counter()
    app = SacredTuiApp(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.table.row_count > 0)
        results["first rows (s)"] = round(time.perf_counter() - started, 3)
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.table
        latencies, cpu_times = [], []
        opened = None
        def summarised() -> bool:
            return (app.watcher is not None and not app.store.pending
                    and all(row.metrics or row.problems for row in app.store.rows()))

        while not summarised():
            if time.perf_counter() - started > 900:
                break
            if opened is None and len(latencies) == 40:
                begin = time.perf_counter()
                screen.open_run(table.current_run_id or "1")
                await _wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen.is_mounted)
                await _drawn(app)
                opened = time.perf_counter() - begin
                app.pop_screen()
                await _drawn(app)
            wall, cpu = await key_down(app, pilot, table, timeout=120)
            latencies.append(wall)
            cpu_times.append(cpu)
            await asyncio.sleep(0.25)
        results["summaries read (s)"] = round(time.perf_counter() - started, 3)
        results["open a run during the load (s)"] = opened
        for name, part in (("keys before opening a run", slice(0, 40)), ("keys after", slice(40, None))):
            if latencies[part]:
                results[name] = describe_keys(latencies[part], cpu_times[part])
        rows = app.store.rows()
        results["rows with metrics"] = sum(bool(row.metrics) for row in rows)
        results["points summarised"] = sum(s.count for row in rows for s in row.metrics.values())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench-huge-")) / "runs"
    if args.child:
        print(json.dumps(asyncio.run(measure(folder))))
        return
    if not folder.exists() or len(os.listdir(folder)) < args.runs:
        begin = time.perf_counter()
        make_folder(folder, args.runs)
        print(f"made {args.runs} killed runs in {time.perf_counter() - begin:.1f}s")
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, __file__, "--child", "--folder", str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    print(f"--- {folder}, load before {load:.2f}")
    for name, value in json.loads(done.stdout.strip().splitlines()[-1]).items():
        print(f"  {name:32s} {value}")


if __name__ == "__main__":
    main()
