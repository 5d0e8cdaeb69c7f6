"""Hostile run folders: special files never block, nothing outside a run is read, odd values never raise."""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.runs import RunsFolder, TextTail, numeric_run_id, sort_run_ids
from core.runs.follow import MetricsFollower
from core.runs.safe_open import NotRegularFile, OutsideFolder, open_regular, read_regular

RUN_JSON = json.dumps({"status": "COMPLETED", "experiment": {"name": "x"}})


def finishes(call: Callable[[], Any], seconds: float = 2.0) -> Any:
    """Run ``call`` in a thread and fail if it does not return within ``seconds``."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # reported below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{call} did not return within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def make_run(root: Path, run_id: str = "1", run_json: str = RUN_JSON) -> Path:
    run_dir = root / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(run_json)
    return run_dir


def test_fifo_as_cout_never_blocks_and_is_a_problem(tmp_path: Path) -> None:
    os.mkfifo(make_run(tmp_path) / "cout.txt")
    run = RunsFolder(tmp_path).run("1")
    tail = run.cout_tail()
    assert finishes(tail.read_new) == ""
    assert tail.problem == "cout.txt: a FIFO (named pipe), not a regular file"
    assert finishes(tail.size) == 0
    assert finishes(lambda: tail.read_range(0, 10)) == ""
    finishes(lambda: tail.seek(5))
    assert "cout.txt: a FIFO (named pipe), not a regular file" in finishes(run.problems)


def test_fifo_as_metrics_and_run_json_never_blocks(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    os.mkfifo(run_dir / "metrics.json")
    os.mkfifo(run_dir / "info.json")
    run = RunsFolder(tmp_path).run("1")
    assert finishes(run.read_metrics) == {}
    assert finishes(run.read_info) == {}
    follower = MetricsFollower(run_dir)
    assert finishes(follower.poll) == {}
    assert follower.problem == "metrics.json: a FIFO (named pipe), not a regular file"
    (run_dir / "run.json").unlink()
    os.mkfifo(run_dir / "run.json")
    fresh = RunsFolder(tmp_path).run("1")
    assert finishes(fresh.read_record).status is None
    assert "run.json: a FIFO (named pipe), not a regular file" in fresh.problems()


def test_fifo_sidecar_falls_back_to_metrics_json(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    (run_dir / "metrics.json").write_text(json.dumps(
        {"loss": {"steps": [0, 1], "values": [0.5, 0.25], "timestamps": ["", ""]}}))
    os.mkfifo(run_dir / "metrics.jsonl")
    follower = MetricsFollower(run_dir)
    assert finishes(follower.poll)["loss"].values == [0.5, 0.25]
    assert follower.problem == "metrics.jsonl: a FIFO (named pipe), not a regular file"


def test_character_device_is_never_read(tmp_path: Path) -> None:
    # /dev/zero never ends: reading it would fill the memory.
    run_dir = make_run(tmp_path)
    (run_dir / "cout.txt").symlink_to("/dev/zero")
    tail = TextTail(run_dir / "cout.txt")
    assert finishes(tail.read_new) == ""
    assert tail.problem is not None
    with pytest.raises(OSError):
        read_regular("/dev/zero", inside="/dev")


def test_cout_that_is_a_directory_is_a_problem(tmp_path: Path) -> None:
    (make_run(tmp_path) / "cout.txt").mkdir()
    run = RunsFolder(tmp_path).run("1")
    tail = run.cout_tail()
    assert tail.read_new() == "" and tail.read_range(0, 5) == ""
    assert tail.problem == "cout.txt: a directory, not a regular file"
    assert run.problems() == ["cout.txt: a directory, not a regular file"]


def test_symlink_loops_are_problems(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    for name in ("config.json", "metrics.json", "cout.txt", "info.json"):
        (run_dir / name).symlink_to(name)
    run = RunsFolder(tmp_path).run("1")
    assert run.read_config() == {} and run.read_metrics() == {} and run.read_info() == {}
    tail = run.cout_tail()
    assert tail.read_new() == "" and tail.problem == "cout.txt: symbolic link loop"
    assert set(run.problems()) == {"config.json: symbolic link loop", "metrics.json: symbolic link loop",
                                   "info.json: symbolic link loop", "cout.txt: symbolic link loop"}


def test_huge_integers_are_kept_as_text_and_flagged(tmp_path: Path) -> None:
    digits = "7" * 5000
    run_dir = make_run(tmp_path, run_json='{"status": "COMPLETED", "result": ' + digits + "}")
    (run_dir / "metrics.json").write_text(
        '{"m": {"steps": [0, 1], "values": [1.5, ' + digits + '], "timestamps": ["", ""]}}')
    run = RunsFolder(tmp_path).run("1")
    record = run.read_record()
    assert record.status == "COMPLETED" and record.result == digits
    assert run.read_metrics()["m"].values == [1.5, None]
    follower = run.metrics_follower()
    assert follower.poll()["m"].values == [1.5, None]
    assert follower.problem == "metrics.json: an integer of 5,000 digits is kept as text"
    assert "run.json: an integer of 5,000 digits is kept as text" in run.problems()


def test_numbers_beyond_float_do_not_raise(tmp_path: Path) -> None:
    make_run(tmp_path, run_json=json.dumps({"meta": {"priority": 10 ** 400}, "status": "QUEUED"}))
    assert RunsFolder(tmp_path).run("1").read_record().priority is None


def test_unicode_digit_names_sort_as_names(tmp_path: Path) -> None:
    for name in ("2", "10", "²", "٣", "abc"):
        make_run(tmp_path, name)
    assert RunsFolder(tmp_path).list_run_ids() == ["2", "10", "abc", "²", "٣"]
    assert numeric_run_id("²") is None and numeric_run_id("12") == 12
    assert sort_run_ids(["²", "1"]) == ["1", "²"]


def test_artifacts_outside_the_run_are_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not show")
    run_dir = make_run(tmp_path, run_json=json.dumps(
        {"artifacts": ["/etc/passwd", "../secret.txt", "link.txt", "sub/inner.txt", "dirlink/x.txt",
                       "fifo", "ok.txt"]}))
    (run_dir / "link.txt").symlink_to(secret)
    (run_dir / "sub").mkdir()
    (run_dir / "sub" / "inner.txt").write_text("inside")
    (run_dir / "dirlink").symlink_to(tmp_path)
    (tmp_path / "x.txt").write_text("outside")
    os.mkfifo(run_dir / "fifo")
    (run_dir / "ok.txt").write_text("fine")
    entries = {entry.name: entry for entry in RunsFolder(tmp_path).run("1").artifacts()}
    assert [name for name, entry in entries.items() if entry.exists] == ["sub/inner.txt", "ok.txt"]
    assert entries["/etc/passwd"].problem == "refused: the name leads outside the run folder"
    assert entries["link.txt"].problem == "refused: a symbolic link that leads outside its folder"
    assert entries["dirlink/x.txt"].problem == "refused: a symbolic link that leads outside its folder"
    assert entries["fifo"].problem == "refused: a FIFO (named pipe), not a regular file"


def test_sources_and_resources_are_read_only_from_their_folders(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("SECRET = 1\n")
    runs = tmp_path / "runs"
    (runs / "_sources").mkdir(parents=True)
    (runs / "_resources").mkdir()
    (runs / "_sources" / "exp_0123.py").write_text("print('hi')\n")
    (runs / "_sources" / "link_0123.py").symlink_to(outside)
    run_json = json.dumps({
        "experiment": {"sources": [["exp.py", "_sources/exp_0123.py"], ["link.py", "_sources/link_0123.py"],
                                   ["up.py", "../elsewhere.py"], ["abs.py", str(outside)]]},
        "resources": [[str(outside), str(outside)], ["/data/in.txt", "../elsewhere.py"]]})
    make_run(runs, run_json=run_json)
    run = RunsFolder(runs).run("1")
    sources = {entry.relpath: entry for entry in run.sources()}
    assert [name for name, entry in sources.items() if entry.exists] == ["exp.py"]
    assert run.read_source_text(sources["exp.py"]) == "print('hi')\n"
    for name in ("link.py", "up.py", "abs.py"):
        assert run.read_source_text(sources[name]) is None
    assert not any(entry.exists for entry in run.resources())


def test_huge_source_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.runs.stored as stored
    monkeypatch.setattr(stored, "MAX_SOURCE_BYTES", 1024 * 1024)
    (tmp_path / "_sources").mkdir()
    (tmp_path / "_sources" / "big_0123.py").write_bytes(b"x = 1\n" * 400_000)
    make_run(tmp_path, run_json=json.dumps({"experiment": {"sources": [["big.py", "_sources/big_0123.py"]]}}))
    run = RunsFolder(tmp_path).run("1")
    text = run.read_source_text(run.sources()[0])
    assert text is not None
    assert text.endswith("[… cut: only the first 1 MB are shown]\n")
    assert len(text) < 1024 * 1024 + 100


def test_open_regular_checks_kind_and_place(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("x")
    (tmp_path / "out.txt").write_text("y")
    (tmp_path / "a" / "up.txt").symlink_to(tmp_path / "out.txt")
    (tmp_path / "a" / "same.txt").symlink_to("f.txt")
    os.close(open_regular(tmp_path / "a" / "f.txt"))
    assert read_regular(tmp_path / "a" / "same.txt") == b"x"
    with pytest.raises(OutsideFolder):
        read_regular(tmp_path / "a" / "up.txt")
    assert read_regular(tmp_path / "a" / "up.txt", inside=tmp_path) == b"y"
    with pytest.raises(NotRegularFile):
        open_regular(tmp_path / "a")
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "a" / "missing")
    with pytest.raises(OSError):
        open_regular(str(tmp_path / "a" / "nul\x00name"))
