"""Sweeps submitted to the real test cluster: jobs, their records beside the runs, cancelling, early failures."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slurm_cluster import SlurmCluster, wait_for_state

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.queue_view import queue_sentence
from sacred_tui.data.slurm import SlurmOptions, read_record
from sacred_tui.data.slurm_monitor import SlurmMonitor
from sacred_tui.data.store import RunStore
from sacred_tui.data.sweep_control import cancel_runs
from sacred_tui.data.sweep_spec import sweep_of
from sacred_tui.data.sweep_submit import SweepRejected, SweepTarget, queue_sweep

TINY = Path(__file__).parent.parent / "data" / "launch" / "tiny_exp.py"
FINAL = {"COMPLETED", "FAILED", "INTERRUPTED"}


@pytest.fixture
def script(tmp_path: Path) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(TINY, folder / "tiny_exp.py"))


def read(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def printed(run_dir: Path, text: str) -> bool:
    """Whether the run printed ``text`` (then it is inside main, past recording its start)."""
    cout = run_dir / "cout.txt"
    return cout.is_file() and text in cout.read_text(errors="replace")


def follow(run_dirs: list[Path], until: set[str], timeout: float = 60.0) -> SlurmMonitor:
    """Poll like the app does until every run's status is in ``until`` and SLURM's last word is recorded."""
    monitor = SlurmMonitor()
    deadline = time.monotonic() + timeout
    while True:
        report = monitor.poll(run_dirs)
        assert report.error is None
        statuses = [read(run_dir)["status"] for run_dir in run_dirs]
        if set(statuses) <= until and not report.unfinished:
            return monitor
        assert time.monotonic() < deadline, statuses
        time.sleep(0.3)


def slurm_sweep(script: Path, runs: Path, options: SlurmOptions, *axes: str, alternatives: str | None = None,
                seeds: int | list[int] = 0, updates: tuple[str, ...] = ()):
    spec = LaunchSpec.create(script, updates=updates, python=sys.executable)
    return queue_sweep(sweep_of(spec, axes, alternatives, seeds), runs, SweepTarget("slurm", options))


def test_a_2x2x2_sweep_runs_as_8_jobs_that_complete(slurm_cluster: SlurmCluster, script: Path,
                                                    tmp_path: Path) -> None:
    queued = slurm_sweep(script, tmp_path / "runs", SlurmOptions(time="5"), "steps=1,2", alternatives="fast,",
                         seeds=[3, 4], updates=("msg='$(echo no) \"x\" y'",))
    run_dirs = [run.run_dir for run in queued.runs]
    records = [read_record(run_dir) for run_dir in run_dirs]
    assert len({record.job_id for record in records}) == 8
    follow(run_dirs, FINAL)
    for run_dir, record, point in zip(run_dirs, records, queued.spec.points()):
        assert read(run_dir)["status"] == "COMPLETED"
        config = json.loads((run_dir / "config.json").read_text())
        assert (config["seed"], config["msg"]) == (point.seed, '$(echo no) "x" y')
        output = (run_dir / f"slurm-{record.job_id}.out").read_text()
        assert f'Started run with ID "{run_dir.name}"' in output
        assert read_record(run_dir).state == "COMPLETED"


def test_an_unknown_partition_is_refused_before_anything_is_queued(slurm_cluster: SlurmCluster, script: Path,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(SweepRejected) as refused:
        slurm_sweep(script, tmp_path / "runs", SlurmOptions(partition="no-such-partition"), "steps=1,2")
    assert "invalid partition specified: no-such-partition" in refused.value.problems[0]
    assert not (tmp_path / "runs").exists()


def test_cancelled_while_pending_and_while_running(slurm_cluster: SlurmCluster, script: Path,
                                                   tmp_path: Path) -> None:
    # 10 minutes is over the partition's limit: the job waits with SLURM's reason and never starts.
    pending = slurm_sweep(script, tmp_path / "runs", SlurmOptions(partition="short", time="10:00"),
                          "steps=1").runs[0]
    running = slurm_sweep(script, tmp_path / "runs", SlurmOptions(time="5"), "steps=100000").runs[0]
    monitor = SlurmMonitor()
    deadline = time.monotonic() + 30
    while (read_record(pending.run_dir).reason != "PartitionTimeLimit"
           or not printed(running.run_dir, "step 0")):
        assert time.monotonic() < deadline, (read_record(pending.run_dir), read(running.run_dir)["status"])
        monitor.poll([pending.run_dir, running.run_dir])
        time.sleep(0.3)
    assert read_record(pending.run_dir).state == "PENDING"
    result = cancel_runs([pending.run_dir, running.run_dir], stop_running=True)
    assert (result.cancelled, result.stopped, result.error) == ([pending.run_id], [running.run_id], None)
    follow([pending.run_dir, running.run_dir], FINAL)
    pending_record, running_record = read(pending.run_dir), read(running.run_dir)
    assert pending_record["status"] == "INTERRUPTED" and "start_time" not in pending_record
    assert running_record["status"] == "INTERRUPTED" and "start_time" in running_record
    for run in (pending, running):
        wait_for_state(slurm_cluster, read_record(run.run_dir).job_id, {"CANCELLED"})
    follow([pending.run_dir, running.run_dir], FINAL)
    assert monitor.poll([pending.run_dir, running.run_dir]).error is None
    assert {read_record(run.run_dir).state for run in (pending, running)} == {"CANCELLED"}
    rows = {row.run_id: row for row in RunStore(tmp_path / "runs").load_all()}  # what the table shows
    assert (rows[pending.run_id].display_status, rows[running.run_id].display_status) == ("CANCELLED", "INTERRUPTED")


def test_a_job_that_fails_before_python_starts_ends_its_run_with_slurms_words(
        slurm_cluster: SlurmCluster, script: Path, tmp_path: Path) -> None:
    queued = slurm_sweep(script, tmp_path / "runs", SlurmOptions(time="5", extra=("--hold",)), "steps=1")
    [run] = queued.runs
    shutil.rmtree(script.parent)  # the job cannot even change into the script's folder
    job_id = read_record(run.run_dir).job_id
    subprocess.run(["scontrol", "release", job_id], env=slurm_cluster.env(), check=True)
    follow([run.run_dir], FINAL)
    record = read(run.run_dir)
    assert record["status"] == "FAILED" and "start_time" not in record
    trace = "".join(record["fail_trace"])
    assert f"SLURM job {job_id} ended FAILED before the run started." in trace
    assert f"slurm-{job_id}.out" in trace and "No such file or directory" in trace
    assert read_record(run.run_dir).state == "FAILED"
    row = RunStore(tmp_path / "runs").load_all()[0]  # what the table shows
    assert row.display_status == "FAILED"
    assert queue_sentence(row.status, row.start, row.queue) == (
        f"SLURM job {job_id} ended FAILED before the run started; see {run.run_dir / f'slurm-{job_id}.out'}")


def test_a_job_slurm_forgot_ends_its_run_only_when_it_is_this_clusters(slurm_cluster: SlurmCluster, script: Path,
                                                                       tmp_path: Path) -> None:
    from dataclasses import replace

    from sacred_tui.data.slurm import cluster_name, write_record

    queued = slurm_sweep(script, tmp_path / "runs", SlurmOptions(time="5", extra=("--hold",)), "steps=1,2")
    mine, other = queued.runs
    subprocess.run(["scancel", read_record(mine.run_dir).job_id, read_record(other.run_dir).job_id],
                   env=slurm_cluster.env(), check=True)
    an_hour_ago = "2000-01-01T00:00:00"  # long past MinJobAge: SLURM no longer lists such a job
    write_record(mine.run_dir, replace(read_record(mine.run_dir), job_id="99999990", submitted=an_hour_ago))
    write_record(other.run_dir, replace(read_record(other.run_dir), job_id="99999991", submitted=an_hour_ago,
                                        cluster=f"not-{cluster_name()}"))
    report = SlurmMonitor().poll([mine.run_dir, other.run_dir])
    assert report.error is None and report.changed == [mine.run_dir]
    record = read(mine.run_dir)
    assert record["status"] == "FAILED" and read_record(mine.run_dir).gone
    assert "SLURM job 99999990 is no longer listed by SLURM" in record["fail_trace"][0]
    assert read(other.run_dir)["status"] == "QUEUED" and not read_record(other.run_dir).gone


def test_a_running_run_whose_job_ended_is_dead_with_slurms_state(slurm_cluster: SlurmCluster, script: Path,
                                                                 tmp_path: Path) -> None:
    import os
    import signal

    from sacred_tui.data.liveness import DEAD, status_words
    from sacred_tui.data.processes import read_process_info

    [run] = slurm_sweep(script, tmp_path / "runs", SlurmOptions(time="5"), "steps=100000").runs
    deadline = time.monotonic() + 30
    while not printed(run.run_dir, "step 0"):
        assert time.monotonic() < deadline, read(run.run_dir)["status"]
        time.sleep(0.1)
    os.kill(read_process_info(run.run_dir).pid, signal.SIGKILL)  # as the OOM killer would: no record of the end
    job_id = read_record(run.run_dir).job_id
    wait_for_state(slurm_cluster, job_id, {"FAILED", "CANCELLED", "COMPLETED"})
    follow([run.run_dir], {"RUNNING"})
    assert read(run.run_dir)["status"] == "RUNNING"  # the run's own record is left as the run wrote it
    state = read_record(run.run_dir).state
    [row] = RunStore(tmp_path / "runs").load_all()  # what the table shows
    assert row.liveness.state == DEAD
    assert row.liveness.reason == f"SLURM job {job_id} ended {state}"
    assert status_words(row.status, row.liveness) == f"DEAD? job {state.lower()}"


def test_a_run_cancelled_while_its_sweep_is_submitted_gets_no_job(slurm_cluster: SlurmCluster, script: Path,
                                                                  tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    cancelled: list = []

    def progress(what: str, done: int, total: int) -> None:
        if what == "submitted" and done == 1:  # the user cancels the last run while the first is submitted
            cancelled.append(cancel_runs([runs / "3"]))

    spec = LaunchSpec.create(script, python=sys.executable)
    queued = queue_sweep(sweep_of(spec, ["steps=1,2,3"]), runs, SweepTarget("slurm", SlurmOptions(time="5",
                         extra=("--hold",))), progress=progress)
    assert cancelled[0].cancelled == ["3"]
    assert [read_record(run.run_dir) is None for run in queued.runs] == [False, False, True]
    assert read(runs / "3")["status"] == "INTERRUPTED"
    cancel_runs([run.run_dir for run in queued.runs[:2]])
    assert [read(run.run_dir)["status"] for run in queued.runs] == ["INTERRUPTED"] * 3
