"""Tests of RunDetailSource: first load, incremental polls, huge outputs, broken files."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sacred_tui.data.config_diff import ChangeKind
from sacred_tui.data import run_detail_data
from sacred_tui.data.run_detail_data import RunDetailSource, folder_path_of

from detail_support import REFERENCE, make_run, write_huge_cout


def test_reference_run_first_poll_has_everything_but_the_diff_the_second_the_diff_then_nothing() -> None:
    """Finding the baseline run for the diff reads other runs: it waits for the second poll, which
    the first one asks for, so the overview shows first."""
    source = RunDetailSource(REFERENCE, "1")
    update = source.poll()
    assert update.config_diff is None and update.diff_pending
    first, update = update, source.poll()
    assert not update.diff_pending and update.record is None and update.config is None
    diff = update.config_diff
    assert diff is not None and diff.basis.startswith("compared with run 7")
    assert diff.kind("lr") is ChangeKind.MODIFIED and diff.kind("opts.momentum") is ChangeKind.MODIFIED
    assert diff.kind("epochs") is ChangeKind.UNCHANGED
    assert source.poll().empty
    update = first
    assert update.record is not None and update.record.status == "COMPLETED"
    assert update.config is not None and update.config["lr"] == 0.02
    assert update.info == json.loads((REFERENCE / "1" / "info.json").read_text())
    assert sorted(update.metrics) == ["acc", "loss", "train.lr"]
    assert update.metrics["acc"].steps == [0, 10, 20]
    files = update.files or []
    assert [(f.name, f.role, f.size) for f in files] == [
        ("out_model.txt", "artifact", 8), ("model_copy.txt", "artifact", 8),
        ("/home/researcher/refexp/data/input.txt", "resource", 18)]
    assert [s.relpath for s in update.sources or []] == ["helper_module.py", "ref_experiment.py"]
    assert update.stdout is not None and update.stdout.reset and update.stdout.start_offset == 0
    assert "progress 0%\rprogress 50%" in update.stdout.text
    assert update.problems == []


def test_a_run_without_updates_has_its_diff_at_once() -> None:
    """No config updates and no named configs: no baseline to look for, the diff comes first."""
    record = json.loads((REFERENCE / "7" / "run.json").read_text())
    assert not record["meta"]["config_updates"] and not record["meta"]["named_configs"]
    update = RunDetailSource(REFERENCE, "7").poll()
    assert update.config_diff is not None and not update.diff_pending


def test_folder_path_of_accepts_paths_folders_and_stores() -> None:
    class Store:
        folder = type("Folder", (), {"path": REFERENCE})()

    assert folder_path_of(str(REFERENCE)) == REFERENCE
    assert folder_path_of(Store()) == REFERENCE
    with pytest.raises(TypeError, match="Expected a runs folder path, a RunsFolder or a run store, got 3"):
        folder_path_of(3)


def test_live_run_polls_return_only_new_output_and_points(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, cout="epoch 1\n")
    source = RunDetailSource(tmp_path, "1")
    first = source.poll()
    assert first.stdout is not None and first.stdout.text == "epoch 1\n"
    assert first.metrics == {}
    with open(run_dir / "cout.txt", "a") as handle:
        handle.write("epoch 2\n[##   ]\r")
    with open(run_dir / "metrics.jsonl", "a") as handle:
        for step in range(3):
            handle.write(json.dumps({"name": "loss", "step": step, "timestamp": "2026-11-28T01:00:0%d" % step,
                                     "value": 1.0 / (step + 1)}) + "\n")
    second = source.poll()
    assert second.stdout is not None and second.stdout.text == "epoch 2\n[##   ]\r" and not second.stdout.reset
    assert second.metrics["loss"].values == [1.0, 0.5, pytest.approx(1 / 3)]
    assert second.record is None and second.config is None
    record = json.loads((run_dir / "run.json").read_text())
    record["status"] = "COMPLETED"
    time.sleep(0.01)
    (run_dir / "run.json").write_text(json.dumps(record, indent=1))
    third = source.poll()
    assert third.record is not None and third.record.status == "COMPLETED"
    assert third.stdout is None and third.metrics == {}


def test_truncated_cout_resets_the_view(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, cout="old line\n" * 10)
    source = RunDetailSource(tmp_path, "1")
    source.poll()
    (run_dir / "cout.txt").write_text("new\n")
    update = source.poll()
    assert update.stdout is not None and update.stdout.reset and update.stdout.text == "new\n"


def test_huge_cout_opens_at_the_tail_and_loads_earlier_chunks(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    size = 200 * 1024 * 1024
    write_huge_cout(run_dir / "cout.txt", size)
    source = RunDetailSource(tmp_path, "1")
    started = time.thread_time()  # CPU of this thread: reading all 200 MB would cost far more
    update = source.poll()
    assert time.thread_time() - started < 0.5
    chunk = update.stdout
    assert chunk is not None and chunk.total_size == size
    assert size - 1024 * 1024 <= chunk.start_offset < size - 1024 * 1024 + 30
    assert chunk.text.startswith("line ") and chunk.text.endswith(" of the output\n")
    assert len(chunk.text) <= 1024 * 1024
    earlier = source.load_earlier_stdout()
    assert earlier is not None and earlier.startswith("line ") and earlier.endswith("\n")
    first_shown = int(chunk.text[5:13])
    assert int(earlier.splitlines()[-1][5:13]) == first_shown - 1
    assert source.stdout_start < chunk.start_offset


def test_load_earlier_reaches_the_beginning(tmp_path: Path) -> None:
    make_run(tmp_path, cout="".join(f"{i}\n" for i in range(1000)))
    source = RunDetailSource(tmp_path, "1", tail_bytes=1000)
    shown = source.poll().stdout
    assert shown is not None and shown.start_offset > 0
    texts = [shown.text]
    while (earlier := source.load_earlier_stdout()) is not None:
        texts.insert(0, earlier)
    assert "".join(texts) == "".join(f"{i}\n" for i in range(1000))
    assert source.stdout_start == 0


def test_corrupt_and_missing_files_become_problems(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    (run_dir / "config.json").write_text("{not json")
    (run_dir / "metrics.json").write_text('{"loss": {"steps": [0], "values": [1.0], "timestamps": ["x"]}, "bad": 3}')
    source = RunDetailSource(tmp_path, "1")
    update = source.poll()
    assert update.config == {}
    assert update.problems is not None
    assert any("config.json" in problem for problem in update.problems)
    assert update.metrics["loss"].values == [1.0]
    missing = RunDetailSource(tmp_path, "42").poll()
    assert missing.record is not None and missing.record.status is None
    assert missing.problems and "no run.json" in missing.problems[0]
    assert missing.stdout is not None and missing.stdout.text == ""


def test_the_fallback_diff_waits_for_a_poll_searching_for_the_baseline_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The script cannot tell its defaults (it is gone), so the diff falls back to the baseline run.
    A poll that starts searching for that run while the script is being asked must be waited for:
    a diff made without the baseline showed a type change as a plain modification, for good."""
    for run_id, updates, config in (("1", {}, {"a": 1, "seed": 3}), ("2", {"a": "1"}, {"a": "1", "seed": 4})):
        run_dir = tmp_path / run_id
        run_dir.mkdir()
        record = {"status": "COMPLETED", "experiment": {"mainfile": "gone.py", "base_dir": str(tmp_path / "no"),
                                                        "sources": []},
                  "meta": {"command": "main", "named_configs": [], "config_updates": updates}}
        (run_dir / "run.json").write_text(json.dumps(record))
        (run_dir / "config.json").write_text(json.dumps(config))
    searching = threading.Event()

    class SlowSearch(RunDetailSource):
        def _find_baseline(self, record: Any) -> Any:
            searching.set()
            time.sleep(0.3)
            return super()._find_baseline(record)

    source = SlowSearch(tmp_path, "2")
    assert source.poll().diff_pending  # the next poll searches for the baseline run
    polling = threading.Thread(target=source.poll)
    ask_script = run_detail_data.script_defaults

    def asked_while_a_poll_searches(*args: Any, **kwargs: Any) -> Any:
        polling.start()
        assert searching.wait(5)
        return ask_script(*args, **kwargs)

    monkeypatch.setattr(run_detail_data, "script_defaults", asked_while_a_poll_searches)
    diff = source.defaults_diff(timeout=10)
    polling.join()
    assert "the script" in diff.basis and "is gone" in diff.basis, diff.basis
    assert diff.kind("a") == ChangeKind.TYPECHANGED, diff
    assert "compared with run 1" in diff.basis, diff.basis
