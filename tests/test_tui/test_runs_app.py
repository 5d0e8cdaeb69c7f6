"""The runs screen driven through the pilot: load, live updates, filter, sort, marks, help."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from sacred_tui.app import SacredTuiApp
from sacred_tui.screens import runs as runs_screen
from sacred_tui.screens.columns import ColumnsScreen
from sacred_tui.screens.help import HelpScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.runs_table import RunsTable
from tui_runs_factory import ago, copy_reference_runs, write_run

SIZE = (150, 40)


def make_app(root: Path) -> SacredTuiApp:
    return SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)


async def loaded(pilot: Pilot[None]) -> RunsTable:
    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, RunsScreen) and screen.loaded:
            return screen.table
    raise AssertionError("the runs table did not load")


async def until(pilot: Pilot[None], check: object, timeout: float = 4.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():  # type: ignore[operator]
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


def cell(table: RunsTable, run_id: str, column: str) -> str:
    return table.get_cell(run_id, column).plain


def info_text(app: SacredTuiApp) -> str:
    return str(app.screen.query_one("#row-info").render())


async def test_app_shows_real_sacred_runs(tmp_path: Path) -> None:
    app = make_app(copy_reference_runs(tmp_path / "runs"))
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        assert table.row_count == 11
        assert table.visible_ids()[:3] == ["myrun", "10", "9"]
        assert table.current_run_id == "myrun"
        assert cell(table, "2", "status") == "FAILED"
        assert cell(table, "1", "comment") == "a comment"
        assert cell(table, "6", "named_configs") == "big"
        assert cell(table, "1", "result") == "arr=[1.5, 2.5] final_loss=0.25"
        status = str(app.screen.query_one("#status-line").render())
        assert "11 runs" in status and "sorted by ID" in status
        await pilot.pause()
        first_row = table.render_line(1).text
        assert "myrun" in first_row and "COMPLETED" in first_row  # drawn at full width
        assert "arr=[1.5, 2.5] final_loss=0.25" in first_row


async def test_app_live_run_appears_and_updates_in_place(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    for run_id in ("1", "2", "3"):
        write_run(root, run_id)
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await pilot.press("j")
        assert table.current_run_id == "2"
        write_run(root, "4", status="RUNNING", stopped=None, heartbeat=ago(1), experiment="live")
        await until(pilot, lambda: "4" in table.all_rows and table.row_count == 4)
        assert table.visible_ids() == ["4", "3", "2", "1"]
        assert cell(table, "4", "status") == "RUNNING"
        assert table.current_run_id == "2"  # the selection followed its run
        write_run(root, "4", status="COMPLETED", experiment="live", result=0.97)
        await until(pilot, lambda: cell(table, "4", "status") == "COMPLETED")
        assert cell(table, "4", "result") == "0.97"
        assert table.current_run_id == "2"


async def test_many_changed_runs_reach_the_table_in_slices_with_keys_in_between(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first load hands the table 5,000 rows at a time (70-140 ms): a key waited for all of them.
    # Rewriting every run in a burst also makes the watcher send several batches in a row, which
    # the app once merged the wrong way round (the table kept the first runs' old rows).
    monkeypatch.setattr(runs_screen, "UPDATE_SLICE", 10)
    root = tmp_path / "runs"
    for number in range(1, 36):
        write_run(root, str(number), experiment="before")
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await until(pilot, lambda: not app.store.pending)
        sizes: list[int] = []
        real_update = table.update_rows
        monkeypatch.setattr(table, "update_rows",
                            lambda rows, removed=(): sizes.append(len(rows)) or real_update(rows, removed))
        for number in range(1, 36):
            write_run(root, str(number), experiment="after")
        await until(pilot, lambda: all(cell(table, str(n), "experiment") == "after" for n in range(1, 36)))
        assert sum(sizes) >= 35 and max(sizes) <= 10
        assert table.row_count == 35


async def test_app_waits_for_a_missing_folder(tmp_path: Path) -> None:
    root = tmp_path / "not-yet"
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        assert table.row_count == 0
        await until(pilot, lambda: "waiting for folder" in str(
            app.screen.query_one("#status-line").render()))
        write_run(root, "1")
        await until(pilot, lambda: table.row_count == 1)


async def test_app_filter_with_query_and_escape(tmp_path: Path) -> None:
    app = make_app(copy_reference_runs(tmp_path / "runs"))
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await pilot.press("slash")
        field = app.screen.query_one("#filter", Input)
        assert app.focused is field
        field.value = "status=FAILE"  # typed text arrives as Input.Changed
        await pilot.press("D", "enter")
        assert sorted(table.visible_ids()) == ["2", "8"]
        assert "filter: status=FAILED" in str(app.screen.query_one("#status-line").render())
        assert app.focused is table
        await pilot.press("escape")
        assert table.row_count == 11
        await pilot.press("slash")
        await pilot.press(*"comm")
        assert table.visible_ids() == ["1"]  # words filter as they are typed
        await pilot.press(*"ent")  # now a field name: probably the start of a comparison
        assert table.row_count == 11
        assert "comment: add an operator" in info_text(app)
        await pilot.press("enter")  # Enter looks for the word after all
        assert table.visible_ids() == ["1"]


async def test_app_filter_error_names_the_position(tmp_path: Path) -> None:
    app = make_app(copy_reference_runs(tmp_path / "runs"))
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await pilot.press("slash")
        await pilot.press(*"nope>1")
        assert "unknown field 'nope'" in info_text(app)
        assert "position 1" in info_text(app)
        assert table.query_filter.text == "" and table.row_count == 11  # never a fragment ('nope')
        await pilot.press("enter")
        await pilot.pause()
        assert any("unknown field" in n.message for n in app._notifications)


async def test_app_sorts_by_key_and_header_click(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1", experiment="b", result=0.5)
    write_run(root, "2", experiment="a", result=0.9)
    write_run(root, "3", experiment="c", result=None)
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        assert table.visible_ids() == ["3", "2", "1"]
        await pilot.press("s")  # status
        await pilot.press("s")  # experiment
        assert table.sort_column == "experiment"
        assert table.visible_ids() == ["2", "1", "3"]
        await pilot.press("S")
        assert table.visible_ids() == ["3", "1", "2"]
        table.sort_by("result")
        assert table.visible_ids() == ["1", "2", "3"]  # missing results last
        table.sort_by("result")
        assert table.visible_ids() == ["2", "1", "3"]  # still last when descending
        await pilot.click(RunsTable, offset=(3, 0))  # the ID header
        assert table.sort_column == "id"


async def test_app_marks_problems_and_dead_runs(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1")
    (root / "1" / "run.json").write_text('{"status": "COMPLETED", "start_')
    silent = write_run(root, "2", status="RUNNING", stopped=None, heartbeat=ago(7 * 60 + 5))
    old = time.time() - 7 * 60 - 5
    for name in ("run.json", "config.json", "metrics.json", "cout.txt"):
        os.utime(silent / name, (old, old))
    (root / "3").mkdir()
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        assert cell(table, "1", "status").startswith("⚠")
        assert cell(table, "2", "status") == "DEAD? 7 min"
        assert cell(table, "3", "status") == "⚠ ?"
        table.move_cursor(row=table.get_row_index("2"))
        await pilot.pause()
        assert "probably dead: no heartbeat for 7 min" in info_text(app)
        table.move_cursor(row=table.get_row_index("1"))
        await pilot.pause()
        assert "run.json: incomplete JSON" in info_text(app)
        # The dead run revives when it writes again.
        write_run(root, "2", status="RUNNING", stopped=None, heartbeat=ago(0))
        await until(pilot, lambda: cell(table, "2", "status") == "RUNNING")


async def test_app_marks_runs_with_space(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    for run_id in ("1", "2"):
        write_run(root, run_id)
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await pilot.press("space")
        assert table.marked == {"2"}
        assert cell(table, "2", "mark") == "●"
        assert table.current_run_id == "1"  # space moves down, to mark runs in a row
        await pilot.press("space")
        assert table.marked == {"1", "2"}
        assert table.current_run_id == "1"  # the last row stays
        await pilot.press("space", "k", "space")
        assert table.marked == set()


async def test_app_help_lists_the_screen_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {line.description for line in app.screen.keys}
        assert {"Filter", "Sort", "Columns", "Quit", "Help", "Mark and move down", "Open"} <= listed
        keys = {line.key for line in app.screen.keys}
        assert "/" in keys and "q" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)


async def test_app_adds_config_and_metric_columns(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "1", config={"lr": 0.1, "seed": 3}, metrics={"loss": [1.0, 0.2]})
    write_run(root, "2", config={"lr": 0.01, "seed": 4}, metrics={"loss": [2.0, 0.5]})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await until(pilot, lambda: table.all_rows["1"].config)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ColumnsScreen)
        picker = app.screen
        app.screen.query_one("#columns-list").select("config.lr")  # type: ignore[attr-defined]
        app.screen.query_one("#columns-list").select("metric.loss.min")  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.pause()
        assert picker is not app.screen
        assert cell(table, "1", "config.lr") == "0.1"
        assert cell(table, "2", "metric.loss.min") == "0.5"
        await pilot.press("slash")
        app.screen.query_one("#filter", Input).value = "config.lr>0.0"
        await pilot.press("5")
        assert table.visible_ids() == ["1"]


async def test_app_enter_opens_the_run_detail(tmp_path: Path) -> None:
    app = make_app(copy_reference_runs(tmp_path / "runs"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, RunsScreen)
        assert getattr(app.screen, "run_id", None) == "myrun"


async def test_app_quits_with_q(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.watcher is not None and app.watcher.mode == "stopped"



async def test_app_big_tables_filter_when_typing_pauses(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs_screen, "_TYPE_AHEAD_ROWS", 1)
    root = tmp_path / "runs"
    write_run(root, "1", experiment="alpha")
    write_run(root, "2", experiment="beta")
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await pilot.press("slash")
        app.screen.query_one("#filter", Input).value = "alph"
        await pilot.pause()
        assert table.row_count == 2  # not yet: typing may go on
        await until(pilot, lambda: table.visible_ids() == ["1"])
        app.screen.query_one("#filter", Input).value = "bet"
        await pilot.press("escape")  # clearing wins over the filter still waiting
        await pilot.pause(0.3)
        assert table.row_count == 2 and table.query_filter.text == ""


async def test_footer_of_a_wide_terminal_shows_quit_and_help(tmp_path: Path) -> None:
    from sacred_tui.widgets.key_bar import KeyBar
    from tests.test_tui.screen_text import screen_lines

    for run_id in ("1", "2"):
        write_run(tmp_path, run_id, status="COMPLETED")
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        shown = {key.key: key for key in app.screen.query_one(KeyBar).shown_keys}
        width = app.screen.size.width
        for key in ("q", "question_mark"):
            assert key in shown, sorted(shown)
            assert shown[key].start < shown[key].end <= width, (key, shown[key], width)
        assert " q Quit " in screen_lines(app)[-1] and " ? Help " in screen_lines(app)[-1]
