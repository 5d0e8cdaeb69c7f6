"""`x` stops any live run of this host, also one started outside the app, and never a reused pid."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Static

from launch_support import DATA, asked, make_app, no_leftover_processes, plain, script, status_of, wait_for
from sacred_tui.data.processes import process_start_ticks
from sacred_tui.screens.help import HelpScreen
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.runs import RunsScreen
from screen_text import screen_lines
from tui_runs_factory import ago, write_run

__all__ = ["no_leftover_processes", "script"]  # fixtures used by name


async def test_x_stops_a_run_started_outside_the_app(tmp_path: Path, script: Path) -> None:
    runs = tmp_path / "runs"
    outside = subprocess.Popen([sys.executable, script.name, "with", "slow", "-F", str(runs)],
                               cwd=script.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        app = make_app(tmp_path, script)
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
            table = app.screen.table
            await wait_for(pilot, lambda: table.current_run_id == "1", "run 1 in the table")
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert {line.key: line.description for line in app.screen.keys}["x"] == "Stop run"
            await pilot.press("escape")
            # The run records its interpreter and its process's start, which tell it from a reused pid.
            recorded = json.loads((runs / "1" / "process.json").read_text())
            assert recorded["pid"] == outside.pid and recorded["python"] == sys.executable
            assert recorded["started_ticks"] == process_start_ticks(outside.pid)
            await pilot.press("x")
            await wait_for(pilot, lambda: asked(app), "the stop question")
            question = plain(app.screen.query_one("#dialog-text", Static))
            assert f"Send SIGINT to run 1 (pid {outside.pid}, started outside this session)" in question
            await pilot.press("enter")
            assert outside.wait(15) == 130
            assert status_of(tmp_path, "1") == "INTERRUPTED"
            assert app.launch_flow.stopper.sent("1") == ["SIGINT"]
    finally:
        if outside.poll() is None:
            outside.kill()
            outside.wait()


async def test_x_never_signals_a_pid_that_now_belongs_to_another_program(tmp_path: Path, script: Path) -> None:
    runs = tmp_path / "runs"
    # The run started an hour ago; the process now holding its pid started just now.
    folder = write_run(runs, "1", status="RUNNING", started=ago(3600), stopped=None, heartbeat=ago(1),
                       hostname=platform.node())
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / "process.json").write_text(json.dumps({"pid": stranger.pid, "hostname": platform.node()}))
        app = make_app(tmp_path, script)
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
            table = app.screen.table
            await wait_for(pilot, lambda: table.current_run_id == "1", "run 1 in the table")
            assert table.get_cell("1", "status").plain.startswith("DEAD?")
            await pilot.press("x")
            await wait_for(pilot, lambda: any("cannot be stopped" in str(n.message) for n in app._notifications),
                           "the refusal")
            message = next(str(n.message) for n in app._notifications if "cannot be stopped" in str(n.message))
            assert f"process {stranger.pid} has exited (its pid now belongs to a newer program)" in message
            assert not isinstance(app.screen, ChoiceScreen)
        assert stranger.poll() is None, "the other program must not have been signalled"
    finally:
        stranger.kill()
        stranger.wait()


def test_a_run_that_ignores_sigint_is_stopped_with_sigterm_first(tmp_path: Path) -> None:
    """A shell starts background jobs with SIGINT ignored; Ctrl-C would never reach such a run."""
    from core.runs import RunsFolder
    from sacred_tui.data.stopping import RunStopper, find_stop_target

    runs = tmp_path / "runs"
    tiny = DATA / "tiny_exp.py"
    background = subprocess.Popen(
        ["bash", "-c", f"trap '' INT; exec {sys.executable} {tiny.name} with slow -F {runs}"],
        cwd=tiny.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        cout = runs / "1" / "cout.txt"
        while not (cout.exists() and "step 1" in cout.read_text()):  # main is running
            assert time.monotonic() < deadline and background.poll() is None
            time.sleep(0.05)
        target = find_stop_target(RunsFolder(runs).run("1"))
        assert not isinstance(target, str), target
        stopper = RunStopper()
        assert stopper.next_signal("1", target.pid) == "SIGTERM"
        assert stopper.stop(target) == ("SIGTERM", "")
        assert background.wait(15) == 143
        assert json.loads((runs / "1" / "run.json").read_text())["status"] == "INTERRUPTED"
    finally:
        if background.poll() is None:
            background.kill()
            background.wait()


async def test_x_leaves_the_footer_when_the_run_under_the_cursor_ends(tmp_path: Path, script: Path) -> None:
    runs = tmp_path / "runs"
    folder = write_run(runs, "1", status="RUNNING", started=ago(5), stopped=None, heartbeat=ago(1),
                       hostname=platform.node())
    (folder / "process.json").write_text(json.dumps({"pid": os.getpid(), "hostname": platform.node(),
                                                     "started_ticks": process_start_ticks(os.getpid())}))
    app = make_app(tmp_path, script)
    async with app.run_test(size=(240, 50)) as pilot:  # a footer wide enough for every key
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        table = app.screen.table
        await wait_for(pilot, lambda: table.current_run_id == "1", "run 1 in the table")

        def offers_stop() -> bool:
            return "x Stop run" in screen_lines(app)[-1]  # the footer

        await wait_for(pilot, offers_stop, "x offered for the running run")
        record = json.loads((folder / "run.json").read_text())
        record.update(status="COMPLETED", stop_time=ago(0))
        (folder / "run.json").write_text(json.dumps(record))
        await wait_for(pilot, lambda: table.get_cell("1", "status").plain == "COMPLETED", "the run to end")
        await wait_for(pilot, lambda: not offers_stop(), "x gone from the footer", 2)
