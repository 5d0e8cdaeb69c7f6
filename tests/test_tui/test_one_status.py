"""A probably dead run says so with the same words in the table, its status line, Overview and compare."""
from __future__ import annotations

import os
import time
from pathlib import Path

from textual.widgets import Static

from sacred_tui.app import SacredTuiApp
from sacred_tui.screens.compare import CompareScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen
from detail_support import static_text
from tui_runs_factory import ago, write_run

REASON = "probably dead: no heartbeat for 7 min"


def text_of(screen: object, selector: str) -> str:
    """The text a Static shows ('' while the screen is still being built)."""
    found = screen.query(selector)  # type: ignore[attr-defined]
    return static_text(found.first(Static)) if found else ""


async def wait(pilot, check, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_dead_run_reads_the_same_on_every_screen(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    # Killed 7 minutes ago, 5 minutes after it started; its files were last written then.
    folder = write_run(root, "1", status="RUNNING\n", started=ago(12 * 60), stopped=None,
                       heartbeat=ago(7 * 60))
    silent_since = time.time() - 7 * 60
    for path in folder.iterdir():
        os.utime(path, (silent_since, silent_since))
    write_run(root, "2", status="COMPLETED", started=ago(3600), stopped=ago(3000), heartbeat=ago(3000))
    app = SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded, "the table")
        runs = app.screen
        table = runs.table
        await wait(pilot, lambda: table.current_run_id == "2", "the cursor on run 2")
        await pilot.press("j")
        assert table.get_cell("1", "status").plain == "DEAD? 7 min"
        assert table.get_cell("1", "duration").plain == "5m 00s"  # start to last heartbeat
        assert REASON in text_of(runs, "#row-info")

        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and "DEAD?" in
                   text_of(app.screen, "#detail-header"), "the detail header")
        detail = app.screen
        assert "DEAD? 7 min" in text_of(detail, "#detail-header")
        overview = text_of(detail, "#overview-body")
        assert f"DEAD? 7 min  {REASON} (run.json says RUNNING)" in overview
        assert "5m 00s until its last heartbeat" in overview
        assert "(the last one)" in overview and " ago)" not in overview
        await pilot.press("escape")

        await pilot.press("k", "space", "space")  # marks 2 and moves down, marks 1
        assert table.marked == {"1", "2"}
        await pilot.press("C")
        await wait(pilot, lambda: isinstance(app.screen, CompareScreen) and "DEAD?" in
                   text_of(app.screen, "#compare-header"), "the compare header")
        assert f"DEAD? 7 min ({REASON})" in text_of(app.screen, "#compare-header")


async def test_finished_run_has_no_ticking_heartbeat_age(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1", status="COMPLETED", started=ago(600), stopped=ago(300), heartbeat=ago(301))
    app = SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded, "the table")
        await wait(pilot, lambda: app.screen.table.current_run_id == "1", "run 1")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and "COMPLETED" in
                   text_of(app.screen, "#detail-header"), "the detail")
        overview = text_of(app.screen, "#overview-body")
        assert "(the last one)" in overview and " ago)" not in overview
        assert "5m 00s" in overview and "so far" not in overview


async def test_heartbeat_in_the_future_is_called_clock_skew(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1", status="RUNNING", started=ago(30), stopped=None, heartbeat="2999-01-01T00:00:00")
    app = SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded, "the table")
        runs = app.screen
        await wait(pilot, lambda: runs.table.current_run_id == "1", "run 1")
        assert "in the future: clock skew?" in text_of(runs, "#row-info")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and "RUNNING" in
                   text_of(app.screen, "#detail-header"), "the detail")
        overview = text_of(app.screen, "#overview-body")
        assert "2999-01-01" in overview and "(in the future: clock skew?)" in overview
        assert "0.0 s ago" not in overview


async def test_silent_run_with_a_future_heartbeat_is_dead_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    folder = write_run(root, "1", status="RUNNING", started=ago(600), stopped=None, heartbeat="2999-01-01T00:00:00")
    quiet = time.time() - 600  # no file written for ten minutes
    for path in folder.iterdir():
        os.utime(path, (quiet, quiet))
    app = SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded, "the table")
        runs = app.screen
        await wait(pilot, lambda: runs.table.current_run_id == "1", "run 1")
        assert runs.table.get_cell("1", "status").plain.startswith("DEAD?")
        assert "clock skew?; no file written for 10 min" in text_of(runs, "#row-info")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and "DEAD?" in
                   text_of(app.screen, "#detail-header"), "the detail")
        overview = text_of(app.screen, "#overview-body")
        assert "clock skew?; no file written for 10 min" in overview
        assert "– (its heartbeat is in the future: clock skew?)" in overview


async def test_metrics_tab_says_a_sacred_run_updates_at_its_heartbeat(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1", status="RUNNING", started=ago(30), stopped=None, heartbeat=ago(2),
              metrics={"loss": [1.0, 0.5]}, options={"--beat-interval": None})
    write_run(root, "2", status="RUNNING", started=ago(30), stopped=None, heartbeat=ago(2),
              metrics={"loss": [1.0, 0.5]})
    (root / "2" / "process.json").write_text('{"pid": 0, "hostname": "elsewhere"}')  # written by core
    for run_id, expected in (("1", True), ("2", False)):
        app = SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded, "the table")
            app.screen.open_run(run_id)
            await wait(pilot, lambda: isinstance(app.screen, RunDetailScreen) and "RUNNING" in
                       text_of(app.screen, "#detail-header"), "the detail")
            await pilot.press("3")
            await pilot.pause(0.2)
            status = text_of(app.screen, "#metrics-status")
            note = "updates every 10 s, at the run's heartbeat (Sacred stores metrics only then)"
            assert (note in status) is expected, status
