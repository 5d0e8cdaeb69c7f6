"""Seed groups and the hyperparameter view driven through the pilot, on runs written by Sacred 0.8.7."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot

from sacred_tui.app import SacredTuiApp
from sacred_tui.data.groups import stats_of, stats_text
from sacred_tui.screens.group_metrics import GroupMetricsScreen
from sacred_tui.screens.groups import GroupsScreen
from sacred_tui.screens.help import HelpScreen
from sacred_tui.screens.key_picker import ChoiceScreen, KeyPickerScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.screens.scatter import ScatterScreen
from sacred_tui.widgets.group_plot import GroupPlot
from sacred_tui.widgets.groups_table import GroupsTable
from sacred_tui.widgets.scatter_plot import ScatterPlot
from tui_runs_factory import write_run

SEED_RUNS = Path(__file__).parent.parent / "data" / "seed_groups" / "runs"
SIZE = (150, 40)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A writable copy of the seed-group runs written by Sacred 0.8.7."""
    return Path(shutil.copytree(SEED_RUNS, tmp_path / "runs"))


def make_app(root: Path) -> SacredTuiApp:
    return SacredTuiApp(root, poll=True, poll_interval=0.05, safety_interval=0.05)


async def until(pilot: Pilot[None], check: object, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():  # type: ignore[operator]
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def loaded_runs(pilot: Pilot[None]) -> RunsScreen:
    app = pilot.app
    # Loaded: nothing left to read, and the table shows the rows of the last batch read.
    await until(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded
                and not app.store.pending
                and all(app.screen.table.all_rows.get(row.run_id) is row for row in app.store.rows()))
    return app.screen  # type: ignore[return-value]


def result_of(runs: Path, run_id: str) -> float:
    return json.loads((runs / run_id / "run.json").read_text())["result"]


def loss_of(runs: Path, run_id: str) -> list[float]:
    return json.loads((runs / run_id / "metrics.json").read_text())["loss"]["values"]


def cell(table: GroupsTable, key: str, column: str) -> str:
    return table.get_cell(key, column).plain


async def open_groups(pilot: Pilot[None]) -> GroupsTable:
    await loaded_runs(pilot)
    await pilot.press("v")
    await until(pilot, lambda: isinstance(pilot.app.screen, GroupsScreen))
    return pilot.app.screen.query_one(GroupsTable)


async def test_groups_of_sacred_runs_show_numpy_statistics(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        table = await open_groups(pilot)
        assert [key.value for key in table.rows] == ["g:g1", "g:g4", "g:g7"]
        assert [cell(table, f"g:{g}", "runs") for g in ("g1", "g4", "g7")] == ["3", "3", "1"]
        assert cell(table, "g:g1", "config") == "lr=0.1 shuffle=True"
        results = [result_of(runs, run_id) for run_id in ("1", "2", "3")]
        expected = stats_of(results)
        assert expected.mean == pytest.approx(np.mean(results)) and expected.std == pytest.approx(np.std(results))
        assert cell(table, "g:g1", "result") == stats_text(expected)
        last_losses = [loss_of(runs, run_id)[-1] for run_id in ("4", "5", "6")]
        assert cell(table, "g:g4", "metric.loss.last") == stats_text(stats_of(last_losses))
        info = str(pilot.app.screen.query_one("#group-info").render())
        assert f"mean {np.mean(results):.6g}" in info and f"std {np.std(results):.3g}" in info
        assert "seeds 1 2 3" in info

        await pilot.press("b")
        assert cell(table, "g:g1", "result") == f"{min(results):.6g} … {max(results):.6g}"

        await pilot.press("enter")  # expand g1
        assert [key.value for key in table.rows][:4] == ["g:g1", "r:1", "r:2", "r:3"]
        assert cell(table, "r:2", "config") == "seed=2"
        await pilot.press("down", "down", "enter")  # run 2
        await until(pilot, lambda: isinstance(pilot.app.screen, RunDetailScreen))
        assert pilot.app.screen.run_id == "2"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, GroupsScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, RunsScreen))


