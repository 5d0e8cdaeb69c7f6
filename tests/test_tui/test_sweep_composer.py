"""The launcher's sweep section: compose a 2x2x2 sweep, see every command line, queue it, run it two at a time."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from launch_support import composer, make_app, plain, script, wait_for  # noqa: F401
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from sacred_tui.screens.launch import LaunchScreen
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.sweep_form import SweepForm

SIZE = (160, 48)


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Remembered targets go to a folder of the test, never to the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


async def type_into(pilot: Pilot[None], screen: LaunchScreen, selector: str, text: str, enter: bool = False) -> None:
    field = screen.query_one(selector, Input)
    field.focus()
    field.value = text
    if enter:
        await pilot.press("enter")
    await pilot.pause()


async def compose_sweep(pilot: Pilot[None], screen: LaunchScreen, *, axis: str, alternatives: str, seeds: str,
                        limit: str = "") -> SweepForm:
    await type_into(pilot, screen, "#sweep-axis-input", axis, enter=True)
    await type_into(pilot, screen, "#sweep-alternatives", alternatives)
    await type_into(pilot, screen, "#sweep-seeds", seeds)
    if limit:
        await type_into(pilot, screen, "#sweep-limit", limit)
    form = screen.query_one(SweepForm)
    await wait_for(pilot, lambda: form.state()["axes"] == [axis], "the swept key")
    return form


async def preview_ready(pilot: Pilot[None], screen: LaunchScreen) -> None:
    """The config preview shows run 1 of the sweep."""
    await wait_for(pilot, lambda: screen.preview_for == screen.preview_spec(), "the config preview of run 1")


def panel(screen: LaunchScreen) -> str:
    return plain(screen.query_one("#command-line", Static))


def notes(screen: LaunchScreen) -> str:
    return plain(screen.query_one("#launch-notes", Static))


async def test_a_composed_2x2x2_sweep_is_previewed_queued_and_run_two_at_a_time(script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        form = await compose_sweep(pilot, screen, axis="steps=2,3", alternatives="fast,", seeds="2", limit="2")
        seeds = form.seeds
        assert len(seeds) == 2
        await wait_for(pilot, lambda: panel(screen).startswith("8 runs on this machine, at most 2 at a time"),
                       "the list of runs")
        lines = panel(screen).splitlines()[1:]
        assert len(lines) == 8
        assert "tiny_exp.py with fast steps=2 seed=" in lines[0] and f"seed={seeds[1]}" in lines[1]
        assert "tiny_exp.py with steps=3 seed=" in lines[7]
        await preview_ready(pilot, screen)
        await wait_for(pilot, lambda: screen.sweep_checked_for is not None, "every run checked")
        assert "✗" not in notes(screen)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the table")
        table = app.screen.table
        await wait_for(pilot, lambda: table.row_count == 8, "8 queued runs in the table")
        most = 0

        def done() -> bool:
            nonlocal most
            statuses = [table.get_cell(run_id, "status").plain for run_id in table.visible_ids()]
            most = max(most, statuses.count("RUNNING"))
            return set(statuses) == {"COMPLETED"}

        await wait_for(pilot, done, "all 8 runs to complete", 40)
    assert most <= 2
    configs = [json.loads((tmp_path / "runs" / str(i) / "config.json").read_text()) for i in range(1, 9)]
    composed = [(steps, seed) for _alternative in range(2) for steps in (2, 3) for seed in seeds]
    assert [(c["steps"], c["seed"]) for c in configs] == composed
    runs = [json.loads((tmp_path / "runs" / str(i) / "run.json").read_text()) for i in range(1, 9)]
    assert [r["meta"]["named_configs"] for r in runs] == [["fast"]] * 4 + [[]] * 4


async def test_a_bad_alternative_blocks_the_sweep_with_the_reason(script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        await compose_sweep(pilot, screen, axis="steps=1,2", alternatives="fast,nosuch", seeds="")
        await wait_for(pilot, lambda: 'Named config not found: "nosuch"' in notes(screen), "the check's error")
        assert "(2 of 4 runs, e.g. run 3" in notes(screen)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LaunchScreen)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


async def test_a_sweep_of_one_run_is_an_ordinary_launch(script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        await type_into(pilot, screen, "#sweep-seeds", "1")
        seed = screen.query_one(SweepForm).seeds[0]
        await wait_for(pilot, lambda: panel(screen).startswith("1 run on this machine"), "the sweep of one")
        await preview_ready(pilot, screen)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.launch_flow.launcher.launches, "the launch")
        launch = app.launch_flow.launcher.launches[0]
        assert not launch.queued and f"seed={seed}" in launch.argv and "--id" not in " ".join(launch.argv)


async def test_the_target_is_remembered_for_the_script(script: Path, tmp_path: Path, private_state: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        screen.query_one("#sweep-target", Select).value = "slurm"
        await type_into(pilot, screen, "#slurm-partition", "gpu")
        await type_into(pilot, screen, "#slurm-time", "1:00:00")
        await type_into(pilot, screen, "#slurm-extra", "--qos=high")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "leave without launching?")
        await pilot.click("#choice-leave")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the composer to close")
    remembered = json.loads((private_state / "sacred-tui" / "sweep-targets.json").read_text())
    assert remembered[str(script)]["kind"] == "slurm"
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        await pilot.pause(0.1)
        assert screen.query_one("#sweep-target", Select).value == "slurm"
        assert screen.query_one("#slurm-partition", Input).value == "gpu"
        assert screen.query_one("#slurm-extra", Input).value == "--qos=high"
