"""FolderPoller: about one stat call per unchanged run, and every kind of change still found."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.runs import RunsFolder
from sacred_tui.data import folder_poll
from sacred_tui.data.folder_poll import ROTATION, FolderPoller
from tui_runs_factory import write_run

OLD = time.time() - 3600


def old_runs(root: Path, count: int) -> None:
    """Finished runs whose files were last written an hour ago."""
    for index in range(1, count + 1):
        folder = write_run(root, str(index))
        for path in (folder, *folder.iterdir()):
            os.utime(path, (OLD, OLD))


def baseline(root: Path) -> tuple[FolderPoller, dict]:
    folder = RunsFolder(root)
    poller = FolderPoller(folder)
    known = folder.scan({}).stamps
    return poller, poller.scan(known).stamps


def test_an_unchanged_folder_costs_about_one_stat_per_run(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    old_runs(tmp_path, 200)
    poller, known = baseline(tmp_path)
    calls = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        calls.append(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(folder_poll.os, "stat", counting_stat)
    result = poller.scan(known)
    assert not result.has_changes
    assert len(result.stamps) == 200
    # One per run (run.json), plus the six of each run whose turn it is in the rotation.
    assert len(calls) <= 200 + (200 // ROTATION + 1) * 6
    assert poller.full_stats <= 200 // ROTATION + 1


def test_changes_of_old_runs_are_found(tmp_path: Path) -> None:
    old_runs(tmp_path, 40)
    poller, known = baseline(tmp_path)
    # A heartbeat rewrites run.json in place.
    (tmp_path / "3" / "run.json").write_text((tmp_path / "3" / "run.json").read_text() + " ")
    write_run(tmp_path, "41")
    for name in os.listdir(tmp_path / "9"):
        os.remove(tmp_path / "9" / name)
    os.rmdir(tmp_path / "9")
    result = poller.scan(known)
    assert result.changed == {"3": {"run.json"}}
    assert result.new == ["41"]
    assert result.removed == ["9"]


def test_files_added_or_rewritten_in_old_runs_are_found_within_one_rotation(tmp_path: Path) -> None:
    old_runs(tmp_path, 40)
    poller, known = baseline(tmp_path)
    with open(tmp_path / "5" / "cout.txt", "a") as handle:  # run.json stays as it was
        handle.write("late line\n")
    (tmp_path / "7" / "metrics.jsonl").write_text('{"name": "loss"}\n')
    found: dict[str, list[str]] = {}
    for _ in range(ROTATION):
        result = poller.scan(known)
        known = result.stamps
        for run_id, files in result.changed.items():
            found.setdefault(run_id, []).extend(files)
    assert found == {"5": ["cout.txt"], "7": ["metrics.jsonl"]}


def test_a_recently_written_run_is_stated_in_full_every_time(tmp_path: Path) -> None:
    old_runs(tmp_path, 20)
    write_run(tmp_path, "21", status="RUNNING", stopped=None)
    poller, known = baseline(tmp_path)
    with open(tmp_path / "21" / "cout.txt", "a") as handle:
        handle.write("step 1\n")
    assert poller.scan(known).changed == {"21": frozenset({"cout.txt"})}


def test_a_run_renamed_between_unchanged_polls_is_found(tmp_path: Path) -> None:
    # The sorted listing is reused while the folder's names stay the same: a rename keeps the count.
    old_runs(tmp_path, 30)
    poller, known = baseline(tmp_path)
    for _ in range(3):
        result = poller.scan(known)
        assert not result.has_changes
        known = result.stamps
    os.rename(tmp_path / "5", tmp_path / "50")
    result = poller.scan(known)
    assert (result.new, result.removed, result.changed) == (["50"], ["5"], {})
    assert "50" in result.run_ids and "5" not in result.run_ids
    assert result.run_ids == sorted(result.run_ids, key=int)
    known = result.stamps
    os.rename(tmp_path / "50", tmp_path / "5")
    result = poller.scan(known)
    assert (result.new, result.removed) == (["5"], ["50"])
