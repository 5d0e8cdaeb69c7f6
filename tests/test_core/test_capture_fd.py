"""Tests for the fd capture mode.

pytest captures descriptors 1 and 2 itself, so every fd-mode test runs in a fresh interpreter whose
stdout/stderr are files standing in for the terminal; the script reports its results as JSON.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

PROLOGUE = """\
import json, os, signal, subprocess, sys, threading, time
from core.capture_output import create_capture
result = {}
"""
EPILOGUE = """
with open(sys.argv[1], "w") as handle:
    json.dump(result, handle)
"""


def run_script(tmp_path: Path, body: str, *, shared_terminal: bool = True,
               unbuffered: bool = False) -> tuple[dict[str, Any], str, str]:
    """Run ``body`` in a new interpreter; return its JSON result and what reached its stdout/stderr.

    ``shared_terminal``: stdout and stderr go to one file (else two); ``unbuffered``: as ``python -u``.
    """
    result_path, out_path, err_path = tmp_path / "result.json", tmp_path / "out.txt", tmp_path / "err.txt"
    script = PROLOGUE + textwrap.dedent(body) + EPILOGUE
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.run([sys.executable, "-c", script, str(result_path)], cwd=REPO_ROOT, env=env,
                              stdout=out, stderr=out if shared_terminal else err, timeout=60)
    out_text = out_path.read_bytes().decode("utf-8", errors="replace")
    err_text = err_path.read_bytes().decode("utf-8", errors="replace")
    assert proc.returncode == 0, f"script failed:\n{out_text}\n{err_text}"
    return json.loads(result_path.read_text(encoding="utf-8")), out_text, err_text


@pytest.mark.parametrize("unbuffered", [False, True])
def test_fd_captures_python_c_and_subprocess_output_in_order_and_tees_it(tmp_path: Path, unbuffered: bool) -> None:
    result, terminal, _ = run_script(tmp_path, """
        import ctypes
        capture = create_capture("fd")
        capture.start()
        print("out 1")
        sys.stderr.write("err 1\\n")
        os.write(1, b"raw 1\\n")
        subprocess.run(["echo", "child 1"], check=True)
        os.write(2, b"raw err 2\\n")
        print("out 2")
        ctypes.CDLL(None).printf(b"from C\\n")
        started = time.monotonic()
        capture.stop()
        result["stop_seconds"] = time.monotonic() - started
        result["captured"] = capture.read_new()
        result["mode"] = capture.active_mode
    """, unbuffered=unbuffered)
    expected = "out 1\nerr 1\nraw 1\nchild 1\nraw err 2\nout 2\nfrom C\n"
    assert result["mode"] == "fd"
    assert result["captured"] == expected
    if unbuffered:  # as without the capture: every write reaches the terminal at once
        assert terminal == expected
    else:  # stdout to a file is block-buffered, as without the capture; each stream keeps its order
        assert sorted(terminal.splitlines()) == sorted(expected.splitlines())
        out_lines = ["out 1", "raw 1", "child 1", "out 2", "from C"]
        assert [line for line in terminal.splitlines() if line in out_lines] == out_lines
    assert result["stop_seconds"] < 0.5


def test_fd_loses_nothing_of_100k_lines(tmp_path: Path) -> None:
    result, terminal, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        for i in range(100000):
            print(i)
        os.write(1, b"tail without newline")
        capture.stop()
        captured = capture.read_new()
        result["ok"] = captured == "".join(f"{i}\\n" for i in range(100000)) + "tail without newline"
        result["lines"] = captured.count("\\n")
    """)
    assert result["lines"] == 100000
    assert result["ok"]
    assert terminal.count("\n") == 100000
    assert terminal.endswith("99999\ntail without newline")