async def test_ignored_keys_are_picked_and_groups_follow_new_runs(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        table = await open_groups(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(pilot.app.screen, KeyPickerScreen))
        # seed (ticked) first, then lr, optimizer, shuffle, steps
        await pilot.press("down", "down", "down", "space", "a")
        await until(pilot, lambda: isinstance(pilot.app.screen, GroupsScreen))
        screen = pilot.app.screen
        assert screen.ignored == ("seed", "shuffle")
        assert [key.value for key in table.rows] == ["g:g1", "g:g4"]
        assert cell(table, "g:g1", "runs") == "4"
        assert "ignoring seed, shuffle" in str(screen.query_one("#groups-settings").render())

        write_run(runs, "8", experiment="seeds", result=0.5,
                  config={"lr": 0.3, "optimizer": "sgd", "seed": 9, "shuffle": True, "steps": 20})
        await until(pilot, lambda: cell(table, "g:g4", "runs") == "4")
        results = [result_of(runs, run_id) for run_id in ("4", "5", "6", "8")]
        assert cell(table, "g:g4", "result") == stats_text(stats_of(results))


async def test_groups_sort_by_the_mean_of_a_column(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        table = await open_groups(pilot)
        await pilot.press("s", "s", "s")  # from group: runs, config, then Result
        # mean result: g4 (lr=0.3) 0.00066 < g7 0.112 < g1 0.116
        assert [key.value for key in table.rows] == ["g:g4", "g:g7", "g:g1"]
        assert str(table.columns["result"].label) == "Result ▲"
        assert "sorted by mean Result ▲" in str(pilot.app.screen.query_one("#groups-settings").render())
        await pilot.press("S")
        assert [key.value for key in table.rows] == ["g:g1", "g:g7", "g:g4"]
        assert str(table.columns["result"].label) == "Result ▼"


async def test_groups_follow_the_runs_filter(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        await loaded_runs(pilot)
        await pilot.press("slash", *"config.lr=0.3", "enter")
        await pilot.press("v")
        await until(pilot, lambda: isinstance(pilot.app.screen, GroupsScreen))
        table = pilot.app.screen.query_one(GroupsTable)
        assert [key.value for key in table.rows] == ["g:g4"]
        assert "filter: config.lr=0.3" in str(pilot.app.screen.query_one("#groups-settings").render())


async def test_group_plot_draws_the_mean_and_std_of_aligned_steps(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        await open_groups(pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(pilot.app.screen, GroupMetricsScreen))
        screen = pilot.app.screen
        plot = screen.query_one(GroupPlot)
        await until(pilot, lambda: plot.bands and plot.metric == "acc")
        await pilot.press("down")  # loss
        await until(pilot, lambda: plot.metric == "loss" and plot.bands and plot.bands[0][1].runs == 3)
        band = plot.bands[0][1]
        values = np.array([loss_of(runs, run_id) for run_id in ("1", "2", "3")])
        assert band.exact and band.xs == [float(step) for step in range(20)]
        assert band.means == pytest.approx(values.mean(axis=0).tolist())
        assert band.highs == pytest.approx((values.mean(axis=0) + values.std(axis=0)).tolist())
        await until(pilot, lambda: "g1: 3 runs, 60 points" in str(screen.query_one("#group-plot-status").render()))
        await pilot.press("b")
        await until(pilot, lambda: plot.use_range and plot.bands)
        assert plot.bands[0][1].lows == pytest.approx(values.min(axis=0).tolist())


async def test_marked_groups_are_compared(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        table = await open_groups(pilot)
        await pilot.press("C")  # nothing marked: says what to do
        assert isinstance(pilot.app.screen, GroupsScreen)
        await pilot.press("space", "space")
        assert table.marked == {"g1", "g4"}
        await pilot.press("C")
        await until(pilot, lambda: isinstance(pilot.app.screen, GroupMetricsScreen))
        screen = pilot.app.screen
        plot = screen.query_one(GroupPlot)
        await until(pilot, lambda: len(plot.bands) == 2 and all(band.runs == 3 for _, band in plot.bands))
        stats = screen.query_one("#group-stats")
        assert stats.row_count == 2
        assert "lr=0.3" in stats.get_cell("g4", "config").plain
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))


async def test_scatter_of_runs_and_groups_opens_runs(runs: Path) -> None:
    async with make_app(runs).run_test(size=SIZE) as pilot:
        await loaded_runs(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, ScatterScreen))
        screen = pilot.app.screen
        assert screen.x_key == "lr" and screen.y_field == "metric.acc.last"
        points = screen.data.points
        assert len(points) == 7 and [p.x for p in points] == sorted(p.x for p in points)
        assert points[0].x == 0.1
        await pilot.press("right")
        assert screen.selected == 1
        chosen = points[1]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, RunDetailScreen))
        assert pilot.app.screen.run_id == chosen.run_ids[0]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, ScatterScreen))

        await pilot.press("g")
        # ordered by x, then y: g1 (lr=0.1, acc 0.942) before g7 (lr=0.1, acc 0.944)
        assert [p.label for p in screen.data.points] == ["g1", "g7", "g4"]
        group = next(p for p in screen.data.points if p.label == "g4")
        accs = [json.loads((runs / r / "metrics.json").read_text())["acc"]["values"][-1] for r in ("4", "5", "6")]
        assert group.y == pytest.approx(np.mean(accs))
        assert group.high - group.y == pytest.approx(np.std(accs))
        screen.selected = screen.data.points.index(group)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen))
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, RunDetailScreen))
        assert pilot.app.screen.run_id == "5"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, ScatterScreen))

        await pilot.press("X", "Y")
        assert screen.log_x and screen.log_y
        plot = screen.query_one(ScatterPlot)
        await pilot.pause()
        lines = ["".join(segment.text for segment in plot.render_line(y)) for y in range(plot.size.height)]
        axis = next(index for index, line in enumerate(lines) if "└" in line)
        x_ticks = [float(word) for word in lines[axis + 1].split()]
        # lr is 0.1 and 0.3: the log axis is labelled in the values' units, around them
        assert plot.log_x and 0.05 < min(x_ticks) <= 0.1 and 0.3 <= max(x_ticks) < 0.5, x_ticks
        await pilot.press("y")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen))
        await pilot.press("home", "enter")  # result
        await until(pilot, lambda: isinstance(pilot.app.screen, ScatterScreen))
        assert screen.y_field == "result"
        results = [result_of(runs, r) for r in ("1", "2", "3")]
        g1 = next(p for p in screen.data.points if p.label == "g1")
        assert g1.y == pytest.approx(np.mean(results))
