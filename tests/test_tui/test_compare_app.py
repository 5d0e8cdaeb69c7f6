"""The compare screen opened from the runs table of the whole app (marking with space, then C)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.pilot import Pilot

from sacred_tui.app import SacredTuiApp
from sacred_tui.screens.compare import CompareScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.config_compare import ConfigCompareTable
from sacred_tui.widgets.runs_table import RunsTable

REFERENCE = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


async def loaded(pilot: Pilot[None]) -> RunsTable:
    """Wait for the first load of the runs table."""
    for _ in range(100):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, RunsScreen) and screen.loaded:
            return screen.table
    raise AssertionError("the runs table did not load")


async def test_marked_runs_open_in_the_compare_screen(tmp_path: Path) -> None:
    shutil.copytree(REFERENCE, tmp_path / "runs")
    app = SacredTuiApp(tmp_path / "runs", poll=True)
    async with app.run_test(size=(140, 40)) as pilot:
        table = await loaded(pilot)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        assert any("Mark at least two runs" in n.message for n in app._notifications)
        for run_id in ("9", "1", "7"):
            table.toggle_mark(run_id)
        await pilot.press("C")
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.run_ids == ("1", "7", "9")
        keys = [row.key for row in screen.query_one(ConfigCompareTable).rows_shown]
        assert keys == ["lr", "opts.momentum", "progress_delay", "seed"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen) and table.marked == {"1", "7", "9"}
