"""Broken, torn and foreign files in a runs folder give problem texts, never exceptions."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

import core.runs._jsonfile as jsonfile
from core.runs import RunsFolder

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference_runs" / "runs"
RUN_JSON_1 = (REFERENCE / "1" / "run.json").read_bytes()


def make_run(root: Path, files: dict[str, bytes | str], run_id: str = "1") -> RunsFolder:
    run_dir = root / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (run_dir / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return RunsFolder(root)


def exercise(folder: RunsFolder, run_id: str = "1") -> list[str]:
    """Call every reading method, as a UI would; return the problems."""
    run = folder.run(run_id)
    run.read_record()
    run.read_config()
    run.read_info()
    run.read_metrics()
    run.artifacts()
    run.resources()
    for entry in run.sources():
        run.read_source_text(entry)
    run.cout_tail().read_new()
    run.metrics_follower().poll()
    return run.problems()


def test_torn_run_json_reports_incomplete_json(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": RUN_JSON_1[: len(RUN_JSON_1) // 2]})
    started = time.thread_time()  # CPU time: a busy machine must not make a quick read look slow
    record = folder.run("1").read_record()
    elapsed = time.thread_time() - started
    assert record.status is None and record.id == "1"
    (problem,) = folder.run("1").problems()
    assert problem.startswith("run.json: incomplete JSON (")
    assert elapsed < 0.2


def test_incomplete_json_message_names_position(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": '{\n  "status": "RUNNING"\n'})
    folder.run("1").read_record()
    assert folder.run("1").problems() == [
        "run.json: incomplete JSON (Expecting ',' delimiter: line 3 column 1)"]


def test_torn_rewrite_keeps_last_good_record(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": RUN_JSON_1})
    run = folder.run("1")
    assert run.read_record().status == "COMPLETED"
    (run.dir / "run.json").write_bytes(RUN_JSON_1[:300])
    assert run.read_record().status == "COMPLETED"
    assert run.problems()[0].startswith("run.json: incomplete JSON")
    (run.dir / "run.json").write_text(json.dumps({"status": "FAILED"}))
    assert run.read_record().status == "FAILED"
    assert run.problems() == []


def test_torn_file_is_retried_until_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_run(tmp_path, {"run.json": RUN_JSON_1[:100]})
    sleeps: list[float] = []

    def finish_writing(seconds: float) -> None:
        sleeps.append(seconds)
        (tmp_path / "1" / "run.json").write_bytes(RUN_JSON_1)

    monkeypatch.setattr(jsonfile.time, "sleep", finish_writing)
    assert folder.run("1").read_record().status == "COMPLETED"
    assert len(sleeps) == 1
    assert folder.run("1").problems() == []


def test_retries_stay_under_50_ms() -> None:
    assert sum(jsonfile.RETRY_DELAYS) < 0.05


def test_unchanged_broken_file_is_not_retried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_run(tmp_path, {"run.json": RUN_JSON_1[:100]})
    folder.run("1").read_record()
    monkeypatch.setattr(jsonfile.time, "sleep", lambda seconds: pytest.fail("retried a cached failure"))
    folder.run("1").read_record()
    assert len(folder.run("1").problems()) == 1


def test_empty_run_json(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": b""})
    folder.run("1").read_record()
    assert folder.run("1").problems() == ["run.json: empty file"]


def test_missing_run_json(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"notes.txt": "hello"})
    assert folder.run("1").read_record().status is None
    assert folder.run("1").problems() == ["no run.json (not a run folder?)"]


def test_problems_reads_run_json_when_not_read_yet(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {})
    assert folder.run("1").problems() == ["no run.json (not a run folder?)"]


def test_run_json_that_is_a_list(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": "[1, 2]"})
    folder.run("1").read_record()
    assert folder.run("1").problems() == ["run.json: expected a JSON object, got list"]


def test_non_utf8_run_json(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": b'{"status": "\xff\xfe"}'})
    assert folder.run("1").read_record().status is None
    (problem,) = folder.run("1").problems()
    assert problem == "run.json: not UTF-8 text (invalid start byte at byte 12)"


def test_invalid_json_in_the_middle(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": '{"status": oops, "x": 1}'})
    folder.run("1").read_record()
    assert folder.run("1").problems() == ["run.json: invalid JSON (Expecting value: line 1 column 12)"]


@pytest.mark.parametrize(("content", "problem"), [
    ('{"x": Infin', "run.json: incomplete JSON (Expecting value: line 1 column 7)"),
    ('{"x": tr', "run.json: incomplete JSON (Expecting value: line 1 column 7)"),
    ('{"trace": "Traceback (most recent',
     "run.json: incomplete JSON (Unterminated string starting at: line 1 column 11)"),
    ('{"a": [1, 2]', "run.json: incomplete JSON (Expecting ',' delimiter: line 1 column 13)"),
    ("hello", "run.json: invalid JSON (Expecting value: line 1 column 1)"),
    ('{"a": 1} trailing words that are not JSON', "run.json: invalid JSON (Extra data: line 1 column 10)"),
])
def test_cut_off_and_invalid_json_are_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 content: str, problem: str) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(jsonfile.time, "sleep", sleeps.append)
    folder = make_run(tmp_path, {"run.json": content})
    folder.run("1").read_record()
    assert folder.run("1").problems() == [problem]
    assert len(sleeps) == (len(jsonfile.RETRY_DELAYS) if "incomplete" in problem else 0)


def test_run_json_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "1" / "run.json").mkdir(parents=True)
    folder = RunsFolder(tmp_path)
    assert folder.run("1").read_record().status is None
    (problem,) = folder.run("1").problems()
    assert problem == "run.json: a directory, not a regular file"


def test_foreign_directory_never_raises(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"readme.md": "# not a run", "data.bin": bytes(range(256))}, "junk")
    assert folder.list_run_ids() == ["junk"]
    assert exercise(folder, "junk") == ["no run.json (not a run folder?)", "no config.json"]


def test_wrong_types_in_run_json_become_none(tmp_path: Path) -> None:
    weird = {"status": 3, "command": ["main"], "experiment": "nope", "meta": {"named_configs": "big",
             "priority": "high", "options": [], "queue_time": "yesterday", "config_updates": 5},
             "start_time": 12, "heartbeat": "not a time", "host": {"os": "Linux", "ENV": None},
             "artifacts": "model.pt", "resources": [["only one"]], "fail_trace": {"x": 1}}
    folder = make_run(tmp_path, {"run.json": json.dumps(weird), "config.json": "{}"})
    record = folder.run("1").read_record()
    assert record.status is None and record.command is None
    assert record.experiment_name is None and record.priority is None
    assert record.named_configs == [] and record.options == {} and record.config_updates is None
    assert (record.start_time, record.heartbeat, record.queue_time) == (None, None, None)
    assert record.host.os is None and record.host.env == {}
    assert record.artifacts == [] and record.resources == [] and record.fail_trace is None
    assert exercise(folder) == []


def test_nan_and_infinity_are_accepted(tmp_path: Path) -> None:
    metrics = ('{"loss": {"steps": [0, 1, 2], "timestamps": ["a", "b", "c"], '
               '"values": [NaN, Infinity, -Infinity]}}')
    folder = make_run(tmp_path, {"run.json": '{"status": "RUNNING", "result": NaN}', "metrics.json": metrics,
                              "config.json": '{"x": Infinity}'})
    run = folder.run("1")
    assert math.isnan(run.read_record().result)
    assert run.read_config()["x"] == math.inf
    values = run.read_metrics()["loss"].values
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]
    assert run.read_metrics()["loss"].min_value() is None
    assert run.problems() == []


def test_metric_values_are_decoded(tmp_path: Path) -> None:
    np_value = {"dtype": "float64", "py/object": "numpy.float64", "value": 0.25}
    np_step = {"dtype": "int64", "py/object": "numpy.int64", "value": 7}
    entry = {"steps": [0, 1.0, np_step, "x"], "timestamps": ["t0", "t1", "t2", "t3"],
             "values": [1, np_value, "text", True]}
    folder = make_run(tmp_path, {"run.json": "{}", "config.json": "{}", "metrics.json": json.dumps(
        {"m": entry, "bad": [1, 2], "short": {"steps": [0, 1], "values": [5]}})})
    run = folder.run("1")
    metrics = run.read_metrics()
    assert metrics["m"].steps == [0, 1, 7, 8]
    assert metrics["m"].values == [1.0, 0.25, None, 1.0]
    assert metrics["short"].steps == [0] and metrics["short"].timestamps == [""]
    assert "bad" not in metrics
    assert run.problems() == ["metrics.json: malformed entries 'bad'"]


def test_torn_config_keeps_problem_and_returns_empty(tmp_path: Path) -> None:
    folder = make_run(tmp_path, {"run.json": "{}", "config.json": '{"lr": 0.'})
    assert folder.run("1").read_config() == {}
    assert folder.run("1").problems() == [
        "config.json: incomplete JSON (Expecting ',' delimiter: line 1 column 9)"]


def test_unsafe_artifact_names(tmp_path: Path) -> None:
    run_json = json.dumps({"artifacts": ["../escape.txt", "/etc/passwd", "ok.txt", "ok.txt", "gone.txt"]})
    folder = make_run(tmp_path, {"run.json": run_json, "config.json": "{}", "ok.txt": "fine"})
    (tmp_path / "escape.txt").write_text("outside")
    entries = folder.run("1").artifacts()
    assert [(entry.name, entry.exists, entry.size) for entry in entries] == [
        ("../escape.txt", False, None), ("/etc/passwd", False, None), ("ok.txt", True, 4),
        ("gone.txt", False, None)]
    assert folder.run("1").problems() == [
        "artifacts refused (outside the run folder or not regular files): '../escape.txt', '/etc/passwd'"]


def test_missing_source_copy(tmp_path: Path) -> None:
    run_json = json.dumps({"experiment": {"sources": [["exp.py", "_sources/exp_0123.py"]]}})
    folder = make_run(tmp_path, {"run.json": run_json, "config.json": "{}"})
    run = folder.run("1")
    (entry,) = run.sources()
    assert not entry.exists and entry.stored_path == tmp_path / "_sources" / "exp_0123.py"
    assert run.read_source_text(entry) is None
