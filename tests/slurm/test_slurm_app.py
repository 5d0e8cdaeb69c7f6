"""SLURM runs in the app: the scheduler's view in the table, cancelling pending and running jobs with x."""
from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from slurm_cluster import SlurmCluster
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from sacred_tui.app import SacredTuiApp
from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.slurm import SlurmOptions, read_record
from sacred_tui.data.sweep_spec import sweep_of
from sacred_tui.data.sweep_submit import SweepTarget, queue_sweep
from sacred_tui.screens.launch import LaunchScreen
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.runs_table import RunsTable

TINY = Path(__file__).parent.parent / "data" / "launch" / "tiny_exp.py"
SIZE = (150, 40)


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remembered targets go to a folder of the test, never to the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def script(tmp_path: Path) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(TINY, folder / "tiny_exp.py"))


def make_app(tmp_path: Path, *scripts: Path) -> SacredTuiApp:
    app = SacredTuiApp(tmp_path / "runs", poll=True, poll_interval=0.1, safety_interval=0.5, liveness_interval=1.0,
                       slurm_interval=0.5)
    app.configure_launching(scripts, sys.executable, log_dir=tmp_path / "logs")
    return app


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], what: str, timeout: float = 30.0,
                   describe: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what} {describe()}"
        await pilot.pause(0.05)


async def table_of(pilot: Pilot[None]) -> RunsTable:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen) and pilot.app.screen.loaded,
                   "the table")
    return pilot.app.screen.table


def statuses(table: RunsTable) -> dict[str, str]:
    return {run_id: table.get_cell(run_id, "status").plain for run_id in table.visible_ids()}


def overview_text(app: SacredTuiApp) -> str:
    """What the run detail's Overview shows, as plain text."""
    from io import StringIO

    from rich.console import Console

    console = Console(width=160, file=StringIO(), record=True)
    console.print(app.screen.query_one("#overview-body", Static).content)
    return console.export_text()


def info(app: SacredTuiApp) -> str:
    return str(app.screen.query_one("#row-info").render())


def submit(script: Path, tmp_path: Path, options: SlurmOptions, *axes: str, **kwargs):
    spec = LaunchSpec.create(script, python=sys.executable)
    return queue_sweep(sweep_of(spec, axes, **kwargs), tmp_path / "runs", SweepTarget("slurm", options))


async def composer(pilot: Pilot[None]) -> LaunchScreen:
    await table_of(pilot)
    await pilot.press("L")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LaunchScreen), "the composer")
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.interface is not None, "the script's interface")
    return screen


async def type_into(pilot: Pilot[None], screen: LaunchScreen, selector: str, text: str, enter: bool = False) -> None:
    field = screen.query_one(selector, Input)
    field.focus()
    field.value = text
    if enter:
        await pilot.press("enter")
    await pilot.pause()


def notes(screen: LaunchScreen) -> str:
    return screen.query_one("#launch-notes", Static).render().plain  # type: ignore[union-attr]


async def test_a_composed_2x2x2_slurm_sweep_shows_pending_jobs_then_completed_runs(
        slurm_cluster: SlurmCluster, script: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=SIZE) as pilot:
        screen = await composer(pilot)
        await type_into(pilot, screen, "#sweep-axis-input", "steps=1,2", enter=True)
        await type_into(pilot, screen, "#sweep-alternatives", "fast,")
        await type_into(pilot, screen, "#sweep-seeds", "2")
        screen.query_one("#sweep-target", Select).value = "slurm"
        await type_into(pilot, screen, "#slurm-partition", "no-such-partition")
        await wait_for(pilot, lambda: "invalid partition specified: no-such-partition" in notes(screen),
                       "sbatch's refusal of the partition")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LaunchScreen) and not (tmp_path / "runs").exists()
        await type_into(pilot, screen, "#slurm-partition", "debug")
        await type_into(pilot, screen, "#slurm-time", "5")
        await wait_for(pilot, lambda: screen.sweep_problems() == [] and screen.sweep_checked_for is not None
                       and "8 runs as SLURM jobs" in screen.query_one("#command-line", Static).render().plain,
                       "the checked sweep")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the table")
        table = app.screen.table
        await wait_for(pilot, lambda: table.row_count == 8, "the 8 runs")
        seen = set(statuses(table).values())
        await wait_for(pilot, lambda: seen.update(statuses(table).values()) or set(statuses(table).values())
                       == {"COMPLETED"}, "8 completed runs", 60)
        run_dirs = [tmp_path / "runs" / str(i) for i in range(1, 9)]
        await wait_for(pilot, lambda: {read_record(run_dir).state for run_dir in run_dirs} == {"COMPLETED"},
                       "SLURM's final word on the 8 jobs in slurm.json")
    assert seen <= {"QUEUED", "PENDING", "STARTING", "RUNNING", "COMPLETED"}
    assert len({read_record(run_dir).job_id for run_dir in run_dirs}) == 8
    for run_dir in run_dirs:
        assert json.loads((run_dir / "run.json").read_text())["status"] == "COMPLETED"
        assert (run_dir / f"slurm-{read_record(run_dir).job_id}.out").is_file()


