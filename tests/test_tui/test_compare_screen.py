"""Pilot tests of CompareScreen: config table, jumping, toggling, tabs, plots, diffs, live updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList, Select, Static, TabbedContent

from sacred_tui.data.compare import RUN_COLORS, CellKind
from sacred_tui.data.compare_source import CompareUpdate
from sacred_tui.screens.compare import CompareScreen, compare_marked
from sacred_tui.screens.help import keys_of
from sacred_tui.widgets.config_compare import CELL_STYLES, ConfigCompareTable
from sacred_tui.widgets.overlay_plot import OverlayPlot
from sacred_tui.widgets.text_diff_view import TextDiffPanel, TextDiffView

REFERENCE = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


class CompareApp(App[None]):
    """Opens the compare screen of some runs over an empty base screen."""

    def __init__(self, folder: Path, run_ids: list[str], **options: object) -> None:
        super().__init__()
        self.folder, self.run_ids, self.options = folder, run_ids, options
        self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(CompareScreen(self.folder, self.run_ids, **self.options))  # type: ignore[arg-type]


async def settle(pilot: Pilot[None], delay: float = 0.05) -> None:
    """Let polls, workers and the messages they post finish."""
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def plain(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A writable copy of the Sacred 0.8.7 reference runs."""
    target = tmp_path / "runs"
    shutil.copytree(REFERENCE, target)
    return target


def table_of(app: App[None]) -> ConfigCompareTable:
    return app.screen.query_one(ConfigCompareTable)


def current_key(app: App[None]) -> str | None:
    row = table_of(app).current_row
    return None if row is None else row.key