def test_fd_read_new_returns_increments_while_running(tmp_path: Path) -> None:
    result, _, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        print("a")
        capture.flush()
        result["first"] = capture.read_new()
        result["nothing_new"] = capture.read_new()
        os.write(1, b"b\\n")
        capture.flush()
        result["second"] = capture.read_new()

        pieces, done = [], threading.Event()
        def poll():
            while not done.is_set():
                pieces.append(capture.read_new())
                time.sleep(0.005)
        poller = threading.Thread(target=poll)
        poller.start()
        for i in range(300):
            print(f"line {i}")
            if i % 50 == 0:
                time.sleep(0.02)
        capture.stop()
        done.set()
        poller.join()
        pieces.append(capture.read_new())
        result["polled_ok"] = "".join(pieces) == "".join(f"line {i}\\n" for i in range(300))
        result["increments"] = sum(1 for piece in pieces if piece)
        print("after stop")
        result["after_stop"] = capture.read_new()
    """)
    assert result["first"] == "a\n"
    assert result["nothing_new"] == ""
    assert result["second"] == "b\n"
    assert result["polled_ok"]
    assert result["increments"] > 1
    assert result["after_stop"] == ""


def test_fd_stop_restores_descriptors_streams_and_closes_its_pipes(tmp_path: Path) -> None:
    result, terminal, _ = run_script(tmp_path, """
        def state():
            return [list(os.fstat(fd)[1:3]) for fd in (1, 2)], sys.stdout.line_buffering
        stdout = sys.stdout
        before, open_before = state(), sorted(os.listdir("/dev/fd"))
        capture = create_capture("fd")
        with capture as entered:
            capture.start()  # a second start changes nothing
            result["entered_is_capture"] = entered is capture
            result["during"] = state()
            print("inside")
        capture.stop()
        result["same_after"] = state() == before
        result["stdout_object_kept"] = sys.stdout is stdout
        result["line_buffering_before"] = before[1]
        from core.capture_pipes import READER  # its epoll set (or wake-up pipe) stays open for the next capture
        watched = READER._epoll.fileno() if READER._epoll is not None else None
        kept = {str(fd) for fd in (READER._wake_read, READER._wake_write, watched) if fd is not None}
        result["fds_closed"] = sorted(set(os.listdir("/dev/fd")) - kept) == open_before
        result["captured"] = capture.read_new()
        print("outside")
        result["after"] = capture.read_new()
        result["before"] = before[0]
    """)
    assert result["entered_is_capture"]
    assert result["during"][0] != result["before"]
    assert result["during"][1] is True
    assert result["line_buffering_before"] is False
    assert result["same_after"]
    assert result["stdout_object_kept"]
    assert result["fds_closed"]
    assert result["captured"] == "inside\n"
    assert result["after"] == ""
    assert terminal == "inside\noutside\n"


@pytest.mark.parametrize("unbuffered", [False, True])
def test_fd_keeps_separate_destinations_of_stdout_and_stderr(tmp_path: Path, unbuffered: bool) -> None:
    result, out, err = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        for i in range(3):
            print(f"out {i}")
            sys.stderr.write(f"err {i}\\n")
        subprocess.run(["sh", "-c", "echo child out; echo child err >&2"], check=True)
        capture.stop()
        result["captured"] = capture.read_new()
    """, shared_terminal=False, unbuffered=unbuffered)
    assert out == "out 0\nout 1\nout 2\nchild out\n"
    assert err == "err 0\nerr 1\nerr 2\nchild err\n"
    captured = result["captured"].splitlines()
    assert [line for line in captured if "out" in line] == out.splitlines()
    assert [line for line in captured if "err" in line] == err.splitlines()
    assert len(captured) == 8


@pytest.mark.parametrize("shared_terminal", [False, True])
def test_fd_keeps_the_order_of_writes_wherever_the_streams_go(tmp_path: Path, shared_terminal: bool) -> None:
    result, out, err = run_script(tmp_path, """
        import logging
        handler = logging.StreamHandler()  # holds the original sys.stderr, as a handler made before a run
        log = logging.getLogger("t")
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        capture = create_capture("fd")
        capture.start()
        for step in range(30):
            print(f"\\rstep {step}", end="", flush=True)
            if step % 10 == 9:
                log.info("evaluated %d", step)
        os.write(1, b"partial")
        time.sleep(0.05)
        os.write(2, b"err\\n")
        time.sleep(0.05)
        os.write(1, b" line\\n")
        capture.stop()
        result["chunks"] = capture.read_new_chunks()
    """, shared_terminal=shared_terminal)
    expected = []
    for step in range(30):
        expected.append([1, f"\rstep {step}"])
        if step % 10 == 9:
            expected.append([2, f"evaluated {step}\n"])
    expected += [[1, "partial"], [2, "err\n"], [1, " line\n"]]
    merged: list[list] = []
    for stream, text in expected:
        if merged and merged[-1][0] == stream:
            merged[-1][1] += text
        else:
            merged.append([stream, text])
    assert result["chunks"] == merged
    stdout_text = "".join(f"\rstep {step}" for step in range(30)) + "partial line\n"
    stderr_text = "evaluated 9\nevaluated 19\nevaluated 29\nerr\n"
    if not shared_terminal:
        assert (out, err) == (stdout_text, stderr_text)
    else:
        assert "".join(text for _, text in merged) == out


