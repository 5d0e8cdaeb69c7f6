"""demo/make_runs.py: a folder with every status, made once (idempotent), never mixed into foreign runs."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from demo_support import DEMO_DIR


def read_run(folder: Path, run_id: str) -> dict:
    return json.loads((folder / run_id / "run.json").read_text(encoding="utf-8"))


def run_dirs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.isdigit()}


def manifest(folder: Path) -> dict:
    return json.loads((folder / ".sacred-tui-demo").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, make_runs: ModuleType) -> tuple[Path, list[str]]:
    """One full demo folder (no live run), shared by the tests that only read it."""
    messages: list[str] = []
    target = make_runs.make_demo_runs(tmp_path_factory.mktemp("made") / "demo_runs", live=False,
                                      progress=messages.append)
    return target, messages


def wait_for_status(folder: Path, run_id: str, status: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = read_run(folder, run_id)
        if run["status"] == status or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_make_demo_runs_gives_every_status(filled: tuple[Path, list[str]], make_runs: ModuleType) -> None:
    target, messages = filled
    runs = manifest(target)["runs"]
    assert {key: read_run(target, run_id)["status"] for key, run_id in runs.items()} == {
        run.key: run.expect for run in make_runs.DEMO_RUNS}
    statuses = Counter(read_run(target, run_id)["status"] for run_id in run_dirs(target))
    assert statuses == {"COMPLETED": 15, "FAILED": 1, "INTERRUPTED": 1, "TIMEOUT": 1, "QUEUED": 1, "RUNNING": 1}
    total = len(make_runs.DEMO_RUNS)
    assert f"creating run 1/{total}: train with steps=500 delay=0.02 (ends INTERRUPTED)..." in messages
    assert f"creating run 5/{total}: train with big steps=120 delay=0..." in messages
    assert messages[-1] == f"done: {total} demo runs in {target}. Open them with: sacred-tui {target}"


def test_demo_runs_vary_and_look_as_their_status_says(filled: tuple[Path, list[str]]) -> None:
    target, _ = filled
    runs = {key: read_run(target, run_id) for key, run_id in manifest(target)["runs"].items()}
    named = {name for run in runs.values() for name in run["meta"].get("named_configs", [])}
    assert {"big", "hard", "quick", "french", "dataset.first_half"} <= named
    assert len({run["meta"].get("comment") for run in runs.values()}) >= 8
    for group in ("train-seed-", "train-big-seed-"):  # three seeds of one config each, for the seed groups
        ids = [run_id for key, run_id in manifest(target)["runs"].items() if key.startswith(group)]
        configs = [json.loads((target / run_id / "config.json").read_text()) for run_id in ids]
        assert sorted(config.pop("seed") for config in configs) == [1, 2, 3]
        assert len(ids) == 3 and all(config == configs[0] for config in configs)
    assert {run["experiment"]["name"] for run in runs.values()} == {"train", "hello_config", "fit_line",
                                                                    "artifacts_demo"}
    killed = runs["train-killed"]
    assert killed["status"] == "RUNNING" and killed["heartbeat"] and "stop_time" not in killed
    assert (target / manifest(target)["runs"]["train-killed"] / "metrics.json").is_file()
    interrupted = runs["train-interrupted"]
    assert interrupted["stop_time"] and "Aborted after" in (
        target / manifest(target)["runs"]["train-interrupted"] / "cout.txt").read_text()
    assert runs["train-diverged"]["fail_trace"][-1].startswith("FloatingPointError: loss became nan")
    queued_dir = target / manifest(target)["runs"]["train-queued"]
    assert {"run.json", "config.json"} <= {p.name for p in queued_dir.iterdir()}
    assert not (queued_dir / "cout.txt").exists()
    assert runs["artifacts"]["artifacts"] == ["report.txt", "curve.csv", "loss_curve.png"]
    assert runs["dataset-stats"]["command"] == "stats"


def test_second_call_creates_no_duplicates(filled: tuple[Path, list[str]], make_runs: ModuleType) -> None:
    target, _ = filled
    before = run_dirs(target)
    messages: list[str] = []
    make_runs.make_demo_runs(target, live=False, progress=messages.append)
    assert run_dirs(target) == before
    total = len(make_runs.DEMO_RUNS)
    assert messages[0] == f"{target}: {total} demo run(s) already there, 0 to create"
    assert not any(m.startswith("creating run") for m in messages)


def test_a_deleted_demo_run_is_made_again(tmp_path: Path, make_runs: ModuleType) -> None:
    runs = (make_runs.DemoRun("hello", "hello_config.py", ("repeat=1",)),)
    make_runs.make_demo_runs(tmp_path / "runs", live=False, progress=lambda m: None, runs=runs)
    assert manifest(tmp_path / "runs")["runs"] == {"hello": "1"}
    make_runs.make_demo_runs(tmp_path / "runs", live=False, progress=lambda m: None, runs=runs)
    assert run_dirs(tmp_path / "runs") == {"1"}
    (tmp_path / "runs" / "1" / "run.json").unlink()
    make_runs.make_demo_runs(tmp_path / "runs", live=False, progress=lambda m: None, runs=runs)
    assert manifest(tmp_path / "runs")["runs"] == {"hello": "2"}


def test_every_call_starts_a_fresh_live_run(tmp_path: Path, make_runs: ModuleType,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(make_runs, "LIVE_ARGS", ("steps=6", "delay=0.1"))
    target = tmp_path / "demo_runs"
    messages: list[str] = []
    for _ in range(2):
        make_runs.make_demo_runs(target, live=True, progress=messages.append, runs=())
    live = manifest(target)["live_runs"]
    assert sorted(live) == ["1", "2"]
    assert any(m.startswith("live run 1: train with steps=6 delay=0.1 (pid ") for m in messages)
    for run_id in live:
        assert read_run(target, run_id)["meta"]["comment"].startswith("live run started ")
        assert wait_for_status(target, run_id, "COMPLETED")["status"] == "COMPLETED"


def test_a_live_run_that_cannot_start_is_reported(tmp_path: Path, make_runs: ModuleType,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(make_runs, "LIVE_ARGS", ("no_such_config",))
    with pytest.raises(make_runs.DemoRunsError, match=r"exited at once with code 1; run it by hand"):
        make_runs.make_demo_runs(tmp_path / "runs", live=True, progress=lambda m: None, runs=())
    assert manifest(tmp_path / "runs")["live_runs"] == []


def test_refuses_a_folder_with_foreign_runs(tmp_path: Path, make_runs: ModuleType) -> None:
    (tmp_path / "my_runs" / "1").mkdir(parents=True)
    (tmp_path / "my_runs" / "1" / "run.json").write_text("{}")
    with pytest.raises(make_runs.DemoRunsError, match=r"already holds files but no \.sacred-tui-demo marker"):
        make_runs.make_demo_runs(tmp_path / "my_runs", live=False, progress=lambda m: None)
    assert {p.name for p in (tmp_path / "my_runs").iterdir()} == {"1"}  # untouched


def test_refuses_a_file_and_an_unreadable_marker(tmp_path: Path, make_runs: ModuleType) -> None:
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(make_runs.DemoRunsError, match=r"a_file is a file; demo runs need a folder"):
        make_runs.make_demo_runs(tmp_path / "a_file", live=False, progress=lambda m: None)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / ".sacred-tui-demo").write_text("[1, 2]")
    with pytest.raises(make_runs.DemoRunsError, match=r"is not a manifest written by demo/make_runs\.py"):
        make_runs.make_demo_runs(tmp_path / "broken", live=False, progress=lambda m: None)


def test_an_empty_folder_is_accepted_and_marked(tmp_path: Path, make_runs: ModuleType) -> None:
    (tmp_path / "empty").mkdir()
    returned = make_runs.make_demo_runs(tmp_path / "empty", live=False, progress=lambda m: None, runs=())
    assert returned == (tmp_path / "empty").resolve()
    assert manifest(returned) == {"format": 1, "live_runs": [], "made_by": "demo/make_runs.py", "runs": {}}


def test_command_line_reports_a_refusal(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    result = subprocess.run([sys.executable, str(DEMO_DIR / "make_runs.py"), "other", "--no-live"],
                            check=False, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith(f"make_runs: {tmp_path / 'other'} already holds files")
    assert not (tmp_path / "other" / ".sacred-tui-demo").exists()
