"""Run lifecycle through real processes: statuses, exit codes, signals, options, and complete output."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

LIFECYCLE = '''
import os, signal, sys, time
from core import Experiment
from core.utils import SacredInterrupt, TimeoutInterrupt

ex = Experiment("life")


class Custom(SacredInterrupt):
    STATUS = "MY_CUSTOM_STATUS"


@ex.config
def cfg():
    mode = "ok"
    sleep = 0.0


@ex.automain
def main(_run, mode, sleep):
    print("before", mode, flush=True)
    _run.log_scalar("loss", 0.5)
    _run.info["seen"] = mode
    if sleep:
        print("sleeping", flush=True)
        time.sleep(sleep)
    if mode == "fail":
        print("last words")
        raise ValueError("intentional failure")
    if mode == "interrupt":
        print("last words")
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    if mode == "timeout":
        raise TimeoutInterrupt()
    if mode == "custom":
        raise Custom()
    if mode == "exit0":
        print("exiting")
        sys.exit(0)
    if mode == "exit3":
        sys.exit(3)
    return 42
'''


@pytest.fixture
def life(script):
    script.write("life.py", LIFECYCLE)
    return script


def read_run(folder, run_id="1"):
    run_dir = folder / "runs" / run_id
    record = json.loads((run_dir / "run.json").read_text())
    cout = (run_dir / "cout.txt").read_text() if (run_dir / "cout.txt").exists() else None
    return record, cout


@pytest.mark.parametrize("mode, status, code", [
    ("ok", "COMPLETED", 0),
    ("fail", "FAILED", 1),
    ("interrupt", "INTERRUPTED", 130),
    ("timeout", "TIMEOUT", 1),
    ("custom", "MY_CUSTOM_STATUS", 1),
    ("exit0", "COMPLETED", 0),
    ("exit3", "FAILED", 3),
])
def test_status_exit_code_and_complete_output(life, mode, status, code):
    result = life.run("life.py", "-F", "runs", "with", f"mode={mode}")
    assert result.returncode == code, result.stderr
    record, cout = read_run(life.folder)
    assert record["status"] == status
    assert record["stop_time"]
    assert f"before {mode}" in cout
    if mode in ("fail", "interrupt"):
        assert "last words" in cout
    if mode == "fail":
        assert record["fail_trace"][-1] == "ValueError: intentional failure\n"
        assert "Failed after" in cout
    if mode == "ok":
        assert record["result"] == 42
        assert "Completed after" in cout
    metrics = json.loads((life.folder / "runs" / "1" / "metrics.json").read_text())
    assert metrics["loss"]["values"] == [0.5]
    assert json.loads((life.folder / "runs" / "1" / "info.json").read_text()) == {"seen": mode}


def _wait_for(path, text, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and text in path.read_text():
            return True
        time.sleep(0.05)
    return False


def _start(life, *args):
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "life.py", *args], cwd=life.folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigterm_ends_interrupted_with_complete_cout(life):
    process = _start(life, "-F", "runs", "with", "sleep=30")
    cout_path = life.folder / "runs" / "1" / "cout.txt"
    assert _wait_for(cout_path, "sleeping"), "cout.txt did not show live output within the timeout"
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)
    assert process.returncode == 143
    record, cout = read_run(life.folder)
    assert record["status"] == "INTERRUPTED"
    assert "sleeping" in cout and "Aborted after" in cout


def test_sigkill_leaves_valid_files(life):
    process = _start(life, "-F", "runs", "-b", "0.2", "with", "sleep=30")
    cout_path = life.folder / "runs" / "1" / "cout.txt"
    assert _wait_for(cout_path, "sleeping")
    time.sleep(0.5)
    process.kill()
    process.communicate(timeout=20)
    run_dir = life.folder / "runs" / "1"
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "RUNNING"
    assert record["heartbeat"] is not None
    from core.runs import RunsFolder
    pid, hostname = RunsFolder(life.folder / "runs").run("1").read_process()
    assert pid == process.pid and hostname
    json.loads((run_dir / "config.json").read_text())
    json.loads((run_dir / "metrics.json").read_text())


def test_cout_grows_live_within_about_a_second(life):
    process = _start(life, "-F", "runs", "with", "sleep=5")
    try:
        cout_path = life.folder / "runs" / "1" / "cout.txt"
        started = time.time()
        assert _wait_for(cout_path, "sleeping", timeout=10)
        run_json = json.loads((life.folder / "runs" / "1" / "run.json").read_text())
        start = run_json["start_time"]
        assert start
        assert time.time() - started < 5
    finally:
        process.kill()
        process.communicate()


def test_queue_only_writes_a_queued_record(life):
    result = life.run("life.py", "-F", "runs", "-q")
    assert result.returncode == 0, result.stderr
    assert 'Queued-up run with ID "1"' in result.stderr
    record, _ = read_run(life.folder)
    assert record["status"] == "QUEUED"
    assert "queue_time" in record["meta"]
    assert not (life.folder / "runs" / "1" / "cout.txt").exists()


def test_unobserved_writes_nothing(life):
    result = life.run("life.py", "-F", "runs", "-u")
    assert result.returncode == 0, result.stderr
    assert not (life.folder / "runs").exists()


def test_id_name_comment_priority(life):
    result = life.run("life.py", "-F", "runs", "-i", "myrun", "-n", "renamed", "-c", "hello", "-P", "3")
    assert result.returncode == 0, result.stderr
    record, _ = read_run(life.folder, "myrun")
    assert record["experiment"]["name"] == "renamed"
    assert record["meta"]["comment"] == "hello"
    assert record["meta"]["priority"] == 3.0
    again = life.run("life.py", "-F", "runs", "-i", "myrun")
    assert again.returncode == 1
    assert "myrun" in again.stderr
    assert read_run(life.folder, "myrun")[0]["status"] == "COMPLETED"


def test_bad_priority_and_capture_mode_are_clear_errors(life):
    bad_priority = life.run("life.py", "-F", "runs", "-P", "high")
    assert bad_priority.returncode == 1 and "PRIORITY" in bad_priority.stderr
    bad_capture = life.run("life.py", "-F", "runs", "-C", "tee")
    assert bad_capture.returncode == 1 and "capture mode" in bad_capture.stderr
    assert not (life.folder / "runs").exists()


@pytest.mark.parametrize("mode", ["fd", "sys", "no"])
def test_capture_modes(life, mode):
    result = life.run("life.py", "-F", "runs", f"--capture={mode}")
    assert result.returncode == 0, result.stderr
    _, cout = read_run(life.folder)
    if mode == "no":
        assert cout == ""
    else:
        assert "before ok" in cout
    assert "before ok" in result.stdout


def test_beat_interval_zero_keeps_heartbeat_null_but_saves_output(life):
    result = life.run("life.py", "-F", "runs", "-b", "0")
    assert result.returncode == 0, result.stderr
    record, cout = read_run(life.folder)
    assert record["heartbeat"] is None
    assert "before ok" in cout


def test_loglevel_and_print_config_and_debug(life):
    quiet = life.run("life.py", "-l", "WARNING")
    assert "Running command" not in quiet.stderr
    bad = life.run("life.py", "-l", "LOUD")
    assert bad.returncode == 1 and "log level" in bad.stderr
    printed = life.run("life.py", "-p")
    assert "Configuration (modified, added, typechanged, doc):" in printed.stdout
    assert "-" * 79 in printed.stdout
    debug = life.run("life.py", "-d", "with", "mode=fail")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr


def test_enforce_clean_outside_git_fails(life):
    result = life.run("life.py", "-F", "runs", "-e")
    assert result.returncode == 1
    assert "No version control detected" in result.stderr


def test_sixteen_processes_starting_at_once_get_distinct_ids_and_lose_nothing(script):
    script.write("tiny.py", '''
        from core import Experiment
        ex = Experiment("tiny")

        @ex.config
        def cfg():
            k = 0

        @ex.automain
        def main(_run, k):
            _run.log_scalar("k", k)
            print("k is", k)
            return k
        ''')
    processes = [subprocess.Popen([sys.executable, "tiny.py", "-F", "runs", "with", f"k={k}"], cwd=script.folder,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for k in range(16)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 16, errors
    runs = script.folder / "runs"
    ids = sorted(int(d.name) for d in runs.iterdir() if d.name.isdigit())
    assert ids == list(range(1, 17))
    seen = set()
    for run_id in ids:
        run_dir = runs / str(run_id)
        record = json.loads((run_dir / "run.json").read_text())
        k = json.loads((run_dir / "config.json").read_text())["k"]
        assert record["status"] == "COMPLETED" and record["result"] == k
        assert f"k is {k}" in (run_dir / "cout.txt").read_text()
        assert json.loads((run_dir / "metrics.json").read_text())["k"]["values"] == [k]
        seen.add(k)
    assert seen == set(range(16))


def test_bad_artifact_names_are_refused_and_the_run_goes_on(script):
    script.write("arts.py", '''
        from core import Experiment
        ex = Experiment("arts")

        @ex.automain
        def main(_run):
            with open("out.txt", "w") as f:
                f.write("data")
            _run.add_artifact("out.txt", name="run.json")
            _run.add_artifact("out.txt", name="../escape.txt")
            _run.add_artifact("out.txt", name="/tmp/abs.txt")
            _run.add_artifact("missing.txt")
            _run.add_artifact("out.txt", name="kept.txt")
            return "finished"
        ''')
    result = script.run("arts.py", "-F", "runs")
    assert result.returncode == 0, result.stderr
    run_dir = script.folder / "runs" / "1"
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "COMPLETED" and record["result"] == "finished"
    assert record["artifacts"] == ["kept.txt"]
    assert (run_dir / "kept.txt").read_text() == "data"
    assert json.loads((run_dir / "run.json").read_text())["command"] == "main"
    assert not (script.folder / "runs" / "escape.txt").exists()
    assert "would overwrite a file of the run record" in result.stderr
    assert "must be a plain file name inside the run folder" in result.stderr
    assert "does not exist" in result.stderr