async def test_x_cancels_a_pending_job_and_stops_a_running_one(slurm_cluster: SlurmCluster, script: Path,
                                                               tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_of(pilot)
        pending = submit(script, tmp_path, SlurmOptions(partition="short", time="10:00"), "steps=1").runs[0]
        running = submit(script, tmp_path, SlurmOptions(time="5"), "steps=100000").runs[0]
        cout = running.run_dir / "cout.txt"
        await wait_for(pilot, lambda: statuses(table).get(running.run_id) == "RUNNING" and cout.is_file()
                       and "step 0" in cout.read_text(errors="replace")
                       and statuses(table).get(pending.run_id) == "PENDING",
                       "the running job inside main and the pending one listed", describe=lambda: str(statuses(table)))
        table.move_cursor(row=table.visible_ids().index(pending.run_id))
        await wait_for(pilot, lambda: "PENDING (PartitionTimeLimit)" in info(app), "SLURM's reason")
        assert statuses(table)[pending.run_id] == "PENDING"
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        await pilot.click("#choice-yes")
        await wait_for(pilot, lambda: statuses(table)[pending.run_id] == "CANCELLED", "the cancelled run")
        table.move_cursor(row=table.visible_ids().index(running.run_id))
        await wait_for(pilot, lambda: "SLURM job" in info(app) and "RUNNING" in info(app), "the job's state")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        assert "scancel" in str(app.screen.query_one("#dialog-text").render())
        await pilot.click("#choice-yes")
        await wait_for(pilot, lambda: statuses(table)[running.run_id] == "INTERRUPTED", "the interrupted run")
        await wait_for(pilot, lambda: read_record(pending.run_dir).state == "CANCELLED", "the job's record")
        table.move_cursor(row=table.visible_ids().index(pending.run_id))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "the run's detail")
        job_id = read_record(pending.run_dir).job_id
        shown = (f"{job_id}  CANCELLED", f"output file: {pending.run_dir / f'slurm-{job_id}.out'}")
        await wait_for(pilot, lambda: all(text in overview_text(app) for text in ("SLURM job", *shown)),
                       "the job in Overview", describe=lambda: overview_text(app))


async def test_a_sweep_cancelled_half_way_keeps_what_ran_and_cancels_what_waits(
        slurm_cluster: SlurmCluster, script: Path, tmp_path: Path) -> None:
    import os

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_of(pilot)
        # Each job takes every CPU of the node (cluster.sh gives it `nproc`), so the jobs run one after another.
        every_cpu = SlurmOptions(time="5", cpus=len(os.sched_getaffinity(0)))
        queued = submit(script, tmp_path, every_cpu, "steps=1,100000,2,3")
        first, second, third, fourth = (run.run_id for run in queued.runs)
        cout = queued.runs[1].run_dir / "cout.txt"
        await wait_for(pilot, lambda: statuses(table).get(first) == "COMPLETED" and cout.is_file()
                       and "step 0" in cout.read_text(errors="replace")
                       and statuses(table).get(fourth) == "PENDING", "run 1 done, run 2 inside main, 4 pending",
                       describe=lambda: str(statuses(table)))
        table.move_cursor(row=table.visible_ids().index(fourth))
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        assert f"Cancel the 2 waiting runs of sweep {queued.sweep_id} ({third}, {fourth})" in str(
            app.screen.query_one("#dialog-text").render())
        await pilot.click("#choice-yes")
        await wait_for(pilot, lambda: statuses(table)[third] == statuses(table)[fourth] == "CANCELLED",
                       "the waiting rest cancelled")
        assert statuses(table)[second] == "RUNNING"
        table.move_cursor(row=table.visible_ids().index(second))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        await pilot.click("#choice-yes")
        await wait_for(pilot, lambda: statuses(table)[second] == "INTERRUPTED", "the running one stopped")
        run_dirs = [run.run_dir for run in queued.runs]
        await wait_for(pilot, lambda: all(read_record(run_dir).final for run_dir in run_dirs),
                       "SLURM's final word on the 4 jobs")
    records = [json.loads((run_dir / "run.json").read_text()) for run_dir in run_dirs]
    assert [record["status"] for record in records] == ["COMPLETED", "INTERRUPTED", "INTERRUPTED", "INTERRUPTED"]
    assert ["start_time" in record for record in records] == [True, True, False, False]
    assert [read_record(run_dir).state for run_dir in run_dirs] == ["COMPLETED", "CANCELLED", "CANCELLED",
                                                                    "CANCELLED"]
