"""Reading every reference run written by real Sacred 0.8.7 through core.runs."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.runs import RunsFolder, StoredRun

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference_runs" / "runs"
SOURCES_MD5 = {"helper_module.py": "d7074ac4557c2d8356348cc7330ba4dc",
               "ref_experiment.py": "de0377a787bbc9986a1d47d722a2d729"}


@pytest.fixture(scope="module")
def folder() -> RunsFolder:
    return RunsFolder(REFERENCE)


def test_reference_folder_lists_runs_in_order(folder: RunsFolder) -> None:
    assert folder.exists()
    assert folder.list_run_ids() == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "myrun"]


@pytest.mark.parametrize("run_id", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "myrun"])
def test_reference_runs_have_no_problems(folder: RunsFolder, run_id: str) -> None:
    run = folder.run(run_id)
    run.read_record()
    run.read_config()
    run.read_info()
    run.read_metrics()
    run.artifacts()
    assert run.problems() == []
    assert all(entry.exists for entry in run.sources())


@pytest.mark.parametrize(("run_id", "status"), [
    ("1", "COMPLETED"), ("2", "FAILED"), ("3", "INTERRUPTED"), ("4", "TIMEOUT"),
    ("5", "MY_CUSTOM_STATUS"), ("6", "QUEUED"), ("7", "COMPLETED"), ("8", "FAILED"),
    ("9", "COMPLETED"), ("10", "COMPLETED"), ("myrun", "COMPLETED"),
])
def test_reference_statuses(folder: RunsFolder, run_id: str, status: str) -> None:
    record = folder.run(run_id).read_record()
    assert record.id == run_id
    assert record.status == status


def test_completed_run_record_fields(folder: RunsFolder) -> None:
    record = folder.run("1").read_record()
    assert record.experiment_name == "ref_exp"
    assert record.command == "main" and record.meta_command == "main"
    assert record.comment == "a comment"
    assert record.priority is None
    assert record.named_configs == []
    assert record.config_updates == {"lr": 0.02, "opts": {"momentum": 0.5}}
    assert record.options["--file_storage"] == "runs"
    assert record.options["UPDATE"] == ["lr=0.02", "opts.momentum=0.5"]
    assert record.start_time == datetime(2026, 11, 28, 1, 24, 0, 255607)
    assert record.stop_time == datetime(2026, 11, 28, 1, 24, 0, 264289)
    assert record.heartbeat == datetime(2026, 11, 28, 1, 24, 0, 265102)
    assert record.duration == timedelta(microseconds=264289 - 255607)
    assert record.queue_time is None
    assert record.host.hostname == "vm"
    assert record.host.os == ["Linux", "Linux-6.18.44-fc-v669-x86_64-with-glibc2.36"]
    assert record.host.python_version == "3.11.7"
    assert record.host.cpu == "AMD EPYC"
    assert record.host.gpus is None
    assert record.host.env == {}
    assert record.has_result
    assert record.result["final_loss"] == {"dtype": "float64", "py/object": "numpy.float64", "value": 0.25}
    assert record.fail_trace is None
    assert record.artifacts == ["out_model.txt", "model_copy.txt"]
    assert record.resources == [("/home/researcher/refexp/data/input.txt",
                                 "runs/_resources/input_987929d61c9b69f0c6406b840aa77fd8.txt")]
    assert record.dependencies == ["numpy==2.4.6", "sacred==0.8.7"]
    assert record.sources == [
        ("helper_module.py", "_sources/helper_module_d7074ac4557c2d8356348cc7330ba4dc.py"),
        ("ref_experiment.py", "_sources/ref_experiment_de0377a787bbc9986a1d47d722a2d729.py")]
    assert len(record.repositories) == 2
    assert record.repositories[0].url == "git://home/researcher/refexp"
    assert record.repositories[0].commit == "d68d9a84e9a620a0a201d037af050ba4368632e5"
    assert record.repositories[0].dirty is False
    assert not record.is_dirty
    assert record.base_dir == "/home/researcher/refexp"
    assert record.mainfile == "ref_experiment.py"
    assert record.raw["meta"]["comment"] == "a comment"


def test_failed_run_has_joined_trace_and_empty_output(folder: RunsFolder) -> None:
    run = folder.run("2")
    record = run.read_record()
    assert record.fail_trace is not None
    assert record.fail_trace.startswith("Traceback (most recent call last):\n")
    assert record.fail_trace.endswith("ValueError: intentional failure\n")
    assert run.cout_tail().read_new() == ""


def test_interrupted_runs_have_no_trace(folder: RunsFolder) -> None:
    for run_id in ("3", "4", "5"):
        record = folder.run(run_id).read_record()
        assert record.fail_trace is None
        assert record.stop_time is not None


def test_queued_run(folder: RunsFolder) -> None:
    run = folder.run("6")
    record = run.read_record()
    assert record.queue_time == datetime(2026, 11, 28, 1, 24, 2, 932816)
    assert record.start_time is None and record.stop_time is None and record.heartbeat is None
    assert not record.has_result and record.result is None
    assert record.named_configs == ["big"]
    assert record.artifacts == [] and record.resources == []
    assert record.sources == [(name, md5) for name, md5 in SOURCES_MD5.items()]
    sources = run.sources()
    assert [(entry.relpath, entry.md5, entry.exists) for entry in sources] == [
        (name, md5, True) for name, md5 in SOURCES_MD5.items()]
    assert [entry.stored_path for entry in sources] == [run.dir / name for name in SOURCES_MD5]
    assert run.read_metrics() == {}
    assert run.read_config()["seed"] is not None
    assert run.artifacts() == []


def test_queued_run_source_falls_back_to_shared_copy(tmp_path: Path) -> None:
    shutil.copytree(REFERENCE, tmp_path / "runs")
    (tmp_path / "runs" / "6" / "helper_module.py").unlink()
    run = RunsFolder(tmp_path / "runs").run("6")
    entry = run.sources()[0]
    md5 = SOURCES_MD5["helper_module.py"]
    assert entry.exists
    assert entry.stored_path == tmp_path / "runs" / "_sources" / f"helper_module_{md5}.py"


def test_run_without_heartbeat(folder: RunsFolder) -> None:
    run = folder.run("7")
    record = run.read_record()
    assert record.heartbeat is None
    assert record.has_result
    assert run.read_metrics() == {}
    assert run.read_info() == {}
    assert run.cout_tail().read_new() == ""
    assert run.problems() == []


def test_failed_run_keeps_output_until_last_heartbeat(folder: RunsFolder) -> None:
    text = folder.run("8").cout_tail().read_new()
    assert len(text.encode()) == 260
    assert "Traceback" not in text


def test_filtered_output_run_keeps_raw_carriage_returns(folder: RunsFolder) -> None:
    text = folder.run("9").cout_tail().read_new()
    assert text.endswith("progress 0%\r\r\r\n")


def test_dirty_repository_and_second_resource(folder: RunsFolder) -> None:
    run = folder.run("10")
    assert run.read_record().is_dirty
    assert [repo.dirty for repo in run.read_record().repositories] == [True, True]
    resource = run.resources()[0]
    assert resource.path == REFERENCE / "_resources" / "input_04e7b2b1298ec647e12f32ad1593aaa5.txt"
    assert resource.exists


def test_custom_id_name_and_priority(folder: RunsFolder) -> None:
    record = folder.run("myrun").read_record()
    assert record.id == "myrun"
    assert record.experiment_name == "renamed"
    assert record.priority == 3.0
    assert record.options["--id"] == "myrun"


def test_metrics_info_and_config(folder: RunsFolder) -> None:
    run = folder.run("1")
    metrics = run.read_metrics()
    assert sorted(metrics) == ["acc", "loss", "train.lr"]
    assert metrics["loss"].values == [1.0, 0.5, 0.3333333432674408]
    assert metrics["acc"].steps == [0, 10, 20]
    assert metrics["loss"].timestamps[0] == "2026-11-28T01:24:00.261132"
    assert metrics["loss"].timestamp(0) == datetime(2026, 11, 28, 1, 24, 0, 261132)
    assert metrics["loss"].min_value() == 0.3333333432674408
    assert metrics["acc"].max_value() == 0.7 and metrics["acc"].last_value() == 0.7
    assert run.read_info()["custom"]["n"] == 3
    assert run.read_config()["lr"] == 0.02


def test_read_metrics_returns_copies(folder: RunsFolder) -> None:
    run = folder.run("1")
    run.read_metrics()["loss"].append(99, "", 1.0)
    assert len(run.read_metrics()["loss"]) == 3


def test_artifacts_have_sizes(folder: RunsFolder) -> None:
    entries = folder.run("1").artifacts()
    assert [(entry.name, entry.exists) for entry in entries] == [
        ("out_model.txt", True), ("model_copy.txt", True)]
    assert entries[0].size == (REFERENCE / "1" / "out_model.txt").stat().st_size
    assert entries[0].path == REFERENCE / "1" / "out_model.txt"


def test_sources_and_source_text(folder: RunsFolder) -> None:
    run = folder.run("1")
    entries = run.sources()
    assert [entry.relpath for entry in entries] == ["helper_module.py", "ref_experiment.py"]
    md5 = SOURCES_MD5["ref_experiment.py"]
    assert entries[1].stored_path == REFERENCE / "_sources" / f"ref_experiment_{md5}.py"
    text = run.read_source_text(entries[1])
    assert text is not None and "Experiment" in text


def test_resource_recorded_relative_to_writer_cwd_is_found(tmp_path: Path) -> None:
    shutil.copytree(REFERENCE, tmp_path / "elsewhere" / "my_runs")
    run = RunsFolder(tmp_path / "elsewhere" / "my_runs").run("1")
    (entry,) = run.resources()
    assert entry.original_path == "/home/researcher/refexp/data/input.txt"
    assert entry.stored_path == "runs/_resources/input_987929d61c9b69f0c6406b840aa77fd8.txt"
    copy = tmp_path / "elsewhere" / "my_runs" / "_resources" / "input_987929d61c9b69f0c6406b840aa77fd8.txt"
    assert entry.path == copy
    assert entry.exists


def test_missing_resource_is_reported_as_absent(tmp_path: Path) -> None:
    shutil.copytree(REFERENCE, tmp_path / "runs")
    shutil.rmtree(tmp_path / "runs" / "_resources")
    (entry,) = RunsFolder(tmp_path / "runs").run("1").resources()
    assert not entry.exists
    assert entry.path == tmp_path / "runs" / "_resources" / "input_987929d61c9b69f0c6406b840aa77fd8.txt"


def test_stored_run_accepts_a_plain_path() -> None:
    run = StoredRun(REFERENCE, "1")
    assert run.dir == REFERENCE / "1"
    assert run.read_record().status == "COMPLETED"


def test_import_loads_no_heavy_modules() -> None:
    code = ("import sys, core.runs; "
            "print(sorted(m for m in ('numpy', 'textual', 'sacred_tui') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
