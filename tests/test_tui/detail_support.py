"""Shared by the run-detail tests: a minimal live run folder, a huge cout.txt, and an app showing one run."""
from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from sacred_tui.screens.run_detail import RunDetailScreen

REFERENCE = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


def static_text(widget: Static) -> str:
    """Plain text of what a Static shows (rich renderables are rendered at 120 columns)."""
    content = widget.content
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def make_run(folder: Path, run_id: str = "1", status: str = "RUNNING", cout: str = "") -> Path:
    """A minimal live run directory (what a FileStorageObserver writes at start)."""
    run_dir = folder / run_id
    run_dir.mkdir(parents=True)
    record = {"status": status, "command": "main", "start_time": "2026-11-28T01:00:00",
              "experiment": {"name": "live", "mainfile": "train.py", "base_dir": "/x", "sources": []},
              "meta": {"command": "main", "named_configs": [], "config_updates": {}, "options": {}},
              "artifacts": [], "resources": [], "heartbeat": None}
    (run_dir / "run.json").write_text(json.dumps(record))
    (run_dir / "config.json").write_text(json.dumps({"lr": 0.1, "seed": 1}))
    (run_dir / "cout.txt").write_text(cout)
    return run_dir


def write_huge_cout(path: Path, size: int) -> None:
    """A sparse file of `size` bytes whose last 3 MB are numbered lines (fast to create)."""
    tail = b"".join(b"line %08d of the output\n" % i for i in range(3 * 1024 * 1024 // 25))
    with open(path, "wb") as handle:
        handle.truncate(size - len(tail))
        handle.seek(size - len(tail))
        handle.write(tail)


class DetailApp(App[None]):
    """Opens one run's detail screen over an empty base screen, polling at ``poll_interval``."""

    def __init__(self, folder: Path, run_id: str, poll_interval: float = 0.1) -> None:
        super().__init__()
        self.folder, self.run_id, self.poll_interval = folder, run_id, poll_interval
        self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(RunDetailScreen(self.folder, self.run_id, poll_interval=self.poll_interval))


async def settle(pilot: Pilot[None], delay: float = 0.05) -> None:
    """Let polls, workers and the resulting messages finish, and a run screen build all its tabs."""
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await tabs_built(pilot)


async def tabs_built(pilot: Pilot[None], timeout: float = 10.0) -> None:
    """Wait until the run screen shown (if one is) has every tab's widgets: they come just after
    its first paint."""
    for _ in range(int(timeout / 0.01)):
        screen = pilot.app.screen
        if not isinstance(screen, RunDetailScreen) or screen.tabs_built:
            return
        await pilot.pause(0.01)
    raise AssertionError(f"the run screen's tabs were not built within {timeout} s")
