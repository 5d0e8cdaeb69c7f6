"""Escape sequences in every string a run holds never reach the terminal: every widget shows them visibly."""
from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import SelectionList

from hostile_display import EVIL_ID, make_hostile_runs, raw_controls, terminal_output
from sacred_tui.app import SacredTuiApp
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.screens.artifact import ArtifactScreen
from sacred_tui.screens.columns import ColumnsScreen
from sacred_tui.screens.compare import CompareScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.screens.sort_picker import SortPickerScreen
from sacred_tui.widgets.artifacts_list import ArtifactsList
from sacred_tui.widgets.table_lines import MAX_COLUMN_WIDTH, MAX_ID_WIDTH
from tui_runs_factory import write_run

SHOWN = "␛]0;PWN␇␛[2J"
"""How the start of the hostile text looks once made visible."""


def test_visible_makes_controls_visible() -> None:
    assert visible("a\x1b[2Jb\x07c") == "a␛[2Jb␇c"
    assert visible("tab\there\nnext") == "tab here␤next"
    assert visible("\x9b31m\u202eX\ud800") == "\ufffd31m\ufffdX\ufffd"
    assert visible("plain ünïcödé 日本") == "plain ünïcödé 日本"
    assert visible(12) == "12"
    assert visible_block("a\r\nb\tc\rd\x1b") == "a\nb\tc␍d␛"


async def settle(pilot: Pilot[None], delay: float = 0.1) -> None:
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def clean(app: SacredTuiApp, where: str) -> str:
    output = terminal_output(app)
    leaks = raw_controls(output)
    assert not leaks, f"{where}: raw control characters reach the terminal: {leaks[:5]}"
    return output


async def test_no_escape_sequence_reaches_the_terminal(tmp_path: Path) -> None:
    make_hostile_runs(tmp_path)
    app = SacredTuiApp(tmp_path, poll=True, poll_interval=0.05, safety_interval=0.05)
    app.animation_level = "none"
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, RunsScreen) and app.screen.loaded and not app.store.pending:
                break
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        assert SHOWN in clean(app, "runs table")

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ColumnsScreen)
        clean(app, "columns dialog")
        app.screen.query_one(SelectionList).select_all()
        await pilot.press("a")
        await settle(pilot)
        assert len(screen.table.specs) > 12
        assert SHOWN in clean(app, "runs table with config and metric columns")

        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, SortPickerScreen)
        assert SHOWN in clean(app, "sort picker")
        await pilot.press("escape")
        await settle(pilot)

        for run_id in ("1", EVIL_ID):
            screen.table.move_cursor(row=screen.table.get_row_index(run_id))
            await pilot.press("enter")
            await settle(pilot, 0.3)
            assert isinstance(app.screen, RunDetailScreen)
            assert SHOWN in clean(app, f"run {run_id!r} overview")
            for tab in "234567":
                await pilot.press(tab)
                await settle(pilot)
                clean(app, f"run {run_id!r} tab {tab}")
            await pilot.press("5")
            await settle(pilot)
            items = app.screen.query_one(ArtifactsList).items
            for index in range(len(items)):
                app.screen.query_one(ArtifactsList).move_cursor(row=index)
                await settle(pilot)
                clean(app, f"run {run_id!r} artifact {items[index].name!r}")
            app.screen.query_one(ArtifactsList).move_cursor(row=0)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ArtifactScreen)
            clean(app, f"run {run_id!r} artifact screen")
            await pilot.press("escape", "escape")
            await settle(pilot)

        assert isinstance(app.screen, RunsScreen)
        screen.table.toggle_mark("1")
        screen.table.toggle_mark(EVIL_ID)
        await pilot.press("C")
        await settle(pilot, 0.3)
        assert isinstance(app.screen, CompareScreen)
        for tab in "123":
            await pilot.press(tab)
            await settle(pilot, 0.2)
            clean(app, f"compare tab {tab}")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("r")
        await settle(pilot, 0.3)
        clean(app, "re-run")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        clean(app, "help")


async def test_long_values_do_not_widen_columns_past_a_cap(tmp_path: Path) -> None:
    long_id = "x" * 240
    write_run(tmp_path, long_id, comment="c" * 500, experiment="e" * 300)
    write_run(tmp_path, "2")
    app = SacredTuiApp(tmp_path, poll=True, poll_interval=0.05, safety_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, RunsScreen) and app.screen.loaded and not app.store.pending:
                break
        table = app.screen.table  # type: ignore[attr-defined]
        widths = {column.key: column.content_width for column in table.columns.values()}
        assert widths["id"] == MAX_ID_WIDTH
        assert widths["experiment"] == widths["comment"] == MAX_COLUMN_WIDTH
        output = terminal_output(app)
        assert "x" * (MAX_ID_WIDTH - 1) + "…" in output and "x" * (MAX_ID_WIDTH + 1) not in output
        table.move_cursor(row=table.get_row_index(long_id))
        await pilot.press("enter")
        await settle(pilot, 0.3)
        # The header line shows the start of the id, the overview all of it (wrapped).
        assert terminal_output(app).count("x") > 240 + 100
