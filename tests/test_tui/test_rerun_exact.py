"""`r` repeats a run exactly (same seed, so the same result), also when its script has moved."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static

from launch_support import (DATA, asked, composer, ended, launched_detail, make_app, no_leftover_processes,
                            plain, wait_for)
from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.launch_form import UpdatesEditor
from sacred_tui.widgets.run_overview import RunOverview

__all__ = ["no_leftover_processes"]  # a fixture used by name


def stored(tmp_path: Path, run_id: str) -> tuple[object, int]:
    run = json.loads((tmp_path / "runs" / run_id / "run.json").read_text())
    config = json.loads((tmp_path / "runs" / run_id / "config.json").read_text())
    return run["result"], config["seed"]


async def rerun_selected(pilot, app, run_id: str, expected_id: str) -> str:  # type: ignore[no-untyped-def]
    runs = app.screen
    assert isinstance(runs, RunsScreen)
    await wait_for(pilot, lambda: run_id in runs.table.visible_ids(), f"run {run_id} in the table")
    runs.table.move_cursor(row=runs.table.get_row_index(run_id))
    await pilot.press("r")
    await wait_for(pilot, lambda: asked(app), "the re-run question")
    body = plain(app.screen.query_one("#dialog-text", Static))
    await pilot.press("enter")
    await launched_detail(pilot, expected_id)
    await ended(pilot, app.launch_flow.launcher.for_run(expected_id))
    await pilot.press("escape")
    return body


async def test_rerun_repeats_the_seed_and_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "exp"
    folder.mkdir()
    script = Path(shutil.copy(DATA / "seeded_exp.py", folder / "seeded_exp.py"))
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        first = app.launch_flow.launch(LaunchSpec.create(script, updates=["draws=4"]))
        detail = await launched_detail(pilot, "1")
        await ended(pilot, first)
        result, seed = stored(tmp_path, "1")
        assert len(result) == 5
        # The Overview's Reproduce line, pasted into a shell anywhere, makes the same run again.
        overview = detail.query_one(RunOverview)
        await wait_for(pilot, lambda: "seed=" in overview.command_line, "the reproduce command")
        assert overview.command_line.startswith(f"cd {folder} && {sys.executable} seeded_exp.py with")
        pasted = subprocess.run(["bash", "-c", overview.command_line], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60)
        assert pasted.returncode == 0, pasted.stderr
        assert stored(tmp_path, "2") == (result, seed)
        await pilot.press("escape")

        body = await rerun_selected(pilot, app, "1", "3")
        assert f"seeded_exp.py with draws=4 seed={seed} -F" in body
        assert stored(tmp_path, "3") == (result, seed)

        # The script moves away: the run is re-run from a copy of its stored sources.
        shutil.rmtree(folder)
        body = await rerun_selected(pilot, app, "1", "4")
        assert "does not exist on this machine: this re-run runs a copy of the run's 1 stored source" in body
        assert str(tmp_path / "cache" / "sacred-tui" / "sources") in body
        assert stored(tmp_path, "4") == (result, seed)
        copy = json.loads((tmp_path / "runs" / "4" / "run.json").read_text())["experiment"]["base_dir"]
        assert copy.startswith(str(tmp_path / "cache"))

        # Edit and re-run keeps the seed as an update the user can change or remove.
        runs = app.screen
        runs.table.move_cursor(row=runs.table.get_row_index("1"))
        screen = await composer(pilot, "R")
        assert screen.query_one(UpdatesEditor).words == ["draws=4", f"seed={seed}"]


def test_a_run_made_by_sacred_is_re_run_exactly_from_its_stored_sources(tmp_path: Path) -> None:
    """Real Sacred 0.8.7 wrote run 1 on another machine; its script folder does not exist here."""
    from core.runs import RunsFolder
    from sacred_tui.data.launcher import Launcher
    from sacred_tui.data.rerun import plan_rerun
    from tui_runs_factory import copy_reference_runs

    runs = copy_reference_runs(tmp_path / "runs")
    stored = RunsFolder(runs).run("1")
    plan = plan_rerun(stored.read_record(), sys.executable, config=stored.read_config(), stored=stored)
    assert plan.problems == [] and plan.copy is not None
    assert "copy of the run's 2 stored source files (from _sources/) and 1 resource" in plan.warnings[0]
    assert (plan.copy.folder / "data" / "input.txt").is_file()  # read by the run with open_resource
    launcher = Launcher(runs, log_dir=tmp_path / "logs")
    launch = launcher.start(plan.spec)
    assert launcher.wait(launch, 60) == 0, launch.stderr_tail()
    launcher.poll()
    again = RunsFolder(runs).run(launch.run_id or "")
    assert again.read_config() == stored.read_config()  # the seed too
    assert again.read_record().result == stored.read_record().result
