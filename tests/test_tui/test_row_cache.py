"""The rows cache: a reopened folder takes finished runs' rows from it, and never a stale or damaged one."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from sacred_tui.data import row_cache
from sacred_tui.data.annotations import update_annotations
from sacred_tui.data.row_cache import HEADER, cache_path
from sacred_tui.data.store import RunStore
from tests.test_tui.tui_runs_factory import ago, copy_reference_runs, write_run


@pytest.fixture(autouse=True)
def no_racy_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    # The files here were written a moment ago; the real margin (a minute) is tested on its own.
    monkeypatch.setattr(row_cache, "RACY_SECONDS", 0.0)


def _loaded(folder: Path) -> RunStore:
    store = RunStore(folder)
    store.load_all(now=time.time())
    return store


def _reopened(folder: Path) -> tuple[RunStore, list[str]]:
    """Open the folder again: the store after both passes, and the runs read from their files."""
    store = RunStore(folder)
    for _batch in store.load_batches(first=2, now=time.time()):
        pass
    from_files = sorted(store._unenriched)  # the runs the cache did not have
    for _batch in store.enrich(now=time.time()):
        pass
    return store, from_files


def _rows(store: RunStore) -> dict[str, object]:
    return {row.run_id: row for row in store.rows()}


def _finished_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    write_run(folder, "1", config={"lr": 0.1, "net": {"depth": 3, "sizes": [1, [2, 3]]}, "name": "adam"},
              metrics={"loss": [3.0, 2.0, 1.0]}, result={"acc": 0.9}, named_configs=["big"], comment="first")
    write_run(folder, "2", status="FAILED", config={"lr": 0.01}, metrics={"loss": [5.0, float("nan")]})
    write_run(folder, "3", config={"lr": 1e-3}, metrics={"acc": [0.5]}, result=[1, "two", None])
    write_run(folder, "4", status="RUNNING", stopped=None, heartbeat=ago(1), config={"lr": 0.5})
    return folder


def test_reopened_folder_takes_finished_rows_from_the_cache_and_they_equal_the_read_ones(tmp_path: Path) -> None:
    folder = copy_reference_runs(tmp_path / "runs")  # written by real Sacred 0.8.7
    first = _loaded(folder)
    assert first.save_row_cache()
    lines = cache_path(folder).read_text().splitlines()
    assert lines[0] == HEADER and len(lines) > 5

    store, from_files = _reopened(folder)
    kept = {json.loads(line.split("\t")[0]) for line in lines[1:]}
    assert not kept & set(from_files)  # every kept run came from the cache ...
    assert _rows(store) == _rows(first)  # ... and is exactly the row its files give
    assert not store.save_row_cache()  # nothing new: the file is left alone


def test_only_rows_that_decode_exactly_are_kept(tmp_path: Path) -> None:
    folder = _finished_folder(tmp_path)
    first = _loaded(folder)
    first.save_row_cache()
    store, from_files = _reopened(folder)
    # 4 is running: read from its files again.
    assert from_files == ["4"]
    assert _rows(store) == _rows(first) | {"4": store.get("4")}
    assert store.get("2").metrics["loss"].last != store.get("2").metrics["loss"].last  # NaN kept
    assert store.get("1").config["net.sizes"] == (1, (2, 3))
    assert store.get("3").result == [1, "two", None]


def _rewrite_same_size_and_time(path: Path, old: str, new: str) -> None:
    """Change a file's content in place, keeping its size and modification time."""
    before = os.stat(path)
    text = path.read_text()
    assert len(old) == len(new) and old in text
    with open(path, "r+") as handle:
        handle.write(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_file_changed_behind_the_cache_is_read_again(tmp_path: Path) -> None:
    folder = _finished_folder(tmp_path)
    _loaded(folder).save_row_cache()
    time.sleep(0.02)  # a new change time (the clock of the file system is coarse)
    _rewrite_same_size_and_time(folder / "1" / "config.json", '"adam"', '"sgdm"')
    (folder / "3" / "metrics.json").write_text(json.dumps({"acc": {"steps": [0, 1], "values": [0.5, 0.7],
                                                                   "timestamps": ["x", "y"]}}))
    update_annotations(folder / "1", note="look at this")
    store, from_files = _reopened(folder)
    assert "1" in from_files and "3" in from_files
    assert store.get("1").config["name"] == "sgdm" and store.get("1").note == "look at this"
    assert store.get("3").metrics["acc"].last == 0.7
    # Removing a file is a change too.
    store.save_row_cache()
    os.unlink(folder / "3" / "metrics.json")
    store, from_files = _reopened(folder)
    assert "3" in from_files and store.get("3").metrics == {}


def test_damaged_cache_lines_cost_only_their_rows(tmp_path: Path) -> None:
    folder = _finished_folder(tmp_path)
    first = _loaded(folder)
    first.save_row_cache()
    path = cache_path(folder)
    lines = path.read_text().split("\n")
    one = next(i for i, line in enumerate(lines) if line.startswith('"1"'))
    lines[one] = lines[one].replace('"adam"', '"adaM"')  # a flipped letter: the CRC no longer fits
    three = next(i for i, line in enumerate(lines) if line.startswith('"3"'))
    lines[three] = lines[three][:40]  # a torn line
    path.write_text("\n".join(lines))
    store, from_files = _reopened(folder)
    assert from_files == ["1", "3", "4"]
    assert _rows(store) == _rows(first) | {"4": store.get("4")}
    assert store.get("1").config["name"] == "adam"
    for junk in (b"", b"\x00\xff garbage", HEADER.encode() + b"\n\"1\"\tnot\ta\tline\n"):
        path.write_bytes(junk)
        store, _from_files = _reopened(folder)
        assert store.get("1").config["name"] == "adam"


def test_rows_written_just_before_they_were_read_are_not_kept(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _finished_folder(tmp_path)
    _loaded(folder).save_row_cache()
    assert len(cache_path(folder).read_text().splitlines()) == 4
    # Files written within the margin (two writes within one clock tick could leave equal stamps)
    # are neither taken from the cache nor kept in it.
    monkeypatch.setattr(row_cache, "RACY_SECONDS", 3600.0)
    store, from_files = _reopened(folder)
    assert from_files == ["1", "2", "3", "4"]
    assert store.save_row_cache()
    assert cache_path(folder).read_text().splitlines() == [HEADER]


def test_the_cache_is_not_written_through_a_symlink_or_into_a_read_only_folder(tmp_path: Path) -> None:
    folder = _finished_folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "_sacred-tui").symlink_to(elsewhere)
    assert not _loaded(folder).save_row_cache()
    assert list(elsewhere.iterdir()) == []


def test_the_app_reopens_a_folder_with_its_columns_from_the_cache(tmp_path: Path) -> None:
    import asyncio

    from sacred_tui.app import SacredTuiApp

    folder = _finished_folder(tmp_path)

    async def open_until_the_cache_is_written() -> None:
        app = SacredTuiApp(folder)
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(500):
                if cache_path(folder).exists():
                    break
                await pilot.pause(0.02)

    asyncio.run(open_until_the_cache_is_written())
    assert {json.loads(line.split("\t")[0]) for line in cache_path(folder).read_text().splitlines()[1:]} \
        == {"1", "2", "3"}
    store, from_files = _reopened(folder)
    assert from_files == ["4"] and store.get("1").named_configs == ("big",)
