"""Listing a runs folder and detecting new, changed and removed runs by stat."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.runs import RunsFolder, RunStamp


def test_list_run_ids_order_and_filtering(tmp_path: Path) -> None:
    for name in ("10", "2", "1", "abc", "B", "_sources", "_resources", ".git", "007"):
        (tmp_path / name).mkdir()
    (tmp_path / "3").write_text("a file, not a run")
    assert RunsFolder(tmp_path).list_run_ids() == ["1", "2", "007", "10", "B", "abc"]


def test_missing_folder(tmp_path: Path) -> None:
    folder = RunsFolder(tmp_path / "nothing")
    assert not folder.exists()
    assert folder.list_run_ids() == []
    result = folder.scan()
    assert result.run_ids == [] and not result.has_changes


def test_run_objects_are_reused_and_ids_checked(tmp_path: Path) -> None:
    folder = RunsFolder(tmp_path)
    assert folder.run("1") is folder.run("1")
    for bad in ("", ".", "..", "a/b", "../x"):
        with pytest.raises(ValueError, match="A run id must be the name of a directory"):
            folder.run(bad)


def test_scan_reports_new_changed_and_removed(tmp_path: Path) -> None:
    for run_id in ("1", "2", "3"):
        (tmp_path / run_id).mkdir()
        (tmp_path / run_id / "run.json").write_text("{}")
        (tmp_path / run_id / "cout.txt").write_text("")
    folder = RunsFolder(tmp_path)
    first = folder.scan()
    assert first.new == ["1", "2", "3"] and first.changed == {} and first.removed == []

    unchanged = folder.scan(first.stamps)
    assert not unchanged.has_changes

    with open(tmp_path / "2" / "cout.txt", "a") as handle:
        handle.write("hello\n")
    (tmp_path / "3" / "metrics.jsonl").write_text("")
    (tmp_path / "3" / "model.pt").write_text("not tracked")
    (tmp_path / "4").mkdir()
    folder.run("1")
    for name in os.listdir(tmp_path / "1"):
        os.remove(tmp_path / "1" / name)
    os.rmdir(tmp_path / "1")
    second = folder.scan(first.stamps)
    assert second.new == ["4"]
    assert second.changed == {"2": frozenset({"cout.txt"}), "3": frozenset({"metrics.jsonl"})}
    assert second.removed == ["1"]
    assert second.run_ids == ["2", "3", "4"]
    assert second.stamps["2"].get("cout.txt") == (
        (tmp_path / "2" / "cout.txt").stat().st_mtime_ns, 6)
    assert second.stamps["4"].get("run.json") is None


def test_scan_notices_same_size_rewrite(tmp_path: Path) -> None:
    (tmp_path / "1").mkdir()
    run_json = tmp_path / "1" / "run.json"
    run_json.write_text('{"status": "RUNNING"}')
    folder = RunsFolder(tmp_path)
    before = folder.scan().stamps
    run_json.write_text('{"status": "FAILED!"}')
    stat = run_json.stat()
    os.utime(run_json, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert folder.scan(before).changed == {"1": frozenset({"run.json"})}


def test_run_stamp_rejects_unknown_file_names() -> None:
    stamp = RunStamp((None,) * 6)
    with pytest.raises(KeyError, match="'model.pt' is not a tracked run file"):
        stamp.get("model.pt")


def test_five_thousand_empty_runs_list_and_scan_fast(tmp_path: Path) -> None:
    count = 5_000
    for run_id in range(1, count + 1):
        os.mkdir(tmp_path / str(run_id))
    os.mkdir(tmp_path / "_sources")
    folder = RunsFolder(tmp_path)

    # CPU time of this thread: on a busy machine wall time measures the other processes too
    started = time.thread_time()
    ids = folder.list_run_ids()
    listed = time.thread_time() - started
    assert ids == [str(run_id) for run_id in range(1, count + 1)]

    started = time.thread_time()
    first = folder.scan()
    scanned = time.thread_time() - started
    assert len(first.new) == count
    assert all(stamp.files == (None,) * 6 for stamp in first.stamps.values())

    started = time.thread_time()
    again = folder.scan(first.stamps)
    rescanned = time.thread_time() - started
    assert not again.has_changes

    print(f"{count} runs: list {listed * 1000:.1f} ms, scan {scanned * 1000:.1f} ms, "
          f"rescan {rescanned * 1000:.1f} ms")
    assert listed < 0.5 and scanned < 3.0 and rescanned < 3.0
