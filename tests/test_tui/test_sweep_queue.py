"""Sweeps on the local queue, with real script processes: queueing, the concurrency limit, cancelling."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.observers.queued_claim import read_claim
from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.launcher import Launcher
from sacred_tui.data.queued_runs import QueueTicket, read_ticket, write_ticket
from sacred_tui.data.run_queue import DONE, LocalQueue
from sacred_tui.data.sweep_control import abandoned_runs
from sacred_tui.data.sweep_spec import sweep_of
from sacred_tui.data.sweep_submit import SWEEPS_DIR, SweepRejected, SweepTarget, queue_sweep

TINY = Path(__file__).parent.parent / "data" / "launch" / "tiny_exp.py"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(TINY, folder / "tiny_exp.py"))


def base(script: Path, *updates: str) -> LaunchSpec:
    return LaunchSpec.create(script, updates=updates, python=sys.executable)


def read(run_dir: Path, name: str = "run.json") -> dict:
    return json.loads((run_dir / name).read_text())


def drive(queue: LocalQueue, timeout: float = 30.0) -> int:
    """Poll until the queue is idle; return the most runs seen running at once."""
    most = 0
    deadline = time.monotonic() + timeout
    while queue.busy:
        assert time.monotonic() < deadline, [(r.run_id, r.state) for r in queue.runs()]
        queue.poll()
        most = max(most, len(queue.running()))
        time.sleep(0.05)
    return most


def test_queued_runs_are_what_dash_q_writes(script: Path, tmp_path: Path) -> None:
    sweep = sweep_of(base(script, "msg='hi there'"), ["steps=2,3"], "fast", [7])
    queued = queue_sweep(sweep, tmp_path / "runs", SweepTarget())
    run, second = queued.runs
    for steps, queued_run in (("2", run), ("3", second)):
        done = subprocess.run([sys.executable, "tiny_exp.py", "with", "fast", "msg='hi there'", f"steps={steps}",
                               "seed=7", "-q", "-F", str(tmp_path / "plain" / steps)], cwd=script.parent,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        ours, theirs = read(queued_run.run_dir), read(tmp_path / "plain" / steps / "1")
        for record in (ours, theirs):
            del record["meta"]["queue_time"], record["meta"]["options"]["--file_storage"]
        assert ours == theirs and ours["status"] == "QUEUED"
        assert read(queued_run.run_dir, "config.json") == read(tmp_path / "plain" / steps / "1", "config.json")
    ticket = read_ticket(run.run_dir)
    assert ticket is not None and ticket.start_argv("1") == [*LaunchSpec.create(
        script, None, ["fast"], ["msg='hi there'", "steps=2", "seed=7"], python=sys.executable).argv(
        tmp_path / "runs"), "--id=1"]
    record = json.loads((tmp_path / "runs" / SWEEPS_DIR / f"{queued.sweep_id}.json").read_text())
    assert record["run_ids"] == ["1", "2"] and record["sweep"]["seeds"] == [7]


def test_a_bad_run_stops_the_whole_sweep_before_anything_is_written(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(SweepRejected) as rejected:
        queue_sweep(sweep_of(base(script), ["steps=1,2"], "fast,nosuch"), runs, SweepTarget())
    assert not rejected.value.needs_force
    assert any("nosuch" in problem and "2 of 4 runs" in problem for problem in rejected.value.problems)
    with pytest.raises(SweepRejected) as typed:
        queue_sweep(sweep_of(base(script), ["steps=1,'two'"]), runs, SweepTarget())
    assert typed.value.needs_force
    assert typed.value.problems == ["steps changes type from int to str (run 2 of 2: with steps='two')"]
    assert not runs.exists() or [p.name for p in runs.iterdir()] == []
    forced = queue_sweep(sweep_of(base(script), ["steps=1,'two'"]), runs, SweepTarget(), force=True)
    assert [run.run_id for run in forced.runs] == ["1", "2"]


def test_a_2x2x2_sweep_runs_two_at_a_time_with_the_composed_seeds(script: Path, tmp_path: Path) -> None:
    sweep = sweep_of(base(script, "delay=0.15"), ["steps=2,3"], "fast,", [101, 202])
    queued = queue_sweep(sweep, tmp_path / "runs", SweepTarget())
    queue = LocalQueue(Launcher(tmp_path / "runs", log_dir=tmp_path / "logs"), limit=2)
    queue.add(queued.runs)
    assert drive(queue) == 2
    spans = []
    for run, point in zip(queued.runs, sweep.points()):
        record, config = read(run.run_dir), read(run.run_dir, "config.json")
        assert record["status"] == "COMPLETED", record.get("fail_trace")
        assert (config["seed"], config["steps"]) == (point.seed, int(point.spec.updates[-2].split("=")[1]))
        assert record["meta"]["named_configs"] == list(point.spec.named_configs)
        spans.append((record["start_time"], record["stop_time"]))
    overlapping = max(sum(1 for start, stop in spans if start <= moment < stop) for moment, _ in spans)
    assert overlapping <= 2


def test_cancel_one_waiting_run_then_the_rest_of_the_sweep(script: Path, tmp_path: Path) -> None:
    sweep = sweep_of(base(script), ["steps=100000,100001,100002,100003"], None, [5])
    queued = queue_sweep(sweep, tmp_path / "runs", SweepTarget())
    queue = LocalQueue(Launcher(tmp_path / "runs", log_dir=tmp_path / "logs"), limit=1)
    queue.add(queued.runs)
    queue.poll()
    first, second, third, fourth = queued.runs
    assert queue.cancel("3") and not queue.cancel("3")
    assert [run.run_id for run in queue.cancel_waiting(queued.sweep_id)] == ["2", "4"]
    for run in (second, third, fourth):
        record = read(run.run_dir)
        assert record["status"] == "INTERRUPTED" and "start_time" not in record and "stop_time" in record
        assert read_claim(run.run_dir)["action"] == "cancel"
    deadline = time.monotonic() + 15
    while not (first.run_dir / "cout.txt").is_file() or "step 0" not in (first.run_dir / "cout.txt").read_text():
        # inside main: stopping a run while it is still recording its start is another matter
        assert time.monotonic() < deadline
        time.sleep(0.05)
    queue.stop_running()
    drive(queue)
    assert read(first.run_dir)["status"] == "INTERRUPTED" and "start_time" in read(first.run_dir)
    started = subprocess.run(second.ticket.start_argv("2"), cwd=script.parent, capture_output=True, text=True)
    assert started.returncode == 1 and "(a queued run, taken to cancel it, by pid" in started.stderr


def test_a_process_that_dies_before_its_run_starts_ends_the_run_failed(script: Path, tmp_path: Path) -> None:
    queued = queue_sweep(sweep_of(base(script), ["steps=1"]), tmp_path / "runs", SweepTarget())
    script.write_text("raise ImportError('a module the script needs is gone')\n" + script.read_text())
    queue = LocalQueue(Launcher(tmp_path / "runs", log_dir=tmp_path / "logs"), limit=1)
    queue.add(queued.runs)
    drive(queue)
    [run] = queued.runs
    record = read(run.run_dir)
    assert record["status"] == "FAILED" and run.state == DONE
    trace = "".join(record["fail_trace"])
    assert "exited (exit 1) before the run started" in trace and "a module the script needs is gone" in trace


def test_runs_of_a_queue_that_stopped_are_found_and_resumed(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    queued = queue_sweep(sweep_of(base(script), ["steps=1,2"]), runs, SweepTarget())
    assert abandoned_runs(runs) == []  # this process holds them
    gone = subprocess.Popen(["true"])
    gone.wait()
    for run in queued.runs:
        ticket = read_ticket(run.run_dir)
        write_ticket(run.run_dir, QueueTicket(**{**ticket.__dict__, "owner_pid": gone.pid}))
    found = abandoned_runs(runs)
    assert [run_dir.name for run_dir, _ in found] == ["1", "2"]
    queue = LocalQueue(Launcher(runs, log_dir=tmp_path / "logs"), limit=2)
    for run_dir, ticket in found:
        queue.adopt(run_dir, ticket)
    assert abandoned_runs(runs) == []
    drive(queue)
    assert [read(run.run_dir)["status"] for run in queued.runs] == ["COMPLETED", "COMPLETED"]


def test_a_script_built_with_sacred_itself_is_refused_with_the_reason(tmp_path: Path) -> None:
    pytest.importorskip("sacred", reason="needs sacred==0.8.7 (installed by the dev extra)")
    script = tmp_path / "exp.py"
    script.write_text(TINY.read_text().replace("from core import", "from sacred import"))
    with pytest.raises(SweepRejected) as refused:
        queue_sweep(sweep_of(base(script), ["steps=1,2"]), tmp_path / "runs", SweepTarget())
    assert "builds its experiment with Sacred itself" in refused.value.problems[0]
    assert not (tmp_path / "runs").exists()
