"""The launcher never launches a likely mistake unasked and never loses a composition by accident."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Static

from launch_support import (DATA, asked, composer, config_of, ended, launched_detail, make_app,
                            no_leftover_processes, plain, preview_ready, script, status_of, type_update, wait_for)
from sacred_tui.screens.launch import LaunchScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.launch_form import NamedConfigPicker, UpdatesEditor
from sacred_tui.widgets.launch_inputs import UpdateInput
from sacred_tui.widgets.marked_selection import CHOSEN
from screen_text import screen_lines

__all__ = ["no_leftover_processes", "script"]  # fixtures used by name


async def test_malformed_value_and_type_change_need_launch_anyway(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        await type_update(pilot, screen, "steps=[1,")
        await preview_ready(pilot, screen)
        notes = plain(screen.query_one("#launch-notes", Static))
        assert "steps=[1, is not a Python literal" in notes
        assert "steps changes type from int to str" in notes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: asked(app), "the launch-anyway question")
        question = plain(app.screen.query_one("#dialog-text", Static))
        assert "it would be passed as the text '[1,'" in question
        await pilot.press("enter")  # the focused answer is "Keep editing"
        await wait_for(pilot, lambda: app.screen is screen, "the composer again")
        assert app.launch_flow.launcher.launches == []


async def test_several_updates_typed_pasted_or_fast_become_separate_entries(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        editor = screen.query_one(UpdatesEditor)
        await type_update(pilot, screen, "msg=hello world steps=5")
        assert editor.words == ["msg=hello world", "steps=5"]
        field = screen.query_one(UpdateInput)
        field.post_message(events.Paste("delay=0.5\nopts.a=2 opts.b.c=[1, 2]\n"))
        await wait_for(pilot, lambda: len(editor.words) == 5, "the pasted updates")
        assert editor.words[2:] == ["delay=0.5", "opts.a=2", "opts.b.c=[1, 2]"]
        # Keys arriving as fast as a paste through a terminal, Enter between updates: all are
        # queued before the first is handled.
        field.focus()
        await pilot.pause()
        for key in [*"steps=7", "enter", *"msg=x", "enter", *"delay=1", "enter"]:
            field.post_message(events.Key(key, "\r" if key == "enter" else key))
        await wait_for(pilot, lambda: "delay=1" in editor.words, "the typed updates")
        assert editor.words == ["msg=x", "steps=7", "delay=1", "opts.a=2", "opts.b.c=[1, 2]"]
        assert field.value == ""


async def test_q_does_not_quit_and_esc_asks_and_L_reopens(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        await pilot.press("enter")  # adds the highlighted named config
        await type_update(pilot, screen, "steps=9")
        screen.query_one("#named-available").focus()
        await pilot.press("q")
        await pilot.pause(0.2)
        assert app.screen is screen and not app.launch_flow.exiting
        await pilot.press("escape")
        await wait_for(pilot, lambda: asked(app), "the leave question")
        assert "L reopens it" in plain(app.screen.query_one("#dialog-text", Static))
        await pilot.press("enter")  # "Keep editing" has the focus
        await wait_for(pilot, lambda: app.screen is screen, "the composer again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: asked(app), "the leave question")
        await pilot.click("#choice-leave")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        again = await composer(pilot)
        assert again is not screen
        assert again.query_one(NamedConfigPicker).words == ["fast"]
        assert again.query_one(UpdatesEditor).words == ["steps=9"]
        await pilot.press("escape")  # unchanged since it reopened: leaves at once
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")


async def test_launcher_preview_shows_numpy_values_as_sacred_does(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    numpy_script = Path(shutil.copy(DATA / "numpy_exp.py", folder / "numpy_exp.py"))
    app = make_app(tmp_path, numpy_script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        assert isinstance(screen, LaunchScreen)
        await preview_ready(pilot, screen)
        preview = plain(screen.query_one("#config-preview", Static))
        assert "weights = array([0.5, 1. , 1.5, 2. ])" in preview
        assert "scale = 0.25" in preview
        assert "py/object" not in preview and "dtype" not in preview
        field = screen.query_one("#update-input", Input)
        field.focus()
        await pilot.press(*"weig")
        await wait_for(pilot, lambda: field._suggestion == "weights=[0.5, 1.0, 1.5, 2.0]", "a literal completion")


async def test_force_box_shows_a_tick_not_only_a_colour(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        box = screen.query_one("#opt-force")

        def box_line() -> str:
            return next(line for line in screen_lines(app) if "-f force" in line)

        assert "▐ ▌ -f force" in box_line() and CHOSEN not in box_line()
        box.value = True  # type: ignore[attr-defined]
        await pilot.pause()
        assert f"▐{CHOSEN}▌ -f force" in box_line()


async def test_a_script_built_with_sacred_is_explained_and_launches_with_force(tmp_path: Path) -> None:
    pytest.importorskip("sacred")
    folder = tmp_path / "exp"
    folder.mkdir()
    sacred_script = Path(shutil.copy(DATA / "sacred_exp.py", folder / "sacred_exp.py"))
    app = make_app(tmp_path, sacred_script)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await composer(pilot)
        assert screen.interface_error is not None
        blocker = screen.launch_blocker(screen.current_spec()) or ""
        assert "sacred_exp.py builds its experiment with Sacred itself" in blocker and "Tick -f" in blocker
        await type_update(pilot, screen, "steps=5")
        screen.query_one("#opt-force").value = True  # type: ignore[attr-defined]
        await preview_ready(pilot, screen)
        assert screen.launch_blocker(screen.current_spec()) is None
        await pilot.press("ctrl+s")
        await launched_detail(pilot, "1")
        await ended(pilot, app.launch_flow.launcher.for_run("1"))  # type: ignore[arg-type]
    assert status_of(tmp_path, "1") == "COMPLETED" and config_of(tmp_path, "1")["steps"] == 5
