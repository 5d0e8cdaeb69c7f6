"""What a run records when something goes wrong while recording (real processes, real files).

Bad artifact names, an observer call that fails, a full disk, an unstorable result, a read-only runs
folder: the run's other files are still written, the problem is reported on stderr, the exit code says
when the record is incomplete, and every file on disk stays valid.
"""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

EXIT_RECORD_INCOMPLETE = 74

RECORDING = '''
import os, sys
from core import Experiment

ex = Experiment("rec")
CASE = sys.argv.pop(1)


@ex.automain
def main(_run):
    print("before", flush=True)
    _run.log_scalar("loss", 0.5)
    _run.info["seen"] = "before"
    source = "artifact.txt"
    with open(source, "w") as handle:
        handle.write("data\\n")
    if CASE == "nul":
        _run.add_artifact(source, name="nul\\x00name")
    elif CASE == "directory":
        os.makedirs("a_folder", exist_ok=True)
        _run.add_artifact("a_folder")
    elif CASE == "collision":  # the copy fails inside the observer: a folder of that name is in the run
        os.makedirs(os.path.join("runs", str(_run._id), "taken"))
        _run.add_artifact(source, name="taken")
    elif CASE == "huge":
        return 10**5000
    print("after", flush=True)
    _run.log_scalar("loss", 0.25)
    _run.info["seen"] = "after"
    _run.add_artifact(source, name="kept.txt")
    return 1
'''


@pytest.fixture
def recording(script):
    script.write("rec.py", RECORDING)
    return script


def stored(folder: Path, run_id: str = "1") -> dict:
    run_dir = folder / "runs" / run_id
    files = {"record": json.loads((run_dir / "run.json").read_text()),
             "cout": (run_dir / "cout.txt").read_text(),
             "info": json.loads((run_dir / "info.json").read_text())}
    files["metrics"] = json.loads((run_dir / "metrics.json").read_text())
    return files


def test_a_nul_byte_in_an_artifact_name_is_refused_and_recording_goes_on(recording):
    result = recording.run("rec.py", "nul", "-F", "runs")
    assert result.returncode == 0, result.stderr
    assert "contains a control character" in result.stderr
    run = stored(recording.folder)
    assert run["record"]["status"] == "COMPLETED" and run["record"]["artifacts"] == ["kept.txt"]
    assert "\nbefore\nERROR - rec - Artifact not stored: Artifact " in run["cout"]
    assert "\nafter\n" in run["cout"] and run["info"] == {"seen": "after"}
    assert run["metrics"]["loss"]["values"] == [0.5, 0.25]


def test_a_failing_observer_call_costs_only_its_own_file_and_the_exit_code_says_so(recording):
    result = recording.run("rec.py", "collision", "-F", "runs")
    assert result.returncode == EXIT_RECORD_INCOMPLETE, result.stderr
    assert "failed in artifact_event" in result.stderr and "taken" in result.stderr
    assert "The record of this run is incomplete" in result.stderr
    run = stored(recording.folder)
    assert run["record"]["status"] == "COMPLETED" and run["record"]["artifacts"] == ["kept.txt"]
    assert "\nbefore\nERROR - rec - The observer" in run["cout"] and "\nafter\n" in run["cout"]
    assert run["info"] == {"seen": "after"} and run["metrics"]["loss"]["values"] == [0.5, 0.25]


def test_a_directory_artifact_is_named_as_such(recording):
    result = recording.run("rec.py", "directory", "-F", "runs")
    assert result.returncode == 0, result.stderr
    assert "a_folder is a directory" in result.stderr and "does not exist" not in result.stderr
    assert stored(recording.folder)["record"]["artifacts"] == ["kept.txt"]


