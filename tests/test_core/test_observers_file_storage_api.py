"""FileStorageObserver's public helpers that Sacred scripts and subclasses call (save_file, save_json, ...)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import Experiment
from core.observers import FileStorageObserver


def _run_with(observer: FileStorageObserver, main) -> object:
    ex = Experiment("helpers")
    ex.observers.append(observer)
    ex.main(main)
    return ex.run()


def test_save_file_copies_into_the_run_folder_under_its_name_or_a_target_name(tmp_path: Path) -> None:
    source = tmp_path / "weights.bin"
    source.write_bytes(b"\x00\x01")
    observer = FileStorageObserver(tmp_path / "runs")

    def main():
        observer.save_file(str(source))
        observer.save_file(str(source), "copy.bin")

    run = _run_with(observer, main)
    folder = tmp_path / "runs" / str(run._id)
    assert (folder / "weights.bin").read_bytes() == b"\x00\x01"
    assert (folder / "copy.bin").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("name", ["run.json", "config.json", "cout.txt", "metrics.json"])
def test_save_file_refuses_the_record_files_with_sacreds_error_type(tmp_path: Path, name: str) -> None:
    source = tmp_path / "x.txt"
    source.write_text("x")
    observer = FileStorageObserver(tmp_path / "runs")
    raised = []

    def main():
        try:
            observer.save_file(str(source), name)
        except FileExistsError as error:
            raised.append(str(error))

    run = _run_with(observer, main)
    assert raised and name in raised[0]
    assert json.loads((tmp_path / "runs" / str(run._id) / "run.json").read_text())["status"] == "COMPLETED"


def test_save_json_writes_sacreds_encoding(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path / "runs")
    run = _run_with(observer, lambda: observer.save_json({"t": (1, 2), "b": 1}, "extra.json"))
    text = (tmp_path / "runs" / str(run._id) / "extra.json").read_text()
    assert json.loads(text) == {"b": 1, "t": {"py/tuple": [1, 2]}}
    assert text.startswith('{\n  "b": 1,')


def test_find_or_save_stores_one_copy_per_content(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b\n")
    observer = FileStorageObserver(tmp_path / "runs")
    first = observer.find_or_save(str(data), tmp_path / "store")
    second = observer.find_or_save(str(data), str(tmp_path / "store"))
    assert first == second
    assert Path(first).name.startswith("data_") and Path(first).suffix == ".csv"
    assert Path(first).read_text() == "a,b\n"
    assert len(list((tmp_path / "store").iterdir())) == 1


def test_save_sources_returns_run_json_pairs(tmp_path: Path) -> None:
    (tmp_path / "exp.py").write_text("print(1)\n")
    observer = FileStorageObserver(tmp_path / "runs")
    pairs = observer.save_sources({"base_dir": str(tmp_path), "sources": [["exp.py", "md5"]]})
    assert len(pairs) == 1 and pairs[0][0] == "exp.py"
    assert pairs[0][1].startswith("_sources/exp_") and (tmp_path / "runs" / pairs[0][1]).is_file()


def test_save_cout_and_render_template_during_a_run(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path / "runs")
    seen = []

    def main():
        observer.cout = "written by hand\n"
        observer.save_cout()
        seen.append((Path(observer.dir) / "cout.txt").read_text())
        observer.render_template()  # no template: nothing to do, and no error

    run = _run_with(observer, main)
    assert seen == ["written by hand\n"]
    assert not list((tmp_path / "runs" / str(run._id)).glob("report*"))