async def test_config_table_shows_only_differences_with_coloured_columns() -> None:
    app = CompareApp(REFERENCE, ["1", "7", "9"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert [row.key for row in table.rows_shown] == ["lr", "opts.momentum", "progress_delay", "seed"]
        labels = [column.label for column in table.columns.values()]
        assert [label.plain for label in labels] == ["key", "run 1", "run 7", "run 9"]
        assert RUN_COLORS[1] in str(labels[2].style)
        lr = table.get_row("lr")
        assert [cell.plain for cell in lr] == ["lr", "0.02", "0.01", "0.01"]
        assert lr[2].style == CELL_STYLES[CellKind.MODIFIED]
        legend = plain(app.screen.query_one("#config-legend", Static))
        assert "4 of 12 keys differ" in legend
        header = plain(app.screen.query_one("#compare-header", Static))
        assert "Comparing 3 runs" in header and header.count("COMPLETED") == 3
        assert "lr  1: 0.02 (float)  7: 0.01 (float)" in plain(app.screen.query_one("#config-row-info", Static))


async def test_toggle_all_keys_and_jump_between_differences() -> None:
    app = CompareApp(REFERENCE, ["1", "7", "9"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        table = table_of(app)
        assert len(table.rows_shown) == 12 and current_key(app) == "lr"   # the cursor stays on its key
        await pilot.press("home")
        assert current_key(app) == "dataset.n_items"
        await pilot.press("n")
        assert current_key(app) == "lr"
        await pilot.press("n", "n")
        assert current_key(app) == "progress_delay"
        await pilot.press("n", "n")
        assert current_key(app) == "lr"                                  # wrapped past "seed"
        await pilot.press("N")
        assert current_key(app) == "seed"
        await pilot.press("a")
        assert len(table.rows_shown) == 4 and current_key(app) == "seed"
        assert "all 12 keys" not in plain(app.screen.query_one("#config-legend", Static))


async def test_identical_configs_say_so_and_n_notifies() -> None:
    app = CompareApp(REFERENCE, ["7", "10"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = table_of(app).rows_shown
        assert [row.key for row in rows] == ["seed"]
        config = json.loads((REFERENCE / "7" / "config.json").read_text())
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        screen.apply_update(CompareUpdate(configs={"10": config}))
        await pilot.pause()
        assert table_of(app).rows_shown == []
        assert "the configs are identical" in plain(screen.query_one("#config-legend", Static))
        await pilot.press("n")
        await pilot.pause()
        assert any("No config key differs" in n.message for n in app._notifications)


async def test_metrics_tab_overlays_runs_in_their_colours_and_toggles_x() -> None:
    app = CompareApp(REFERENCE, ["1", "7", "9"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "tab-metrics"
        assert screen.focused is screen.query_one("#metric-list", OptionList)
        plot = screen.query_one(OverlayPlot)
        assert plot.metric == "acc"
        assert plot.last is not None and [line.run_id for line in plot.last.lines] == ["1", "9"]
        assert plot.last.lines[0].xs == [0.0, 10.0, 20.0]
        legend = plain(screen.query_one("#metric-legend", Static))
        assert "run 7: not logged" in legend and "run 1 3 pts, last 0.7" in legend
        await pilot.press("down")
        await settle(pilot)
        assert plot.metric == "loss"
        await pilot.press("x")
        await settle(pilot)
        assert plot.last is not None and plot.last.x_label.startswith("time since start")
        assert all(0 <= x < 1 for x in plot.last.lines[0].xs)
        colors = {run_id: plot.color_of[run_id] for run_id in ("1", "7", "9")}
        assert colors == {"1": RUN_COLORS[0], "7": RUN_COLORS[1], "9": RUN_COLORS[2]}


async def test_diff_tab_computes_stdout_diff_swaps_and_switches_to_sources() -> None:
    app = CompareApp(REFERENCE, ["1", "9", "myrun"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot, 0.1)
        panel = app.screen.query_one(TextDiffPanel)
        assert panel.result is not None and panel.choice == ("1", "9", "cout.txt")
        view = app.screen.query_one(TextDiffView)
        assert view.lines[0].text == "--- run 1: cout.txt"
        assert "cout.txt: run 1 → run 9:" in plain(app.screen.query_one("#diff-summary", Static))
        await pilot.press("s")
        await settle(pilot, 0.1)
        assert panel.choice[:2] == ("9", "1") and view.lines[0].text == "--- run 9: cout.txt"
        app.screen.query_one("#diff-what", Select).value = "ref_experiment.py"
        await settle(pilot, 0.1)
        assert panel.result is not None and panel.result.identical
        assert [line.kind for line in view.lines] == ["note"]
        app.screen.query_one("#diff-b", Select).value = "myrun"
        app.screen.query_one("#diff-what", Select).value = "cout.txt"
        await settle(pilot, 0.1)
        assert any(line.text == "+INFO - renamed - Started run with ID \"myrun\"" for line in view.lines)


async def test_tabs_switch_with_h_and_l_and_escape_returns() -> None:
    app = CompareApp(REFERENCE, ["1", "7"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("l")
        assert tabs.active == "tab-metrics"
        await pilot.press("h", "h")
        assert tabs.active == "tab-diff"
        await settle(pilot)
        await pilot.press("1")
        assert tabs.active == "tab-config"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)


async def test_live_runs_refresh_plots_and_config(runs: Path) -> None:
    run_json = runs / "9" / "run.json"
    record = json.loads(run_json.read_text())
    record["status"] = "RUNNING"
    run_json.write_text(json.dumps(record))
    app = CompareApp(runs, ["1", "9"], poll_interval=0.05)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        plot = app.screen.query_one(OverlayPlot)
        assert plot.last is not None and len(plot.last.lines[1].xs) == 3
        metrics = json.loads((runs / "9" / "metrics.json").read_text())
        for step in (30, 40):
            metrics["acc"]["steps"].append(step)
            metrics["acc"]["timestamps"].append("2026-11-28T01:25:00.000000")
            metrics["acc"]["values"].append(0.9)
        (runs / "9" / "metrics.json").write_text(json.dumps(metrics, indent=2))
        config = json.loads((runs / "9" / "config.json").read_text())
        config["lr"] = 0.3
        (runs / "9" / "config.json").write_text(json.dumps(config, indent=2))
        await settle(pilot, 0.3)
        assert plot.last is not None and plot.last.lines[1].xs == [0.0, 10.0, 20.0, 30.0, 40.0]
        assert [cell.plain for cell in table_of(app).get_row("lr")] == ["lr", "0.02", "0.3"]


async def test_broken_and_missing_files_show_problems_in_place(runs: Path) -> None:
    (runs / "9" / "config.json").write_text('{"lr": 0.0')
    (runs / "1" / "metrics.json").write_text("[1, 2")
    app = CompareApp(runs, ["1", "9", "gone"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        problems = app.screen.query_one("#compare-problems", Static)
        text = plain(problems)
        assert "run 9:" in text and "config.json" in text and "run gone:" in text
        assert problems.has_class("-shown")
        table = table_of(app)
        assert table.get_row("lr")[2].plain == "(removed)"
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot, 0.1)
        panel = app.screen.query_one(TextDiffPanel)
        assert panel.result is not None and isinstance(app.screen, CompareScreen)
        app.screen.query_one("#diff-b", Select).value = "gone"
        await settle(pilot, 0.1)
        texts = [line.text for line in app.screen.query_one(TextDiffView).lines]
        assert texts == ["run gone: cout.txt: cout.txt does not exist"]


async def test_large_outputs_are_diffed_by_their_tail(runs: Path) -> None:
    (runs / "1" / "cout.txt").write_text("".join(f"line {i}\n" for i in range(50_000)))
    (runs / "9" / "cout.txt").write_text("".join(f"line {i}\n" for i in range(49_990)) + "other\n")
    app = CompareApp(runs, ["1", "9"], max_diff_bytes=4096)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot, 0.2)
        view = app.screen.query_one(TextDiffView)
        notes = [line.text for line in view.lines if line.kind == "note"]
        assert len(notes) == 2 and all("only the last part is compared" in note for note in notes)
        assert "+other" in [line.text for line in view.lines]


async def test_compare_marked_needs_two_runs_and_help_lists_the_keys() -> None:
    app = CompareApp(REFERENCE, ["1", "7"])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        descriptions = {line.description for line in keys_of(screen)}
        assert {"Next diff", "Prev diff", "All keys", "Step/time", "Swap A/B", "Back"} <= descriptions
        await pilot.press("escape")
        await pilot.pause()
        base = app.screen
        compare_marked(base, REFERENCE, {"7"})
        await pilot.pause()
        assert app.screen is base
        assert any("Mark at least two runs" in n.message for n in app._notifications)
        compare_marked(base, REFERENCE, {"myrun", "10", "9"})
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.screen.run_ids == ("9", "10", "myrun")
