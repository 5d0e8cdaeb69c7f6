"""RunStore: loading a folder, refreshing only what changed, tolerating broken runs."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from sacred_tui.data.store import RunStore
from tui_runs_factory import ago, copy_reference_runs, write_run


def test_store_loads_real_sacred_runs(tmp_path: Path) -> None:
    store = RunStore(copy_reference_runs(tmp_path / "runs"))
    rows = {row.run_id: row for row in store.load_all()}
    assert sorted(rows, key=lambda r: (not r.isdigit(), r.zfill(5))) == [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "myrun"]
    assert rows["1"].status == "COMPLETED"
    assert rows["1"].comment == "a comment"
    assert rows["1"].result_text == "arr=[1.5, 2.5] final_loss=0.25"
    assert rows["1"].config["lr"] == 0.02
    assert rows["1"].metrics["loss"].count == 3
    assert rows["2"].status == "FAILED"
    assert rows["5"].status == "MY_CUSTOM_STATUS"
    assert rows["6"].named_configs == ("big",)
    assert rows["myrun"].experiment == "renamed"
    assert all(not row.problems for row in rows.values())
    config_keys, metric_names = store.known_keys()
    assert "lr" in config_keys and "dataset.path" in config_keys
    assert metric_names == ["acc", "loss", "train.lr"]


def test_store_first_pass_reads_only_run_json(tmp_path: Path) -> None:
    write_run(tmp_path, "1", config={"lr": 0.1}, metrics={"loss": [1.0, 0.5]})
    store = RunStore(tmp_path)
    (row,) = store.load()
    assert row.status == "COMPLETED" and row.config == {} and row.metrics == {}
    batches = list(store.enrich())
    assert [[r.run_id for r in batch] for batch in batches] == [["1"]]
    assert store.get("1").config == {"lr": 0.1}  # type: ignore[union-attr]
    assert store.get("1").metrics["loss"].last == 0.5  # type: ignore[union-attr]


def test_store_refresh_reads_changed_runs_only(tmp_path: Path) -> None:
    for run_id in ("1", "2"):
        write_run(tmp_path, run_id, status="RUNNING", stopped=None, heartbeat=ago(1))
    store = RunStore(tmp_path)
    store.load_all()
    write_run(tmp_path, "2", status="FAILED", config={"lr": 0.5})
    update = store.refresh({"2": frozenset({"run.json", "config.json"})})
    assert [row.run_id for row in update.rows] == ["2"]
    assert store.get("2").status == "FAILED"  # type: ignore[union-attr]
    assert store.get("2").config == {"lr": 0.5}  # type: ignore[union-attr]
    assert store.get("1").status == "RUNNING"  # type: ignore[union-attr]
    assert update.files == {"2": frozenset({"run.json", "config.json"})}


def test_store_refresh_adds_and_removes_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    store = RunStore(tmp_path)
    store.load_all()
    write_run(tmp_path, "2", experiment="new")
    update = store.refresh({"2": frozenset()})
    assert store.get("2").experiment == "new"  # type: ignore[union-attr]
    assert [row.run_id for row in update.rows] == ["2"]
    update = store.refresh({}, removed=["1"])
    assert update.removed == ["1"] and store.get("1") is None
    # A run folder deleted on disk is dropped when its change is reported.
    for name in ("run.json", "config.json", "metrics.json", "cout.txt"):
        (tmp_path / "2" / name).unlink()
    (tmp_path / "2").rmdir()
    assert store.refresh({"2": frozenset()}).removed == ["2"]
    assert len(store) == 0


def test_store_marks_corrupt_and_foreign_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    (tmp_path / "1" / "run.json").write_text('{"status": "COMPL')
    (tmp_path / "2").mkdir()
    (tmp_path / "2" / "notes.txt").write_text("not a run")
    write_run(tmp_path, "3")
    (tmp_path / "3" / "metrics.json").write_bytes(b"\xff\xfe garbage")
    write_run(tmp_path, "4")
    (tmp_path / "4" / "run.json").write_text("[1, 2, 3]")
    store = RunStore(tmp_path)
    rows = {row.run_id: row for row in store.load_all()}
    assert rows["1"].status == "?" and "run.json" in rows["1"].problems[0]
    assert rows["2"].problems and "no run.json" in rows["2"].problems[0]
    assert rows["3"].status == "COMPLETED"
    assert any("metrics.json" in problem for problem in rows["3"].problems)
    assert "expected a JSON object" in rows["4"].problems[0]


def test_store_keeps_last_good_row_when_run_json_is_torn(tmp_path: Path) -> None:
    write_run(tmp_path, "1", status="RUNNING", stopped=None, heartbeat=ago(1), experiment="live")
    store = RunStore(tmp_path)
    store.load_all()
    store.refresh({"1": frozenset()})  # a live run is followed by a kept reader
    (tmp_path / "1" / "run.json").write_text('{"status": "RUNN')
    store.refresh({"1": frozenset({"run.json"})})
    row = store.get("1")
    assert row is not None and row.experiment == "live" and row.status == "RUNNING"
    assert row.problems and row.problems[0].startswith("run.json")


def test_store_follows_metrics_of_a_running_run(tmp_path: Path) -> None:
    folder = write_run(tmp_path, "1", status="RUNNING", stopped=None, heartbeat=ago(1))
    (folder / "metrics.json").unlink()
    lines = [json.dumps({"name": "loss", "step": i, "timestamp": ago(0), "value": 1.0 / (i + 1)})
             for i in range(3)]
    (folder / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    store = RunStore(tmp_path)
    store.load_all()
    assert store.get("1").metrics["loss"].count == 3  # type: ignore[union-attr]
    with open(folder / "metrics.jsonl", "a") as handle:
        handle.write(json.dumps({"name": "loss", "step": 3, "timestamp": ago(0), "value": 0.01}) + "\n")
    store.refresh({"1": frozenset({"metrics.jsonl"})})
    summary = store.get("1").metrics["loss"]  # type: ignore[union-attr]
    assert (summary.count, summary.last, summary.min, summary.max) == (4, 0.01, 0.01, 1.0)


def test_store_tick_marks_silent_running_runs_dead(tmp_path: Path) -> None:
    folder = write_run(tmp_path, "1", status="RUNNING", stopped=None, heartbeat=ago(30))
    store = RunStore(tmp_path)
    store.load_all()
    assert store.get("1").liveness.state == "alive"  # type: ignore[union-attr]
    assert store.tick() == []
    later = time.time() + 600
    (changed,) = store.tick(now=later)
    assert changed.liveness.dead and changed.display_status == "DEAD"
    assert "no heartbeat for" in changed.liveness.reason
    assert folder.exists()


def test_store_on_a_missing_folder_is_empty(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "not-yet")
    assert store.load_all() == []
    assert store.refresh({"1": frozenset()}).rows == []


def test_store_loads_the_newest_runs_first(tmp_path: Path) -> None:
    for run_id in ("1", "2", "10", "named"):
        write_run(tmp_path, run_id)
    store = RunStore(tmp_path)
    batches = [[row.run_id for row in batch] for batch in store.load_batches(first=2)]
    assert batches == [["named", "10"], ["2", "1"]]
    assert store.pending == 4
    batches = [[row.run_id for row in batch] for batch in store.load_batches(first=1, chunk=2)]
    assert batches == [["named"], ["10", "2"], ["1"]]
    assert [row.run_id for row in store.rows()] == ["1", "2", "10", "named"]
    assert [batch for batch in RunStore(tmp_path / "none").load_batches()] == [[]]


def test_store_uses_process_json_to_spot_a_killed_run(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    folder = write_run(tmp_path, "1", status="RUNNING", stopped=None, heartbeat=ago(1))
    (folder / "process.json").write_text(json.dumps({"pid": child.pid, "hostname": platform.node()}))
    # This test process started before run 2 did: it may be run 2's process.
    write_run(tmp_path, "2", status="RUNNING", started=ago(1), stopped=None, heartbeat=ago(1))
    (tmp_path / "2" / "process.json").write_text(json.dumps({"pid": os.getpid(),
                                                             "hostname": platform.node()}))
    store = RunStore(tmp_path)
    store.load_all()
    assert store.get("1").liveness.reason == f"process {child.pid} has exited"  # type: ignore[union-attr]
    assert store.get("1").display_status == "DEAD"  # type: ignore[union-attr]
    assert store.get("2").liveness.state == "alive"  # type: ignore[union-attr]


def test_store_never_takes_a_reused_pid_for_the_run(tmp_path: Path) -> None:
    """A pid that exists but started after the run, or with other start ticks, is another program."""
    from sacred_tui.data.processes import process_start_ticks

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ticks = process_start_ticks(sleeper.pid)
        assert ticks is not None
        older = write_run(tmp_path, "1", status="RUNNING", started=ago(3600), stopped=None, heartbeat=ago(1))
        (older / "process.json").write_text(json.dumps({"pid": sleeper.pid, "hostname": platform.node()}))
        other = write_run(tmp_path, "2", status="RUNNING", started=ago(5), stopped=None, heartbeat=ago(1))
        (other / "process.json").write_text(json.dumps({"pid": sleeper.pid, "hostname": platform.node(),
                                                        "started_ticks": ticks - 1}))
        same = write_run(tmp_path, "3", status="RUNNING", started=ago(3600), stopped=None, heartbeat=ago(1))
        (same / "process.json").write_text(json.dumps({"pid": sleeper.pid, "hostname": platform.node(),
                                                       "started_ticks": ticks}))
        store = RunStore(tmp_path)
        store.load_all()
        for run_id in ("1", "2"):
            row = store.get(run_id)
            assert row is not None and row.display_status == "DEAD", run_id
            assert f"process {sleeper.pid} has exited (its pid now belongs to" in row.liveness.reason
        # The start ticks match: the run is alive even though it claims to have started long ago.
        assert store.get("3").liveness.state == "alive"  # type: ignore[union-attr]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_data_layer_imports_no_textual_and_no_watchdog() -> None:
    code = ("import sys; import sacred_tui.data.store, sacred_tui.data.watcher, sacred_tui.data.query, "
            "sacred_tui.data.columns, sacred_tui.data.liveness; "
            "print(sorted(m for m in ('textual', 'watchdog', 'rich', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
