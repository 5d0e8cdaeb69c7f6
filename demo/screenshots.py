"""Regenerate the README's screenshots from the demo runs: ``python demo/screenshots.py [OUT_DIR]``.

Fills a fresh demo runs folder (with a live training run), drives the app headlessly through Textual's
pilot and saves one SVG per main screen, so the images always match the current UI.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

HERE = Path(__file__).resolve().parent
SIZE = (160, 44)


def _load_make_runs() -> Any:
    spec = importlib.util.spec_from_file_location("demo_make_runs", HERE / "make_runs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


async def _settle(pilot: Any, seconds: float) -> None:
    """Let workers, timers and the watcher deliver their updates."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await pilot.pause(0.1)


async def _select_run(pilot: Any, run_id: str) -> None:
    from sacred_tui.widgets.runs_table import RunsTable
    table = pilot.app.screen.query_one(RunsTable)
    for row_index in range(table.row_count):
        if table.coordinate_to_cell_key((row_index, 0)).row_key.value == run_id:
            table.move_cursor(row=row_index)
            break
    await pilot.pause()


async def capture_all(runs_dir: Path, out_dir: Path, train_run: str, compare_runs: list[str],
                      progress: Callable[[str], None] = print) -> list[Path]:
    """Drive the app and save the screenshots; returns the files written."""
    from sacred_tui.app import SacredTuiApp
    app = SacredTuiApp(runs_dir)
    saved: list[Path] = []

    def shot(name: str) -> None:
        app.save_screenshot(filename=f"{name}.svg", path=str(out_dir))
        saved.append(out_dir / f"{name}.svg")
        progress(f"  saved {name}.svg")

    steps: list[tuple[str, Callable[[Any], Awaitable[None]]]] = []

    async def table(pilot: Any) -> None:
        await _settle(pilot, 3)
        shot("runs_table")

    async def detail_tabs(pilot: Any) -> None:
        await _select_run(pilot, train_run)
        await pilot.press("enter")
        await _settle(pilot, 2)
        for key, name in (("2", "config_diff"), ("3", "metrics"), ("4", "stdout"), ("5", "artifacts")):
            await pilot.press(key)
            await _settle(pilot, 1.5)
            shot(name)
        await pilot.press("escape")
        await _settle(pilot, 0.5)

    async def launcher(pilot: Any) -> None:
        await _select_run(pilot, train_run)
        await pilot.press("L")
        await _settle(pilot, 6)
        await pilot.press("enter")  # the first named config (big)
        field = pilot.app.screen.query_one("#update-input")
        field.focus()
        await pilot.press(*"lr=0.05", "enter")
        await _settle(pilot, 4)
        shot("launcher")
        await pilot.press("escape")
        await _settle(pilot, 0.5)
        if type(pilot.app.screen).__name__ == "ChoiceScreen":  # leave without launching
            await pilot.click("#choice-leave")
            await _settle(pilot, 0.5)

    async def compare(pilot: Any) -> None:
        for run_id in compare_runs:
            await _select_run(pilot, run_id)
            await pilot.press("space")
        await pilot.press("C")
        await _settle(pilot, 2)
        shot("compare_config")
        await pilot.press("2")
        await _settle(pilot, 1.5)
        shot("compare_metrics")

    async def small(pilot: Any) -> None:
        await pilot.press("escape", "escape")
        await pilot.resize_terminal(80, 24)
        await _settle(pilot, 1.5)
        shot("runs_table_80x24")

    steps = [("run table", table), ("run detail", detail_tabs), ("launcher", launcher), ("compare", compare),
             ("80x24", small)]
    async with app.run_test(size=SIZE) as pilot:
        for label, step in steps:
            progress(f"{label} ...")
            try:
                await step(pilot)
            except Exception as exc:  # keep the other screenshots when one screen changes
                progress(f"  {label} failed: {type(exc).__name__}: {exc}")
    return saved


def stop_live_runs(runs_dir: Path) -> None:
    """Interrupt the demo's still-running runs (their pid is in process.json) before the folder goes."""
    import os
    import signal
    from core.runs import RunsFolder
    folder = RunsFolder(runs_dir)
    for run_id in folder.list_run_ids():
        run = folder.run(run_id)
        pid, _host = run.read_process()
        if pid and run.read_record().status == "RUNNING":
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=str(HERE.parent / "screenshots"))
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    make_runs = _load_make_runs()
    work = Path(tempfile.mkdtemp(prefix="sacred-tui-shots-"))
    # The app remembers table layouts and caches source copies in the user's folders: not here.
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    try:
        runs_dir = make_runs.make_demo_runs(work / "demo_runs", live=True, progress=lambda text: None)
        print(f"demo runs in {runs_dir}; capturing screens at {SIZE[0]}x{SIZE[1]}")
        saved = asyncio.run(capture_all(runs_dir, out_dir, train_run="5", compare_runs=["4", "5", "6"]))
    finally:
        stop_live_runs(work / "demo_runs")
        time.sleep(1)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(saved)} screenshots in {out_dir}")
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
