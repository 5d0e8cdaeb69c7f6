"""A read that never returns (a hung file system) must not keep the app from drawing keys or quitting."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sacred_tui.data.daemon_executor import DaemonThreadExecutor
from tui_runs_factory import write_run

# Starts the real app with every run read stuck forever while holding the store's lock.
STUCK_APP = textwrap.dedent("""
    import sys, threading
    from sacred_tui.data import run_row_reader
    from sacred_tui.app import SacredTuiApp

    never = threading.Event()

    def stuck_read(self, *args, **kwargs):
        sys.__stderr__.write("a reader is stuck\\n")
        never.wait()

    run_row_reader.RunRowReader.read = stuck_read
    SacredTuiApp(sys.argv[1], liveness_interval=0.2).run()
    print("the app has quit")
""")


def _read(leader: int, seconds: float) -> bytes:
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.05)[0]:
            try:
                data += os.read(leader, 65536)
            except OSError:
                break
    return data


def _read_until(leader: int, marker: bytes, process: subprocess.Popen[bytes], seconds: float = 30) -> bytes:
    """Read the terminal until ``marker`` shows (a loaded machine may take seconds to draw)."""
    output = b""
    deadline = time.monotonic() + seconds
    while marker not in output:
        assert process.poll() is None, f"the app ended: {output[-2000:]!r}"
        assert time.monotonic() < deadline, f"{marker!r} not shown in {seconds} s: {output[-2000:]!r}"
        output += _read(leader, 0.1)
    return output


def test_quit_works_while_a_reader_thread_is_stuck(tmp_path: Path) -> None:
    write_run(tmp_path / "runs", "1")
    script = tmp_path / "stuck_app.py"
    script.write_text(STUCK_APP)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen([sys.executable, str(script), str(tmp_path / "runs")],
                               stdin=follower, stdout=follower, stderr=follower, start_new_session=True)
    os.close(follower)
    try:
        output = _read_until(leader, b"a reader is stuck", process)
        # The keys still work (the columns dialog reads the store) and liveness ticks go on.
        os.write(leader, b"c")
        output += _read_until(leader, b"Extra columns", process)
        os.write(leader, b"\x1b")
        output += _read(leader, 0.5)
        os.write(leader, b"q")  # quits from the table, or from the dialog if Esc is not handled yet
        started = time.monotonic()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("the app did not quit while a reader thread was stuck")
        output += _read(leader, 0.2)
        assert time.monotonic() - started < 10  # well under a second when idle; a stuck join never ends
        assert b"the app has quit" in output
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


def test_daemon_executor_runs_calls_and_never_waits_on_shutdown() -> None:
    executor = DaemonThreadExecutor()
    assert executor.submit(lambda a, b: a + b, 2, b=3).result(timeout=2) == 5
    failing = executor.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(timeout=2)
    never = threading.Event()
    stuck = executor.submit(never.wait)
    started = time.monotonic()
    executor.shutdown(wait=True)
    assert time.monotonic() - started < 0.5 and not stuck.done()
    with pytest.raises(RuntimeError):
        executor.submit(print)
    never.set()
    stuck.result(timeout=2)
