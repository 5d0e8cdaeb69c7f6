"""``sacred-tui sweep``: bad input, a dry run, a real sweep, running it again, Ctrl-C with and without a terminal."""
from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sacred_tui.cli import main

TINY = Path(__file__).parent.parent / "data" / "launch" / "tiny_exp.py"
SACRED_TUI = [sys.executable, "-m", "sacred_tui"]


@pytest.fixture
def script(tmp_path: Path) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(TINY, folder / "tiny_exp.py"))


def statuses(runs: Path) -> dict[str, str]:
    return {p.name: json.loads((p / "run.json").read_text())["status"]
            for p in sorted(runs.iterdir(), key=lambda p: p.name) if p.name.isdigit()}


@pytest.mark.parametrize("args, message", [
    ([], "SCRIPT is required"),
    (["nosuch.py"], "no such file"),
    (["{script}", "-s", "steps"], "not a swept key: write KEY=VALUES"),
    (["{script}", "-s", "steps=1..x"], None),
    (["{script}", "--named", "fast,fast"], "is listed twice"),
    (["{script}", "with", "steps=1", "-s", "steps=2,3"], "steps is both swept and set to one value"),
    (["{script}", "main", "extra"], "expected 'with' before 'extra'"),
    (["{script}", "-j", "0"], "-j must be at least 1"),
    (["{script}", "--slurm", "--time", "two hours"], "is not one of SLURM's forms"),
    (["{script}", "--option=--id=3"], "--id is not allowed here"),
    (["{script}", "--seed-list", "1,x"], "--seed-list must be whole numbers"),
])
def test_bad_input_is_refused_with_the_reason(args: list[str], message: str | None, script: Path,
                                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", *(arg.replace("{script}", str(script)) for arg in args), "--runs", str(tmp_path / "runs")]
    if message is None:  # not a range: a value the update parser reads as a string, so the sweep is fine
        assert main([*argv, "--dry-run"]) == 0
        return
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_dry_run_prints_every_command_line(script: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(script), "with", "msg='a b'", "-s", "steps=1..2", "--named", ",fast",
                 "--seed-list", "7", "--runs", str(tmp_path / "runs"), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert lines[-1].startswith("4 runs: 2 named-config alternatives x steps (2 values) x 1 seeds")
    assert lines[0].endswith(f"tiny_exp.py with \"msg='a b'\" steps=1 seed=7 -F {tmp_path / 'runs'}")
    assert " with fast " in lines[3] and "steps=2 seed=7" in lines[3]
    assert not (tmp_path / "runs").exists()


def test_a_sweep_runs_to_the_end_and_runs_again_with_the_same_seeds(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    done = subprocess.run([*SACRED_TUI, "sweep", str(script), "-s", "steps=1,2", "--seeds", "2", "-j", "2",
                           "--runs", str(runs)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert statuses(runs) == {str(i): "COMPLETED" for i in range(1, 5)}
    assert "4 runs: 4 COMPLETED" in done.stdout
    assert "To run this sweep again exactly: " in done.stdout and "--seed-list=" in done.stdout
    sweep_id = re.search(r"sweep (\S+)\.", done.stdout).group(1)
    again = subprocess.run([*SACRED_TUI, "sweep", "--again", sweep_id, "--runs", str(runs)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stdout + again.stderr

    def configs(ids: range) -> list[tuple[int, int]]:
        loaded = (json.loads((runs / str(i) / "config.json").read_text()) for i in ids)
        return [(config["steps"], config["seed"]) for config in loaded]

    assert configs(range(1, 5)) == configs(range(5, 9))


def _wait_for(output: list[str], text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in "".join(output):
        assert time.monotonic() < deadline, "".join(output)
        time.sleep(0.05)


def test_ctrl_c_without_a_terminal_cancels_the_waiting_runs(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    process = subprocess.Popen([*SACRED_TUI, "sweep", str(script), "with", "delay=0.3", "-s", "steps=3,4,5",
                                "-j", "1", "--runs", str(runs)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    assert process.stdout is not None
    while "run 1 started" not in "".join(output):
        output.append(process.stdout.readline())
    process.send_signal(signal.SIGINT)
    output.append(process.stdout.read())
    assert process.wait(timeout=30) == 1
    text = "".join(output)
    assert "No terminal to ask: cancelling the waiting runs" in text and "Cancelled waiting runs 2, 3" in text
    assert "To run this sweep again (new seeds; --seeds N fixes them): " in text  # no seeds were composed
    assert statuses(runs) == {"1": "COMPLETED", "2": "INTERRUPTED", "3": "INTERRUPTED"}


def test_ctrl_c_in_a_terminal_can_keep_the_queue_for_resume(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    leader, follower = pty.openpty()
    process = subprocess.Popen([*SACRED_TUI, "sweep", str(script), "-s", "steps=1,2,3", "-j", "1",
                                "--runs", str(runs)], stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    output: list[str] = []

    def read_some() -> None:
        while select.select([leader], [], [], 0.05)[0]:
            try:
                output.append(os.read(leader, 4096).decode(errors="replace"))
            except OSError:
                return

    deadline = time.monotonic() + 20
    while "run 1 started" not in "".join(output):
        assert time.monotonic() < deadline, "".join(output)
        read_some()
    process.send_signal(signal.SIGINT)
    while "choice [c/s/k/r]" not in "".join(output):
        assert time.monotonic() < deadline, "".join(output)
        read_some()
    os.write(leader, b"k\n")
    assert process.wait(timeout=20) == 130
    read_some()
    os.close(leader)
    assert "sacred-tui sweep --resume --runs" in "".join(output)
    while statuses(runs)["1"] == "QUEUED":  # run 1's process was started: it takes its run
        assert time.monotonic() < deadline, statuses(runs)
        time.sleep(0.05)
    waiting = [run for run, status in statuses(runs).items() if status == "QUEUED"]
    assert waiting, statuses(runs)
    resumed = subprocess.run([*SACRED_TUI, "sweep", "--resume", "--runs", str(runs)], capture_output=True,
                             text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"Resuming {len(waiting)} waiting runs" in resumed.stdout
    deadline = time.monotonic() + 20
    while set(statuses(runs).values()) != {"COMPLETED"}:  # run 1 finishes on its own, unattended
        assert time.monotonic() < deadline, statuses(runs)
        time.sleep(0.1)


def test_sigterm_leaves_the_waiting_runs_queued_and_says_how_to_resume(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    process = subprocess.Popen([*SACRED_TUI, "sweep", str(script), "-s", "steps=1,2,3", "-j", "1", "--runs",
                                str(runs)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    while "run 1 started" not in process.stdout.readline():
        pass
    process.terminate()
    rest = process.stdout.read()
    assert process.wait(timeout=20) == 143
    assert "waiting runs stay QUEUED" in rest and f"sacred-tui sweep --resume --runs {runs}" in rest
    assert list(statuses(runs).values())[1:] == ["QUEUED", "QUEUED"]
