"""The UI's data layer on hostile folders: one bad run never breaks the others, nothing outside is read."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

import sacred_tui.data.run_row_reader as reader_module
from sacred_tui.data.artifact_preview import ArtifactItem, load_preview, openable_path
from sacred_tui.data.compare_text import read_text_tail
from sacred_tui.data.run_detail_data import RunDetailSource
from sacred_tui.data.store import RunStore
from tui_runs_factory import write_run


def test_store_loads_a_folder_with_odd_entries(tmp_path: Path) -> None:
    write_run(tmp_path, "1", config={"lr": 0.1}, metrics={"loss": [1.0, 0.5]})
    write_run(tmp_path, "²")
    write_run(tmp_path, "3")
    (tmp_path / "3" / "run.json").write_text('{"status": "COMPLETED", "result": ' + "9" * 5000 + "}")
    write_run(tmp_path, "4")
    (tmp_path / "4" / "metrics.json").write_text(
        '{"m": {"steps": [0], "values": [' + "9" * 5000 + '], "timestamps": [""]}}')
    write_run(tmp_path, "5")
    (tmp_path / "5" / "run.json").unlink()
    os.mkfifo(tmp_path / "5" / "run.json")
    store = RunStore(tmp_path)
    result: list[object] = []
    loader = threading.Thread(target=lambda: result.append(store.load_all()), daemon=True)
    loader.start()
    loader.join(10)
    assert not loader.is_alive(), "loading blocked"
    rows = {row.run_id: row for row in store.rows()}
    assert list(rows) == ["1", "3", "4", "5", "²"]
    assert store.pending == 0
    assert rows["1"].metrics["loss"].last == 0.5 and not rows["1"].problems
    assert rows["3"].status == "COMPLETED"
    assert rows["3"].problems == ("run.json: an integer of 5,000 digits is kept as text",)
    assert "metrics.json: an integer of 5,000 digits is kept as text" in rows["4"].problems
    assert rows["5"].problems == ("run.json: a FIFO (named pipe), not a regular file",)
    assert rows["²"].status == "COMPLETED"


def test_a_run_that_breaks_the_row_builder_is_flagged_alone(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for run_id in ("1", "2", "3"):
        write_run(tmp_path, run_id)
    original = reader_module.row_from_run_json

    def fragile(run_id: str, *args: object, **kwargs: object) -> object:
        if run_id == "2":
            raise RecursionError("maximum recursion depth exceeded")
        return original(run_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module, "row_from_run_json", fragile)
    store = RunStore(tmp_path)
    rows = {row.run_id: row for row in store.load_all()}
    assert rows["1"].status == rows["3"].status == "COMPLETED"
    assert rows["2"].problems == ("this run could not be read (RecursionError: maximum recursion depth exceeded)",)
    update = store.refresh({"2": frozenset()})
    assert update.rows[0].problems == rows["2"].problems  # the same problem, once


def test_preview_refuses_paths_outside_the_run(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    run_dir = tmp_path / "runs" / "1"
    run_dir.mkdir(parents=True)
    (run_dir / "link.txt").symlink_to(secret)
    outside = load_preview(run_dir / "link.txt", inside=run_dir)
    assert outside.text is None and "leads outside" in (outside.problem or "")
    absolute = load_preview(Path("/etc/passwd"), inside=run_dir)
    assert absolute.text is None and absolute.problem is not None
    os.mkfifo(run_dir / "pipe.txt")
    fifo = load_preview(run_dir / "pipe.txt", inside=run_dir)
    assert fifo.problem == "Cannot read pipe.txt: a FIFO (named pipe), not a regular file"
    item = ArtifactItem("link.txt", run_dir / "link.txt", 10, True, inside=run_dir)
    assert openable_path(item)[0] is None


def test_detail_source_never_reads_a_listed_etc_passwd(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    record = json.loads((tmp_path / "1" / "run.json").read_text())
    record["artifacts"] = ["/etc/passwd", "ok.txt"]
    (tmp_path / "1" / "run.json").write_text(json.dumps(record))
    (tmp_path / "1" / "ok.txt").write_text("fine")
    (tmp_path / "1" / "cout.txt").unlink()
    (tmp_path / "1" / "cout.txt").mkdir()
    source = RunDetailSource(tmp_path, "1")
    update = source.poll()
    assert update.files is not None
    passwd, ok = update.files
    assert (passwd.exists, passwd.kind) == (False, "refused")
    preview = source.preview_artifact(passwd)
    assert preview.text is None and preview.problem == "/etc/passwd: refused: the name leads outside the run folder"
    assert source.preview_artifact(ok).text == "fine"
    assert update.stdout is not None and update.stdout.problem == "cout.txt: a directory, not a regular file"
    assert update.problems is not None and "cout.txt: a directory, not a regular file" in update.problems


def test_compare_text_reads_regular_files_only(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "cout.txt")
    text, _skipped, problem = read_text_tail(tmp_path / "cout.txt")
    assert text is None and problem == "cout.txt: a FIFO (named pipe), not a regular file"
    (tmp_path / "dir").mkdir()
    assert read_text_tail(tmp_path / "dir")[2] == "dir: a directory, not a regular file"


def test_the_note_file_is_read_only_when_it_is_a_regular_file_inside_the_run(tmp_path: Path) -> None:
    for run_id in ("1", "2", "3", "4"):
        write_run(tmp_path, run_id)
    os.mkfifo(tmp_path / "1" / "sacred-tui.json")  # opening it for reading would wait for a writer
    (tmp_path / "2" / "sacred-tui.json").symlink_to("/etc/passwd")
    (tmp_path / "3" / "sacred-tui.json").write_text("[" * 100_000)
    (tmp_path / "4" / "sacred-tui.json").write_text('{"note": "fine", "tags": ["a"]}')
    loaded: list[object] = []
    loader = threading.Thread(target=lambda: loaded.append(RunStore(tmp_path).load_all()), daemon=True)
    loader.start()
    loader.join(20)
    assert loaded, "loading the folder blocked on a FIFO named sacred-tui.json"
    rows = {row.run_id: row for row in loaded[0]}  # type: ignore[attr-defined]
    assert rows["1"].problems == ("sacred-tui.json: a FIFO (named pipe), not a regular file",)
    assert rows["2"].problems == ("sacred-tui.json: a symbolic link that leads outside its folder",)
    assert rows["3"].problems[0].startswith("sacred-tui.json: not readable as the note file (maximum recursion")
    assert (rows["4"].problems, rows["4"].note, rows["4"].tags) == ((), "fine", ("a",))


def test_each_problem_of_a_run_is_listed_once_after_both_loading_passes(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    (tmp_path / "1" / "run.json").write_text('{"status": "COMPLETED", "start_')
    (tmp_path / "1" / "config.json").write_text("[1]")
    store = RunStore(tmp_path)
    (row,) = store.load_all()
    assert not store.pending
    assert len(row.problems) == len(set(row.problems)) == 2, row.problems
