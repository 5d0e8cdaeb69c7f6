"""Tests of FileStorageObserver against real Sacred 0.8.7 output, driven through the event methods."""
from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from reference_data import REFERENCE_RUNS, sacred_experiment_dir
from core.observers import FileStorageObserver, RunObserver

DATA = REFERENCE_RUNS
EXPERIMENT = sacred_experiment_dir()
REF_BASE = "/home/researcher/refexp"
SOURCES = [["helper_module.py", "d7074ac4557c2d8356348cc7330ba4dc"],
           ["ref_experiment.py", "de0377a787bbc9986a1d47d722a2d729"]]
when = datetime.datetime.fromisoformat


def _ref(run: str, name: str) -> str:
    return (DATA / run / name).read_text()


def _ref_json(run: str, name: str = "run.json") -> dict:
    return json.loads(_ref(run, name))


def _ex_info(ref: dict) -> dict:
    experiment = dict(ref["experiment"], base_dir=str(EXPERIMENT))
    experiment["sources"] = [list(source) for source in SOURCES]
    return experiment


def _start(observer: FileStorageObserver, run: str, _id: object = None) -> tuple[object, dict]:
    ref = _ref_json(run)
    run_id = observer.started_event(_ex_info(ref), ref["command"], ref["host"], when(ref["start_time"]),
                                    _ref_json(run, "config.json"), ref["meta"], _id)
    return run_id, ref


def _sacred_metrics(run: str) -> dict:
    return {name: {"steps": entry["steps"], "values": entry["values"],
                   "timestamps": [when(stamp) for stamp in entry["timestamps"]]}
            for name, entry in _ref_json(run, "metrics.json").items()}


INFO = {"custom": {"array": np.arange(3), "tuple": (1, 2), "n": 3, "np_float": np.float64(2.5)}}
RESULT = {"final_loss": np.float64(0.25), "arr": np.array([1.5, 2.5])}