def test_a_result_json_cannot_hold_is_stored_as_its_repr_and_the_status_is_written(recording):
    result = recording.run("rec.py", "huge", "-F", "runs")
    assert result.returncode == 0, result.stderr
    assert "cannot be stored as JSON" in result.stderr and "Logging error" not in result.stderr
    record = stored(recording.folder)["record"]
    assert record["status"] == "COMPLETED" and record["result"] == "1" + "0" * 5000


@pytest.fixture
def read_only_runs(tmp_path):
    """A runs folder nobody may write to: a read-only bind mount for root, else a folder without w bits."""
    runs = tmp_path / "runs"
    runs.mkdir()
    if os.geteuid() != 0:
        runs.chmod(0o555)
        yield runs, "Permission denied"
        runs.chmod(0o755)
        return
    bound = subprocess.run(["mount", "--bind", str(runs), str(runs)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"root ignores permissions and a read-only bind mount is not possible here: {bound.stderr}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(runs)], check=True, capture_output=True)
        yield runs, "Read-only file system"
    finally:
        subprocess.run(["umount", "-l", str(runs)], capture_output=True)


def test_a_read_only_runs_folder_fails_clearly_before_the_run(recording, read_only_runs):
    runs, reason = read_only_runs
    result = recording.run("rec.py", "plain", "-F", str(runs))
    assert result.returncode == 1
    assert f"Cannot create a run folder in {runs}: {reason}" in result.stderr
    assert "did not start here" not in result.stderr and "Traceback" not in result.stderr
    assert "before" not in result.stdout  # the experiment did not run without its record


FILLING = '''
import os, sys, time
from core import Experiment

ex = Experiment("fill")
FILLER = sys.argv.pop(1)


@ex.automain
def main(_run):
    for step in range(50):
        print(f"line {step} " + "x" * 60, flush=True)
        _run.log_scalar("loss", 1 / (step + 1))
    time.sleep(1.3)  # the record holds these lines before the disk fills
    if FILLER != "none":  # fill the disk the runs folder is on
        fd = os.open(FILLER, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\\0" * 4096)
        except OSError:
            os.close(fd)
    for step in range(50, 3000):
        print(f"line {step} " + "x" * 60)
        _run.log_scalar("loss", 1 / (step + 1))
    return 7
'''


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (root only): runs written there fill it quickly."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root (CI and this machine run the tests as root)")
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_a_full_disk_is_reported_and_the_record_on_disk_stays_valid_and_says_so(small_disk, script):
    script.write("fill.py", FILLING)
    runs = small_disk / "runs"
    earlier = script.run("fill.py", "none", "-F", str(runs))
    assert earlier.returncode == 0, earlier.stderr
    before = {path.name: path.read_bytes() for path in (runs / "1").iterdir()}

    result = script.run("fill.py", str(small_disk / "filler"), "-F", str(runs))
    assert result.returncode == EXIT_RECORD_INCOMPLETE, result.stderr
    assert f"No space left on device: cannot write" in result.stderr and str(runs / "2") in result.stderr
    assert "free)" in result.stderr and "The record of this run is incomplete" in result.stderr
    run_dir = runs / "2"
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "FAILED" and record["stop_time"]
    assert record["fail_trace"][0].startswith("The record of this run is incomplete: no space left on device")
    assert record["fail_trace"][-1] == "The program itself ended COMPLETED.\n"
    cout = (run_dir / "cout.txt").read_text()
    assert cout.startswith("INFO - fill - Running command") and "line 49 " in cout
    assert all(line.startswith(("INFO", "line ")) for line in cout.splitlines())
    lines = (run_dir / "metrics.jsonl").read_text() if (run_dir / "metrics.jsonl").exists() else ""
    assert lines == "" or lines.endswith("\n")
    for line in lines.splitlines():
        json.loads(line)
    for name in os.listdir(run_dir):
        if name.endswith(".json"):
            json.loads((run_dir / name).read_text())
    assert not [name for name in os.listdir(run_dir) if name.startswith(".")]
    assert {path.name: path.read_bytes() for path in (runs / "1").iterdir()} == before
