"""The runs table: filters never by a fragment, frozen ID/status, remembered layout, sort picker, sizes."""
from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from sacred_tui.app import SacredTuiApp
from sacred_tui.data.table_state import state_file
from sacred_tui.screens.columns import ColumnsScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.screens.sort_picker import SortPickerScreen
from sacred_tui.widgets.marked_selection import CHOSEN
from sacred_tui.widgets.runs_table import RunsTable
from screen_text import screen_lines
from tui_runs_factory import write_run


def make_app(root: Path) -> SacredTuiApp:
    return SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)


async def loaded(pilot: Pilot[None], enriched: bool = True) -> RunsTable:
    app = pilot.app
    for _ in range(250):
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, RunsScreen) and screen.loaded and not (enriched and app.store.pending):
            return screen.table
    raise AssertionError("the runs table did not load")


def info(app: SacredTuiApp) -> str:
    return str(app.screen.query_one("#row-info", Static).render())


def sweep(root: Path) -> None:
    for index, (status, lr) in enumerate([("COMPLETED", 0.1), ("FAILED", 0.01), ("COMPLETED", 0.001)], 1):
        write_run(root, str(index), status=status, config={"lr": lr, "seed": index},
                  metrics={"loss": [1.0, 0.5 / index]}, experiment=f"exp{index}")


async def test_invalid_filters_keep_the_previous_rows(tmp_path: Path) -> None:
    sweep(tmp_path / "runs")
    app = make_app(tmp_path / "runs")
    async with app.run_test(size=(160, 40)) as pilot:
        table = await loaded(pilot)
        await pilot.press("slash", *"status=COMPLETED", "enter")
        assert sorted(table.visible_ids()) == ["1", "3"]
        await pilot.press("slash")
        field = app.screen.query_one("#filter", Input)
        assert field.cursor_position == len("status=COMPLETED")  # at the end, to extend the filter
        for text, error in (("status=COMPLETED and config.lr>", "expected a value after '>'"),
                            ("started<2x", "started needs an age like 30m"),
                            ("metric.loss.foo<1", "'foo' is not a statistic of metric 'loss'"),
                            ("metric.acc<1", "no run logged a metric 'acc'"),
                            ("config.lrr>0.01", "no run has a config key 'lrr'; did you mean config.lr?")):
            field.value = text
            await pilot.pause()
            assert error in info(app), info(app)
            assert "still showing 'status=COMPLETED'" in info(app)
            assert sorted(table.visible_ids()) == ["1", "3"], text
        # Half typed: 'status=COMPLETED and config.lr' must not filter by the word 'config.lr'.
        field.value = "status=COMPLETED and config.lr"
        field.cursor_position = len(field.value)
        await pilot.pause()
        assert sorted(table.visible_ids()) == ["1", "3"]
        await pilot.press(*">0.005", "enter")
        assert table.visible_ids() == ["1"]


async def test_columns_sort_and_filter_are_remembered_per_folder(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    sweep(root)
    app = make_app(root)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await loaded(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ColumnsScreen)
        app.screen.query_one("#columns-list").select("config.lr")  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.press("o")
        assert isinstance(app.screen, SortPickerScreen)
        await pilot.pause()
        assert "Esc cancels" in "\n".join(screen_lines(app))  # the title wraps instead of being cut
        await pilot.press("down", "down", "enter")  # ID, Status, Experiment
        assert table.sort_column == "experiment" and not table.sort_reverse
        await pilot.press("slash", *"status=COMPLETED", "enter")
    saved = json.loads(state_file().read_text())
    assert list(saved["folders"].values()) == [{"columns": ["config.lr"], "sort": "experiment",
                                                "reverse": False, "filter": "status=COMPLETED"}]
    assert sorted(path.name for path in root.iterdir()) == ["1", "2", "3"]  # nothing in the runs folder
    again = make_app(root)
    async with again.run_test(size=(160, 40)) as pilot:
        table = await loaded(pilot)
        assert [spec.key for spec in table.specs][-1] == "config.lr"
        assert (table.sort_column, table.sort_reverse) == ("experiment", False)
        assert table.visible_ids() == ["1", "3"]
        assert "filter: status=COMPLETED" in str(again.screen.query_one("#status-line").render())
        await pilot.press("o", "enter")  # the current column again: the direction flips
        assert table.sort_reverse and table.visible_ids() == ["3", "1"]


async def test_80x24_shows_the_essentials_and_added_columns_scroll_into_view(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    sweep(root)
    for index in (1, 2, 3):
        write_run(root, str(index), result=0.93, experiment="long_experiment_name",
                  config={**{f"option_{n}": n for n in range(8)}, "lr": 0.1, "seed": index})
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await loaded(pilot)
        header = screen_lines(app)[1]
        for label in ("ID", "Status", "Experiment", "Started", "Result"):
            assert label in header, header
        assert table.fixed_columns == 3  # mark, ID and status stay while scrolling right
        await pilot.press("c")
        picker = app.screen
        for key in ("config.option_5", "config.option_6", "config.option_7", "config.lr"):
            picker.query_one("#columns-list").select(key)  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.pause(0.2)
        header = screen_lines(app)[1]
        assert "lr" in header and "option_5" in header and "ID" in header and "Status" in header, header
        assert table.scroll_x > 0


async def test_comment_takes_the_free_width_on_wide_terminals(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    comment = "a long note about this run: " + "why it was started, " * 6
    write_run(root, "1", comment=comment.strip())
    app = make_app(root)
    async with app.run_test(size=(240, 20)) as pilot:
        await loaded(pilot)
        await pilot.pause(0.1)
        row = next(line for line in screen_lines(app) if line.strip().startswith("1 "))
        assert comment.strip()[:120] in row, row


async def test_selection_lists_mark_chosen_entries_with_a_symbol(tmp_path: Path) -> None:
    sweep(tmp_path / "runs")
    app = make_app(tmp_path / "runs")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        app.screen.query_one("#columns-list").select("config.lr")  # type: ignore[attr-defined]
        await pilot.pause()
        lines = [line for line in screen_lines(app) if "config  " in line]
        chosen = next(line for line in lines if "config  lr" in line)
        other = next(line for line in lines if "config  seed" in line)
        assert CHOSEN in chosen and CHOSEN not in other and "X" not in other


async def test_help_scrolls_with_arrows_and_lists_only_keys_that_work(tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from sacred_tui.screens.help import HelpScreen
    from sacred_tui.screens.run_detail import RunDetailScreen

    write_run(tmp_path / "runs", "1")
    app = make_app(tmp_path / "runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys", DataTable)
        assert app.focused is keys
        await pilot.press(*["down"] * 30)
        assert keys.scroll_y > 0 and keys.cursor_row == 30
        listed = {line.key for line in app.screen.keys}
        assert "x" not in listed  # run 1 has finished
        assert "X" not in listed  # and is not part of a sweep
        await pilot.press("escape", "enter")
        assert isinstance(app.screen, RunDetailScreen)
        await pilot.press("question_mark")
        assert "o" not in {line.key for line in app.screen.keys}  # open outside: artifacts tab only
        await pilot.press("escape", "5", "question_mark")
        assert "o" in {line.key for line in app.screen.keys}