def _as_reference(text: str) -> str:
    return text.replace(str(EXPERIMENT), REF_BASE)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_completed_run_matches_sacred_byte_for_byte(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    run_id, ref = _start(observer, "1")
    assert run_id == "1"
    run_dir = in_tmp / "runs" / "1"
    started = json.loads((run_dir / "run.json").read_text())
    assert started["heartbeat"] is None and "result" not in started and started["status"] == "RUNNING"
    assert (run_dir / "cout.txt").read_bytes() == b""
    observer.resource_event(str(EXPERIMENT / "data" / "input.txt"))
    (in_tmp / "out_model.txt").write_text("weights\n")
    observer.artifact_event("out_model.txt", str(in_tmp / "out_model.txt"))
    observer.artifact_event("model_copy.txt", str(in_tmp / "out_model.txt"), {"k": 1}, "text/plain")
    observer.log_metrics(_sacred_metrics("1"), INFO)
    observer.heartbeat_event(INFO, _ref("1", "cout.txt"), when(ref["heartbeat"]), RESULT)
    observer.completed_event(when(ref["stop_time"]), RESULT)

    for name in ("config.json", "metrics.json", "info.json", "cout.txt"):
        assert (run_dir / name).read_text() == _ref("1", name), name
    text = (run_dir / "run.json").read_text()
    expected = _ref("1", "run.json").replace("git://home/researcher/refexp", "GIT-URL")
    assert _as_reference(text).replace("git://home/researcher/refexp", "GIT-URL") == expected
    assert sorted(os.listdir(in_tmp / "runs" / "_sources")) == [
        "helper_module_d7074ac4557c2d8356348cc7330ba4dc.py",
        "ref_experiment_de0377a787bbc9986a1d47d722a2d729.py"]
    assert json.loads(text)["resources"] == [
        [str(EXPERIMENT / "data" / "input.txt"), "runs/_resources/input_987929d61c9b69f0c6406b840aa77fd8.txt"]]
    assert (run_dir / "model_copy.txt").read_text() == "weights\n"
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert len(lines) == 9 and lines[0] == {"name": "acc", "step": 0,
                                            "timestamp": "2026-11-28T01:24:00.261151", "value": 0.5}


def test_failed_run_keeps_sacreds_shape(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _, ref = _start(observer, "2")
    observer.heartbeat_event(INFO, "", when(ref["heartbeat"]), None)
    observer.failed_event(when(ref["stop_time"]), ref["fail_trace"])
    mine = json.loads((in_tmp / "runs" / "1" / "run.json").read_text())
    for key in ("fail_trace", "heartbeat", "result", "status", "stop_time", "start_time", "meta"):
        assert mine[key] == ref[key], key
    assert set(mine) == set(ref)
    assert (in_tmp / "runs" / "1" / "metrics.json").read_text() == "{}"


def test_run_without_heartbeat_has_no_metrics_and_null_heartbeat(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _, ref = _start(observer, "7")
    observer.completed_event(when(ref["stop_time"]), RESULT)
    run_dir = in_tmp / "runs" / "1"
    mine = json.loads((run_dir / "run.json").read_text())
    assert sorted(mine) == sorted(ref) and mine["heartbeat"] is None and mine["result"] == ref["result"]
    assert sorted(os.listdir(run_dir)) == ["config.json", "cout.txt", "process.json", "run.json"]


def test_a_lasting_run_gets_a_space_reserve_and_run_json_after_artifacts(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _, ref = _start(observer, "7")
    run_dir = in_tmp / "runs" / "1"
    (in_tmp / "model.txt").write_text("weights\n")
    observer.artifact_event("model.txt", str(in_tmp / "model.txt"))
    assert json.loads((run_dir / "run.json").read_text())["artifacts"] == []  # deferred to the next progress
    observer.progress_event()
    assert json.loads((run_dir / "run.json").read_text())["artifacts"] == ["model.txt"]
    process = json.loads((run_dir / "process.json").read_text())
    assert process["pid"] == os.getpid() and (run_dir / ".space-reserve").stat().st_size == 64 * 1024
    observer.completed_event(when(ref["stop_time"]), None)
    assert sorted(os.listdir(run_dir)) == ["config.json", "cout.txt", "model.txt", "process.json", "run.json"]


def test_queued_layout_matches_sacred(in_tmp: Path) -> None:
    ref = _ref_json("6")
    meta = dict(ref["meta"], queue_time=datetime.datetime(2026, 11, 28, 1, 24, 2, 932816))
    observer = FileStorageObserver("runs")
    run_id = observer.queued_event(_ex_info(ref), "main", ref["host"], meta["queue_time"],
                                   _ref_json("6", "config.json"), meta, None)
    assert run_id == "1"
    run_dir = in_tmp / "runs" / "1"
    assert sorted(os.listdir(run_dir)) == ["config.json", "helper_module.py", "ref_experiment.py", "run.json"]
    assert _as_reference((run_dir / "run.json").read_text()).replace(
        "git://home/researcher/refexp", "GIT") == _ref("6", "run.json").replace("git://home/researcher/refexp", "GIT")
    assert (run_dir / "config.json").read_text() == _ref("6", "config.json")
    assert not (in_tmp / "runs" / "_sources").exists()


def test_custom_id_and_an_existing_custom_id(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    run_id, ref = _start(observer, "myrun", _id="myrun")
    assert run_id == "myrun"
    observer.completed_event(when(ref["stop_time"]), None)
    before = (in_tmp / "runs" / "myrun" / "run.json").read_text()
    with pytest.raises(FileExistsError, match='Run folder "runs/myrun" already exists; choose another --id.'):
        _start(observer, "myrun", _id="myrun")
    observer.failed_event(when(ref["stop_time"]), ["Traceback\n"])  # nothing of ours to finish
    assert (in_tmp / "runs" / "myrun" / "run.json").read_text() == before
    assert _start(FileStorageObserver("runs"), "1")[0] == "1"  # non-numeric dirs do not count


def test_ids_follow_the_highest_numeric_folder(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    (tmp_path / "_sources").mkdir()
    (tmp_path / "12").write_text("a file, not a run")
    observer = FileStorageObserver(tmp_path)
    assert _start(observer, "1")[0] == "8"
    assert _start(observer, "1")[0] == "9"


def _claim(basedir: str) -> str:
    observer = FileStorageObserver(basedir, copy_sources=False)
    ref = _ref_json("1")
    return observer.started_event(_ex_info(ref), "main", {}, datetime.datetime(2026, 1, 1), {}, {}, None)


def test_sixteen_processes_get_distinct_ids(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(16) as pool:
        ids = pool.map(_claim, [str(tmp_path / "runs")] * 16)
    assert sorted(ids, key=int) == [str(i) for i in range(1, 17)]


@pytest.mark.parametrize("name", ["/abs/x.txt", "sub/x.txt", "..", "../x", "a\\b", "", "run.json",
                                  "config.json", "cout.txt", "metrics.json", "info.json", "metrics.jsonl"])
def test_bad_artifact_names_are_refused(in_tmp: Path, name: str) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    source = in_tmp / "file.txt"
    source.write_text("data")
    before = (in_tmp / "runs" / "1" / "run.json").read_text()
    with pytest.raises(ValueError, match="Artifact name"):
        observer.artifact_event(name, str(source))
    assert (in_tmp / "runs" / "1" / "run.json").read_text() == before
    observer.artifact_event("fine.txt", str(source))  # the observer keeps working
    observer.progress_event()
    assert json.loads((in_tmp / "runs" / "1" / "run.json").read_text())["artifacts"] == ["fine.txt"]


def test_artifact_twice_is_listed_twice_and_a_file_onto_itself_is_fine(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    source = in_tmp / "a.txt"
    source.write_text("one")
    observer.artifact_event("a.txt", str(source))
    source.write_text("two")
    observer.artifact_event("a.txt", str(source))
    run_dir = in_tmp / "runs" / "1"
    observer.artifact_event("a.txt", str(run_dir / "a.txt"))
    observer.progress_event()
    assert json.loads((run_dir / "run.json").read_text())["artifacts"] == ["a.txt"] * 3
    assert (run_dir / "a.txt").read_text() == "two"


def test_resources_are_stored_once_per_content(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    data = in_tmp / "data.txt"
    data.write_text("x")
    observer.resource_event(str(data))
    observer.resource_event(str(data))
    data.write_text("y")
    observer.resource_event(str(data))
    observer.progress_event()
    stored = [entry[1] for entry in json.loads((in_tmp / "runs/1/run.json").read_text())["resources"]]
    assert stored[0] == stored[1] != stored[2] and stored[0].startswith("runs/_resources/data_")
    assert len(os.listdir(in_tmp / "runs" / "_resources")) == 2


def test_absolute_basedir_gives_absolute_resource_paths(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path / "runs")
    _start(observer, "1")
    observer.resource_event(str(EXPERIMENT / "data" / "input.txt"))
    observer.progress_event()
    stored = json.loads((tmp_path / "runs/1/run.json").read_text())["resources"][0][1]
    assert stored == str(tmp_path / "runs" / "_resources" / "input_987929d61c9b69f0c6406b840aa77fd8.txt")


def test_copy_sources_false_stores_paths_relative_to_basedir(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path / "runs", copy_sources=False)
    _start(observer, "1")
    sources = json.loads((tmp_path / "runs/1/run.json").read_text())["experiment"]["sources"]
    assert sources[0] == ["helper_module.py", os.path.relpath(EXPERIMENT / "helper_module.py", tmp_path / "runs")]
    assert not (tmp_path / "runs" / "_sources").exists()


def test_cout_follows_captured_out_even_when_a_filter_rewrites_it(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    cout = in_tmp / "runs" / "1" / "cout.txt"
    beat = datetime.datetime(2026, 1, 1)
    observer.output_event("progress 0%")
    observer.heartbeat_event({}, "progress 0%\rprogress 50%", beat, None)
    inode = os.stat(cout).st_ino
    assert cout.read_bytes().decode() == "progress 0%\rprogress 50%"
    observer.output_event("progress 50%\ndone é\n")  # a filter collapsed the \r
    assert cout.read_bytes().decode() == "progress 50%\ndone é\n"
    observer.output_event("progress 50%\ndone é\nmore\n")
    assert cout.read_bytes().decode() == "progress 50%\ndone é\nmore\n"
    assert os.stat(cout).st_ino != inode
    observer.heartbeat_event({}, "", beat, None)
    assert cout.read_bytes() == b""


def test_info_json_only_rewritten_when_it_changes(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    info_path = in_tmp / "runs" / "1" / "info.json"
    beat = datetime.datetime(2026, 1, 1)
    observer.heartbeat_event({}, "", beat, None)
    assert not info_path.exists()
    observer.heartbeat_event({"a": 1}, "", beat, None)
    first = os.stat(info_path)
    observer.heartbeat_event({"a": 1}, "", beat, None)
    assert os.stat(info_path).st_ino == first.st_ino
    observer.heartbeat_event({"a": 2}, "", beat, None)
    assert json.loads(info_path.read_text()) == {"a": 2}


def test_idle_beat_does_not_rewrite_metrics(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _start(observer, "1")
    observer.log_metrics(_sacred_metrics("1"), {})
    metrics = in_tmp / "runs" / "1" / "metrics.json"
    before = os.stat(metrics)
    observer.heartbeat_event({}, "", datetime.datetime(2026, 1, 1), None)
    observer.log_metrics({}, {})
    after = os.stat(metrics)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_no_temporary_files_are_left(in_tmp: Path) -> None:
    observer = FileStorageObserver("runs")
    _, ref = _start(observer, "1")
    observer.log_metrics(_sacred_metrics("1"), {})
    observer.heartbeat_event(INFO, "out", when(ref["heartbeat"]), RESULT)
    observer.completed_event(when(ref["stop_time"]), RESULT)
    for folder in ("runs", "runs/1", "runs/_sources"):
        assert [name for name in os.listdir(in_tmp / folder) if name.endswith(".tmp")] == []


def test_construction_options(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path / "runs")
    assert not (tmp_path / "runs").exists()
    assert isinstance(observer, RunObserver) and observer.priority == 20
    assert observer.resource_dir == tmp_path / "runs" / "_resources"
    assert observer.source_dir == tmp_path / "runs" / "_sources"
    assert observer == FileStorageObserver(str(tmp_path / "runs"))
    assert observer != FileStorageObserver(tmp_path / "other")
    with pytest.raises(FileNotFoundError, match="Couldn't find template file"):
        FileStorageObserver(tmp_path, template=str(tmp_path / "missing.html"))
    (tmp_path / "template.html").write_text("<html/>")
    assert FileStorageObserver(tmp_path).template == tmp_path / "template.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        created = FileStorageObserver.create(tmp_path / "runs", priority=5)
    assert created.priority == 5 and caught[0].category is DeprecationWarning
    assert "FileStorageObserver.create(...) is deprecated" in str(caught[0].message)


def test_events_without_a_started_run_raise(tmp_path: Path) -> None:
    observer = FileStorageObserver(tmp_path)
    with pytest.raises(RuntimeError, match="did not start here"):
        observer.heartbeat_event({}, "", datetime.datetime(2026, 1, 1), None)
    assert os.listdir(tmp_path) == []


def test_template_is_rendered_at_the_end(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    class Template:
        def __init__(self, filename: str) -> None:
            self.text = Path(filename).read_text()

        def render(self, **context: object) -> str:
            run = context["run"]
            return self.text.replace("STATUS", run["status"]).replace("COUT", str(context["cout"]))

    mako = types.ModuleType("mako")
    mako_template = types.ModuleType("mako.template")
    mako_template.Template = Template  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mako", mako)
    monkeypatch.setitem(sys.modules, "mako.template", mako_template)
    (in_tmp / "report.md").write_text("status STATUS, output COUT")
    observer = FileStorageObserver("runs", template="report.md")
    _, ref = _start(observer, "1")
    observer.heartbeat_event({}, "printed", when(ref["heartbeat"]), None)
    observer.completed_event(when(ref["stop_time"]), None)
    assert (in_tmp / "runs" / "1" / "report.md").read_text() == "status COMPLETED, output printed"


def test_ids_continue_after_the_last_claim_and_restart_in_a_new_folder(tmp_path):
    import shutil
    from core.observers.stored_files import claim_run_dir
    base = str(tmp_path / "runs")
    assert [claim_run_dir(base)[1] for _ in range(3)] == ["1", "2", "3"]
    os.mkdir(os.path.join(base, "10"))  # another process went ahead
    assert claim_run_dir(base)[1] == "4"
    assert claim_run_dir(base)[1] == "5"
    shutil.rmtree(base)
    assert claim_run_dir(base)[1] == "1"
