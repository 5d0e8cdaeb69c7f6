"""cout.txt keeps the order in which a run wrote, wherever its stdout and stderr go (real processes).

The experiment draws a ``\\r`` progress bar with ``print(..., end="", flush=True)`` and logs with
``_log.info`` every 10 steps; it is run with stdout and stderr in two files, in one file (``2>&1``),
in two pipes and on a terminal, and cout.txt is compared with the interleaving the program produced.
"""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

STEPS = 30
EXPERIMENT = f'''
import sys
from core import Experiment
from core.utils import apply_backspaces_and_linefeeds

ex = Experiment("progress")
if "--filter" in sys.argv:
    sys.argv.remove("--filter")
    ex.captured_out_filter = apply_backspaces_and_linefeeds


@ex.automain
def main(_log):
    for step in range(1, {STEPS} + 1):
        accuracy = 0.9 + step / 10000
        print(f"\\rstep {{step}}/{STEPS} loss {{1 / step:.4f}} accuracy {{accuracy:.4f}}", end="", flush=True)
        if step % 10 == 0:
            _log.info("test accuracy %.3f", 0.9 + step / 2000)
    print()
'''


def progress(step: int) -> str:
    return f"\rstep {step}/{STEPS} loss {1 / step:.4f} accuracy {0.9 + step / 10000:.4f}"


def log_line(step: int) -> str:
    return f"INFO - main - test accuracy {0.9 + step / 2000:.3f}\n"


def program_writes() -> list[tuple[str, str]]:
    """What ``main`` writes, in order: (stream, text)."""
    writes = []
    for step in range(1, STEPS + 1):
        writes.append(("out", progress(step)))
        if step % 10 == 0:
            writes.append(("err", log_line(step)))
    writes.append(("out", "\n"))
    return writes


def run_experiment(folder: Path, destination: str, *args: str) -> tuple[str, str, str]:
    """Run it with stdout/stderr going to ``destination``; return (cout.txt, stdout, stderr)."""
    (folder / "progress.py").write_text(EXPERIMENT)
    command = [sys.executable, "progress.py", "-F", "runs", *args]
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONUNBUFFERED", "FORCE_COLOR")}
    out_path, err_path = folder / "o.log", folder / "e.log"
    if destination == "tty":
        main_end, child_end = pty.openpty()
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=child_end, stderr=child_end)
        os.close(child_end)
        received = _read_until_closed(main_end)
        proc.wait(timeout=60)
        stdout, stderr = received.replace("\r\n", "\n"), ""
    elif destination == "pipes":
        proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, timeout=60)
        stdout, stderr = proc.stdout.decode(), proc.stderr.decode()
    else:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.run(command, cwd=folder, env=env, stdout=out, timeout=60,
                                  stderr=out if destination == "one file" else err)
        stdout, stderr = out_path.read_bytes().decode(), err_path.read_bytes().decode() if err_path.exists() else ""
    assert proc.returncode == 0, (stdout, stderr)
    cout = (folder / "runs" / "1" / "cout.txt").read_bytes().decode()
    return cout, stdout, stderr


def _read_until_closed(fd: int) -> str:
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the terminal's other end was closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode()


def strip_run_lines(text: str) -> str:
    """Drop the run's own log lines (start, completion time), which frame the program's output."""
    return re.sub(r"INFO - progress - (Running command|Started run|Completed after)[^\n]*\n", "", text)


@pytest.mark.parametrize("destination", ["two files", "one file", "pipes", "tty"])
def test_fd_mode_cout_is_the_interleaving_the_program_wrote(tmp_path: Path, destination: str) -> None:
    cout, stdout, stderr = run_experiment(tmp_path, destination)
    assert strip_run_lines(cout) == "".join(text for _, text in program_writes())
    assert cout.startswith("INFO - progress - Running command 'main'\nINFO - progress - Started run with ID \"1\"\n")
    assert re.search(r"\nINFO - progress - Completed after \d+:\d\d:\d\d\n$", cout)
    if destination in ("two files", "pipes"):
        assert stdout == "".join(text for stream, text in program_writes() if stream == "out")
        assert strip_run_lines(stderr) == "".join(text for stream, text in program_writes() if stream == "err")
    elif destination == "tty":
        assert stdout == cout
    else:  # one file: Python block-buffers stdout to a file (the last print lands late), as without capture
        assert sorted(stdout) == sorted(cout)


@pytest.mark.parametrize("destination", ["two files", "one file", "tty"])
def test_the_filter_keeps_each_line_of_each_stream_intact(tmp_path: Path, destination: str) -> None:
    cout, _stdout, stderr = run_experiment(tmp_path, destination, "--filter")
    expected = []
    for step in (10, 20, 30):
        expected += [progress(step)[1:], log_line(step)[:-1]]
    expected.append("")  # the final print() ends the progress line that the last log line had ended already
    assert strip_run_lines(cout).splitlines() == expected
    for line in stderr.splitlines():  # every log line reached cout.txt unchanged
        assert line in cout.splitlines()


def test_sys_mode_keeps_python_writes_in_order_and_no_mode_captures_nothing(tmp_path: Path) -> None:
    cout, stdout, stderr = run_experiment(tmp_path, "two files", "--capture=sys")
    # As in Sacred, the sys mode sees what goes through sys.stdout/sys.stderr; a logging handler made
    # before the run writes to the original stream and is not captured.
    assert cout == "".join(text for stream, text in program_writes() if stream == "out")
    assert stdout == cout and "test accuracy 0.915" in stderr
    (tmp_path / "runs" / "1").rename(tmp_path / "sys-run")
    cout, stdout, stderr = run_experiment(tmp_path, "two files", "--capture=no")
    assert cout == ""
    assert stdout == "".join(text for stream, text in program_writes() if stream == "out")
    assert strip_run_lines(stderr) == "".join(text for stream, text in program_writes() if stream == "err")
    record = json.loads((tmp_path / "runs" / "1" / "run.json").read_text())
    assert record["status"] == "COMPLETED"
