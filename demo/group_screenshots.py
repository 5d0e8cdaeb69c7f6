"""Screenshots of seed groups, the group plot, the hyperparameter view and an inline image.

    python demo/group_screenshots.py [OUT_DIR]     # default: screenshots/

Runs ``demo/train.py`` for three learning rates × three seeds (nine real runs, a few seconds), then drives
the app headlessly through Textual's pilot and saves seed_groups.svg, group_plot.svg, scatter.svg,
inline_image.svg and seed_groups_80x24.svg, so the images always match the current UI.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZE = (160, 44)
LEARNING_RATES = ("0.05", "0.2", "0.8")
SEEDS = ("1", "2", "3")


def make_runs(folder: Path) -> None:
    """Nine runs of the demo training script: each learning rate with three seeds."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    for lr in LEARNING_RATES:
        for seed in SEEDS:
            subprocess.run([sys.executable, str(HERE / "train.py"), "-F", str(folder), "with", f"lr={lr}",
                            f"seed={seed}", "steps=80", "delay=0", "noise=1.6"],
                           check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _settle(pilot: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await pilot.pause(0.1)


async def capture(runs_dir: Path, out_dir: Path) -> list[Path]:
    """Drive the app and save the screenshots; returns the files written."""
    from sacred_tui.app import SacredTuiApp

    app = SacredTuiApp(runs_dir)
    saved: list[Path] = []

    def shot(name: str) -> None:
        app.save_screenshot(filename=f"{name}.svg", path=str(out_dir))
        saved.append(out_dir / f"{name}.svg")
        print(f"  saved {name}.svg")

    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot, 3)
        await pilot.press("v")
        await _settle(pilot, 1)
        await pilot.press("down", "enter")  # expand the second group
        await _settle(pilot, 0.5)
        shot("seed_groups")
        await pilot.press("up", "space", "space")  # mark the first two groups
        await pilot.press("C")
        await _settle(pilot, 2)
        await pilot.press("down")  # accuracy -> loss
        await _settle(pilot, 1)
        shot("group_plot")
        await pilot.press("escape")
        await _settle(pilot, 0.5)
        await pilot.press("h")  # one point per group
        await _settle(pilot, 1)
        await pilot.press("right")
        await _settle(pilot, 0.5)
        shot("scatter")
        await pilot.press("escape", "escape")
        await _settle(pilot, 0.5)
        await pilot.press("enter", "5")  # the newest run's artifacts: its loss curve
        await _settle(pilot, 2.5)
        shot("inline_image")
        await pilot.press("escape")
        await _settle(pilot, 0.5)
        await pilot.press("v")
        await pilot.resize_terminal(80, 24)
        await _settle(pilot, 1.5)
        shot("seed_groups_80x24")
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=str(HERE.parent / "screenshots"))
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sacred-tui-groups-"))
    # The app remembers table layouts in the user's folders: not here.
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    try:
        make_runs(work / "runs")
        print(f"9 runs in {work / 'runs'}; capturing screens at {SIZE[0]}x{SIZE[1]}")
        saved = asyncio.run(capture(work / "runs", out_dir))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(saved)} screenshots in {out_dir}")
    return 0 if len(saved) == 5 else 1


if __name__ == "__main__":
    sys.exit(main())
