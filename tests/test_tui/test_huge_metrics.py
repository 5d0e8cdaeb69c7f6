"""Huge metrics files are summarised in a child process, to the same rows, and the UI stays free."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from core.runs import MetricsFollower
from sacred_tui.data import metric_summaries
from sacred_tui.data.child_worker import ChildGone, ChildWorker
from sacred_tui.data.store import RunStore
from tests.test_tui.tui_runs_factory import ago, write_run


def _not_importable_there() -> None:
    """Defined in a test module, which the child process cannot import."""


def test_a_child_worker_runs_jobs_reports_errors_and_retires() -> None:
    worker = ChildWorker(jobs_per_child=2)
    try:
        assert worker.run(os.getpid) != os.getpid()
        assert worker.alive
        with pytest.raises(RuntimeError, match="FileNotFoundError"):
            worker.run(os.stat, "/nonexistent/file")
        assert not worker.alive  # two jobs: retired, its memory given back
        assert worker.run(os.getpid) != os.getpid()
        with pytest.raises(RuntimeError, match="cannot load the job"):
            worker.run(_not_importable_there)
        assert worker.run(time.sleep, 0.0) is None  # a new child took over
    finally:
        worker.close()


def test_closing_a_worker_abandons_a_running_job_at_once() -> None:
    worker = ChildWorker()
    outcome: list[object] = []

    def wait_for_job() -> None:
        try:
            outcome.append(worker.run(time.sleep, 60.0))
        except ChildGone as exc:
            outcome.append(exc)

    thread = threading.Thread(target=wait_for_job)
    thread.start()
    deadline = time.monotonic() + 30
    while not worker.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    worker.close()
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - began < 5
    assert isinstance(outcome[0], ChildGone)
    with pytest.raises(ChildGone):
        worker.run(os.getpid)


def test_a_child_killed_during_its_job_is_reported_and_replaced(tmp_path: Path) -> None:
    worker = ChildWorker()
    started = tmp_path / "started"
    outcome: list[object] = []

    def job() -> None:
        try:
            outcome.append(worker.run(os.system, f"touch {started}; sleep 30"))
        except ChildGone as exc:
            outcome.append(exc)

    try:
        thread = threading.Thread(target=job)
        thread.start()
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        pid = worker.pid
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)  # the child and its shell: killed in the middle of the job
        thread.join(timeout=10)
        assert not thread.is_alive() and isinstance(outcome[0], ChildGone)
        assert worker.run(os.getpid) not in (pid, os.getpid())  # a new child took over
    finally:
        worker.close()


def _huge_runs(root: Path) -> None:
    values = [1.0 / (1 + step) for step in range(3000)]
    write_run(root, "1", metrics={"loss": values, "acc": [0.5, 0.75, None]})  # Sacred's metrics.json only
    running = write_run(root, "2", status="RUNNING", stopped=None, heartbeat=ago(1), metrics={"loss": values[:10]})
    with open(running / "metrics.jsonl", "w") as handle:  # what core appends while it runs
        for step, value in enumerate(values):
            handle.write(json.dumps({"name": "loss", "step": step, "timestamp": "2026-01-01T10:00:00",
                                     "value": value}) + "\n")
        handle.write("{torn line\n")
        handle.write(json.dumps({"name": "lr", "value": 7}) + "\n")
    write_run(root, "3", metrics={"small": [1.0, 2.0]})


def _rows(root: Path) -> dict[str, object]:
    store = RunStore(root)
    try:
        now = time.time()
        return {row.run_id: (row.status, row.metrics, row.problems) for row in store.load_all(now=now)}
    finally:
        store.close()


def test_huge_metrics_give_the_same_rows_as_reading_them_here(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _huge_runs(tmp_path)
    here = _rows(tmp_path)
    jobs = []
    real_run = ChildWorker.run

    def counted(self: ChildWorker, function, *args):  # type: ignore[no-untyped-def]
        jobs.append(args[0])
        return real_run(self, function, *args)

    monkeypatch.setattr(metric_summaries, "HUGE_LIMIT", 2000)
    monkeypatch.setattr(metric_summaries, "QUICK_LIMIT", 2000)
    monkeypatch.setattr(ChildWorker, "run", counted)
    assert _rows(tmp_path) == here
    assert sorted(Path(job).name for job in jobs) == ["1", "2"]  # the small one is read here
    assert here["2"][1]["loss"].count == 3000 and here["2"][1]["lr"].last == 7.0
    assert any("1 unreadable line" in problem for problem in here["2"][2])


def test_a_huge_metrics_file_never_stalls_the_event_loop(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from sacred_tui.app import SacredTuiApp

    _huge_runs(tmp_path)
    monkeypatch.setattr(metric_summaries, "HUGE_LIMIT", 2000)
    monkeypatch.setattr(metric_summaries, "QUICK_LIMIT", 2000)
    polled_here: list[str] = []
    real_poll = MetricsFollower.poll

    def watched(self: MetricsFollower):  # type: ignore[no-untyped-def]
        polled_here.append(self.dir.name)  # the child process is not patched: only reads made here
        return real_poll(self)

    monkeypatch.setattr(MetricsFollower, "poll", watched)

    async def open_folder() -> dict[str, object]:
        app = SacredTuiApp(tmp_path)
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(1500):
                rows = app.store.rows()
                if len(rows) == 3 and app.watcher is not None and all(row.metrics for row in rows):
                    break
                await pilot.pause(0.02)
            return {row.run_id: row.metrics for row in app.store.rows()}

    metrics = asyncio.run(open_folder())
    assert metrics["1"]["loss"].count == 3000 and metrics["2"]["loss"].last == 1.0 / 3000
    assert polled_here == []  # the huge files were parsed by the child process only
