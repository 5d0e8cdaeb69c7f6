"""Queued runs in the app: a local sweep in the table, cancelling from the table, quitting, resuming."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from launch_support import make_app, script, status_of, wait_for  # noqa: F401 - script is a fixture
from textual.pilot import Pilot

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.queued_runs import QueueTicket, read_ticket, write_ticket
from sacred_tui.data.sweep_spec import sweep_of
from sacred_tui.data.sweep_submit import QueuedSweep, SweepTarget, queue_sweep
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.runs_table import RunsTable

SIZE = (150, 40)


def queue(script: Path, tmp_path: Path, *axes: str, alternatives: str | None = None, seeds=(),
          updates: tuple[str, ...] = ()) -> QueuedSweep:
    spec = LaunchSpec.create(script, updates=updates, python=sys.executable)
    return queue_sweep(sweep_of(spec, axes, alternatives, list(seeds)), tmp_path / "runs", SweepTarget())


def in_main(tmp_path: Path, run_id: str) -> bool:
    """The run printed its first step: it is inside main, past recording its start."""
    cout = tmp_path / "runs" / run_id / "cout.txt"
    return cout.is_file() and "step 0" in cout.read_text(errors="replace")


async def table_of(pilot: Pilot[None]) -> RunsTable:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen) and pilot.app.screen.loaded,
                   "the table")
    return pilot.app.screen.table


def statuses(table: RunsTable) -> dict[str, str]:
    return {run_id: table.get_cell(run_id, "status").plain for run_id in table.visible_ids()}


async def answer(pilot: Pilot[None], choice: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen), "a question")
    await pilot.click(f"#choice-{choice}")


async def test_cancel_a_waiting_run_then_the_rest_of_its_sweep(script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_of(pilot)
        queued = queue(script, tmp_path, "steps=100000,100001,100002,100003")
        await wait_for(pilot, lambda: table.row_count == 4, "the queued runs")
        app.queue_flow.enqueue(queued.runs, limit=1)
        await wait_for(pilot, lambda: statuses(table)["1"] == "RUNNING" and in_main(tmp_path, "1"), "run 1 to run")
        table.move_cursor(row=table.visible_ids().index("3"))
        await pilot.pause()
        assert "waiting in this app's queue: 2 of 3 waiting" in str(app.screen.query_one("#row-info").render())
        await pilot.press("x")
        await answer(pilot, "yes")
        await wait_for(pilot, lambda: statuses(table)["3"] == "CANCELLED", "run 3 cancelled")
        table.move_cursor(row=table.visible_ids().index("4"))
        await pilot.press("X")
        await answer(pilot, "yes")
        await wait_for(pilot, lambda: statuses(table)["2"] == statuses(table)["4"] == "CANCELLED",
                       "the rest of the sweep cancelled")
        assert statuses(table)["1"] == "RUNNING"
        table.move_cursor(row=table.visible_ids().index("1"))
        await pilot.press("x")
        await answer(pilot, "yes")
        await wait_for(pilot, lambda: statuses(table)["1"] == "INTERRUPTED", "run 1 interrupted", 15)
    assert [status_of(tmp_path, run_id) for run_id in "1234"] == ["INTERRUPTED"] * 4


async def test_quitting_with_runs_waiting_asks_and_can_leave_them_queued(script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_of(pilot)
        queued = queue(script, tmp_path, "steps=100000,2,3")
        await wait_for(pilot, lambda: table.row_count == 3, "the queued runs")
        app.queue_flow.enqueue(queued.runs, limit=1)
        await wait_for(pilot, lambda: statuses(table)["1"] == "RUNNING" and in_main(tmp_path, "1"), "run 1 to run")
        await pilot.press("q")
        await answer(pilot, "leave")
        await answer(pilot, "stop")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit", 15)
    assert [status_of(tmp_path, run_id) for run_id in "123"] == ["INTERRUPTED", "QUEUED", "QUEUED"]
    assert read_ticket(tmp_path / "runs" / "2") is not None


async def test_runs_whose_queue_stopped_are_shown_and_resumed_with_Q(script: Path, tmp_path: Path) -> None:
    queued = queue(script, tmp_path, "steps=1,2")
    gone = subprocess.Popen(["true"])
    gone.wait()
    for run in queued.runs:
        ticket = read_ticket(run.run_dir)
        write_ticket(run.run_dir, QueueTicket(**{**ticket.__dict__, "owner_pid": gone.pid}))
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_of(pilot)
        await pilot.pause(0.2)
        assert "its queue stopped (pid" in str(app.screen.query_one("#row-info").render())
        await pilot.press("Q")
        await answer(pilot, "yes")
        await wait_for(pilot, lambda: set(statuses(table).values()) == {"COMPLETED"}, "the resumed runs", 20)