def test_fd_stop_waits_bounded_for_a_subprocess_still_holding_the_pipe(tmp_path: Path) -> None:
    result, terminal, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        child = subprocess.Popen(["sh", "-c", "echo early; sleep 0.3; echo late; sleep 5; echo too late"])
        started = time.monotonic()
        capture.stop()
        result["stop_seconds"] = time.monotonic() - started
        result["captured"] = capture.read_new()
        child.kill()
        child.wait()
    """)
    assert result["captured"] == "early\nlate\n"
    assert 0.3 < result["stop_seconds"] < 2.5
    assert terminal == "early\nlate\n"


def test_fd_output_is_complete_when_the_block_fails_or_is_terminated(tmp_path: Path) -> None:
    result, _, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        try:
            with capture:
                print("before failure")
                os.write(2, b"stderr before failure\\n")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        result["failed"] = capture.read_new()

        def on_sigterm(signum, frame):
            raise SystemExit(143)
        signal.signal(signal.SIGTERM, on_sigterm)
        capture = create_capture("fd")
        try:
            with capture:
                print("before sigterm", end="")
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
        except SystemExit:
            pass
        result["terminated"] = capture.read_new()
    """)
    assert result["failed"] == "before failure\nstderr before failure\n"
    assert result["terminated"] == "before sigterm"


def test_fd_decodes_utf8_split_across_writes_and_replaces_invalid_bytes(tmp_path: Path) -> None:
    result, _, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        os.write(1, "é".encode()[:1])
        capture.flush()
        result["half"] = capture.read_new()
        os.write(1, "é".encode()[1:] + b"\\n")
        os.write(1, b"bad \\xff\\n")
        capture.stop()
        result["rest"] = capture.read_new()
    """)
    assert result["half"] == ""
    assert result["rest"] == "é\nbad \ufffd\n"


def test_fd_restores_descriptors_at_exit_when_never_stopped(tmp_path: Path) -> None:
    result, terminal, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        print("x" * 200000)
        result["started"] = capture.started
    """)
    assert result["started"]
    assert terminal == "x" * 200000 + "\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread switch counts are read from /proc")
def test_fd_captures_in_a_row_leave_the_reader_thread_asleep_yet_it_drains_large_c_output(tmp_path: Path) -> None:
    """A program making many short runs does not wake the pipe reader for each; output written below
    Python (more than the pipe holds, with no Python write to take it in) is still drained by it."""
    result, terminal, _ = run_script(tmp_path, """
        import ctypes
        def reader_switches():
            reader = next(t for t in threading.enumerate() if t.name == "output-capture-reader")
            with open(f"/proc/self/task/{reader.native_id}/status") as status:
                return int(next(line for line in status if line.startswith("voluntary_ctxt_switches")).split()[1])
        texts = []
        for index in range(101):
            capture = create_capture("fd")
            with capture:
                print("run", index)
            texts.append(capture.read_new())
            if index == 0:
                before = reader_switches()
        result["switches"] = reader_switches() - before
        result["short_ok"] = texts == [f"run {index}\\n" for index in range(101)]
        capture = create_capture("fd")
        with capture:
            libc = ctypes.CDLL(None)
            line = b"x" * 1023 + b"\\n"
            for _ in range(4096):  # 4 MiB through write(2), bypassing Python: the pipe holds 1 MiB
                libc.write(1, line, len(line))
        result["large_ok"] = capture.read_new() == (line * 4096).decode()
    """)
    assert result["short_ok"]
    assert result["large_ok"]
    assert result["switches"] < 20, result["switches"]
    assert terminal.count("x" * 1023) == 4096


def test_a_forked_child_writes_into_the_parents_capture_and_never_waits_on_its_locks(tmp_path: Path) -> None:
    """A child forked during an fd capture (``os.fork``, multiprocessing's "fork") prints through descriptors
    1 and 2 into the parent's capture, once each, also when another thread of the parent held the
    capture's lock at the moment of the fork."""
    result, terminal, _ = run_script(tmp_path, """
        capture = create_capture("fd")
        capture.start()
        print("parent before")
        held, release = threading.Event(), threading.Event()

        def hold_the_lock():
            with capture._pipes.lock:
                held.set()
                release.wait(5)

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        held.wait(5)
        pid = os.fork()
        if pid == 0:
            print("child python")
            sys.stdout.flush()
            os.write(1, b"child raw\\n")
            os._exit(0)
        release.set()
        holder.join()
        started = time.monotonic()
        _, status = os.waitpid(pid, 0)
        result["child_seconds"] = time.monotonic() - started
        result["child_status"] = status
        print("parent after")
        capture.stop()
        result["captured"] = capture.read_new()
    """)
    assert result["child_status"] == 0
    assert result["child_seconds"] < 3
    assert result["captured"] == "parent before\nchild python\nchild raw\nparent after\n"
    assert terminal == "parent before\nchild python\nchild raw\nparent after\n"
