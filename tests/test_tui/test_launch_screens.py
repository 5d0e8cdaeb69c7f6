"""Pilot tests of the launcher with a real tiny experiment started as a subprocess.

Compose and launch, live follow, stop (SIGINT -> INTERRUPTED), re-run, edit and re-run, a failing
preview that blocks launching, the quit question, the launch log, the help and the script picker.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Static

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.screens.help import HelpScreen
from sacred_tui.screens.launch_dialogs import ScriptPickerScreen
from sacred_tui.screens.launch_log import LaunchLogScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.launch_form import NamedConfigPicker, UpdatesEditor
from sacred_tui.widgets.log_tail import LogTail

from launch_support import (DATA, asked, composer, config_of, ended, launched_detail, make_app,
                            no_leftover_processes, plain, preview_ready, script, span_style, status_of, type_update,
                            wait_for)

__all__ = ["no_leftover_processes", "script"]  # fixtures used by name


async def test_compose_preview_launch_and_open_the_new_run(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        assert [c.name for c in screen.interface.user_commands()] == ["main", "hello"]
        await pilot.press("enter")  # the highlighted named config (fast) is added
        assert screen.query_one(NamedConfigPicker).words == ["fast"]
        field = screen.query_one("#update-input", Input)
        field.focus()
        await pilot.press("s", "t", "e")
        await wait_for(pilot, lambda: field._suggestion == "steps=3", "the key completion")
        await pilot.press("tab", "backspace", "4", "enter")
        await type_update(pilot, screen, "msg=x; rm -rf ~")
        assert screen.query_one(UpdatesEditor).words == ["steps=4", "msg=x; rm -rf ~"]
        await preview_ready(pilot, screen)
        assert "with fast steps=4 'msg=x; rm -rf ~' -F" in plain(screen.query_one("#command-line", Static))
        preview = screen.query_one("#config-preview", Static).content
        assert isinstance(preview, Text)
        assert change_styles.MODIFIED in span_style(preview, "msg = 'x; rm -rf ~'")
        assert change_styles.MODIFIED in span_style(preview, "delay = 0.0")
        await pilot.press("ctrl+s")
        detail = await launched_detail(pilot, "1")
        launch = app.launch_flow.launcher.for_run("1")
        assert launch is not None
        await ended(pilot, launch)
        assert launch.exit_code == 0
        config = config_of(tmp_path, "1")
        assert (config["msg"], config["steps"], config["delay"]) == ("x; rm -rf ~", 4, 0.0)
        tail = detail.query_one(LogTail)
        await wait_for(pilot, lambda: "msg is 'x; rm -rf ~'" in tail.lines, "the run's stdout")


async def test_live_follow_then_stop_ends_interrupted(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        launch = app.launch_flow.launch(LaunchSpec.create(script, named_configs=["slow"]))
        assert launch is not None
        detail = await launched_detail(pilot, "1")
        tail = detail.query_one(LogTail)
        await wait_for(pilot, lambda: "step 3" in tail.lines, "live stdout")
        assert launch.running
        await pilot.press("x")
        await wait_for(pilot, lambda: asked(app), "the stop question")
        question = plain(app.screen.query_one("#dialog-text", Static))
        assert f"Send SIGINT to run 1 (pid {launch.pid})?\nSIGINT like Ctrl+C" in question  # two lines, no ␤
        await pilot.press("enter")
        await ended(pilot, launch)
        assert launch.exit_code == 130 and launch.signals_sent == ["SIGINT"]
        assert status_of(tmp_path, "1") == "INTERRUPTED"
        header = detail.query_one("#detail-header", Static)
        await wait_for(pilot, lambda: "INTERRUPTED" in plain(header), "the detail to show INTERRUPTED")


async def test_rerun_as_is_and_edit_then_rerun(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        first = app.launch_flow.launch(LaunchSpec.create(script, updates=["msg='first'", "steps=1"],
                                                         options={"--comment": "original"}))
        await launched_detail(pilot, "1")
        await ended(pilot, first)
        await pilot.press("escape")
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        await wait_for(pilot, lambda: runs.table.current_run_id == "1", "run 1 in the table")
        await pilot.press("r")
        await wait_for(pilot, lambda: asked(app), "the re-run question")
        body = plain(app.screen.query_one("#dialog-text", Static))
        seed = config_of(tmp_path, "1")["seed"]
        assert f"tiny_exp.py with \"msg='first'\" steps=1 seed={seed} --comment=original -F" in body
        await pilot.press("enter")
        await launched_detail(pilot, "2")
        second = app.launch_flow.launcher.for_run("2")
        await ended(pilot, second)
        assert config_of(tmp_path, "2") == config_of(tmp_path, "1")
        await pilot.press("escape")
        table = runs.table
        await wait_for(pilot, lambda: "2" in table.visible_ids(), "run 2 in the table")
        table.move_cursor(row=table.get_row_index("1"))
        screen = await composer(pilot, "R")
        assert screen.query_one(UpdatesEditor).words == ["msg='first'", "steps=1", f"seed={seed}"]
        await type_update(pilot, screen, "steps=2")
        assert screen.query_one(UpdatesEditor).words == ["msg='first'", "steps=2", f"seed={seed}"]
        await preview_ready(pilot, screen)
        await pilot.press("ctrl+s")
        await launched_detail(pilot, "3")
        await ended(pilot, app.launch_flow.launcher.for_run("3"))
        config = config_of(tmp_path, "3")
        assert (config["msg"], config["steps"], config["seed"]) == ("first", 2, seed)
        assert json.loads((tmp_path / "runs" / "3" / "run.json").read_text())["meta"]["comment"] == "original"


async def test_failing_preview_blocks_launch_until_forced(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        await type_update(pilot, screen, "zzz=1")
        await preview_ready(pilot, screen)
        assert screen.preview_error is not None
        assert "Added new config entry" in plain(screen.query_one("#config-preview", Static))
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is screen and app.launch_flow.launcher.launches == []
        screen.query_one("#opt-force", Checkbox).value = True
        await wait_for(pilot, lambda: screen.preview is not None and screen.preview_for == screen.current_spec(),
                       "the forced preview")
        assert screen.preview.entries["zzz"].added
        assert "zzz is not a key of the experiment's config" in plain(screen.query_one("#launch-notes", Static))
        await pilot.press("ctrl+s")
        # Forcing the check off is not enough: launching an added key asks once more.
        await wait_for(pilot, lambda: asked(app), "the launch-anyway question")
        assert "zzz is not a key of the experiment's config" in plain(app.screen.query_one("#dialog-text", Static))
        await pilot.click("#choice-launch")
        await launched_detail(pilot, "1")
        await ended(pilot, app.launch_flow.launcher.for_run("1"))
        assert config_of(tmp_path, "1")["zzz"] == 1


async def test_broken_script_shows_its_error_and_cannot_launch(tmp_path: Path) -> None:
    app = make_app(tmp_path, DATA / "broken_exp.py")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        assert "ModuleNotFoundError" in plain(screen.query_one("#interface-status", Static))
        await preview_ready(pilot, screen)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.screen is screen and app.launch_flow.launcher.launches == []


async def test_quit_stops_launched_runs_when_asked(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        launch = app.launch_flow.launch(LaunchSpec.create(script, named_configs=["slow"]), open_detail=False)
        await wait_for(pilot, lambda: launch.run_id == "1", "the run id")
        await pilot.press("q")
        await wait_for(pilot, lambda: asked(app), "the quit question")
        assert f"still running:\n\n  run 1 (pid {launch.pid}): " in plain(app.screen.query_one("#dialog-text", Static))
        await pilot.click("#choice-stop")
        await wait_for(pilot, lambda: launch.exit_code is not None, "the run to stop", 15)
        await wait_for(pilot, lambda: app.launch_flow.exiting, "the app to exit")
    assert launch.exit_code == 130 and status_of(tmp_path, "1") == "INTERRUPTED"


async def test_quit_can_leave_launched_runs_running(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        launch = app.launch_flow.launch(LaunchSpec.create(script, named_configs=["slow"]), open_detail=False)
        await wait_for(pilot, lambda: launch.run_id == "1", "the run id")
        await pilot.press("q")
        await wait_for(pilot, lambda: asked(app), "the quit question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.launch_flow.exiting, "the app to exit")
    launcher = app.launch_flow.launcher
    try:
        assert launcher.wait(launch, 0.3) is None, "the run must outlive the app"
    finally:
        launcher.stop(launch)
        assert launcher.wait(launch, 10) == 130


async def test_launch_log_lists_commands_and_output(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        launch = app.launch_flow.launch(LaunchSpec.create(script, updates=["steps=1"]), open_detail=False)
        await ended(pilot, launch)
        await pilot.press("J")
        log = app.screen
        assert isinstance(log, LaunchLogScreen)
        table = log.query_one(DataTable)
        assert table.row_count == 1
        assert [str(cell) for cell in table.get_row_at(0)[:3]] == ["1", "1", "exit 0"]
        output = plain(log.query_one("#launch-output", Static))
        assert 'Started run with ID "1"' in output and "msg is 'hello'" in output
        await pilot.press("enter")
        await launched_detail(pilot, "1")


async def test_help_lists_the_launcher_keys(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {line.key: line.description for line in help_screen.keys}
        assert keys["L"] == keys["n"] == "Launch"
        assert keys["r"] == "Re-run" and keys["R"] == "Edit and re-run"
        assert keys["J"] == "Launched runs"
        assert "x" not in keys  # no running run to stop: the help lists only keys that work here


async def test_picking_a_script_outside_the_named_folders_needs_a_yes(tmp_path: Path, script: Path) -> None:
    outside = tmp_path / "elsewhere" / "other.py"
    outside.parent.mkdir()
    shutil.copy(script, outside)
    inside = Path(shutil.copy(script, script.parent / "second.py"))
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        for path, asks in ((inside, False), (outside, True)):
            await pilot.press("ctrl+o")
            picker = app.screen
            assert isinstance(picker, ScriptPickerScreen)
            field = picker.query_one("#picker-path", Input)
            field.focus()
            field.value = str(path)
            await pilot.press("enter")
            if asks:
                await wait_for(pilot, lambda: asked(app), "the confirmation")
                assert "outside the folders you named" in plain(app.screen.query_one("#dialog-text", Static))
                await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen and screen.script == path, f"{path.name} chosen")
            await wait_for(pilot, lambda: screen.interface is not None and screen.interface.script == path,
                           "the new interface")
        assert app.launch_flow.catalog.picked == [inside, outside]
