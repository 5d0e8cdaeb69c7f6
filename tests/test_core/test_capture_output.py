"""Tests for output capture in the sys and no modes, the fd mode's fallback to sys, and mode selection."""
from __future__ import annotations

import io
import sys
import threading

import pytest

from core.capture_output import NoCapture, SysCapture, create_capture


def test_fd_falls_back_to_sys_when_stdout_has_no_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_out, fake_err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake_out)
    monkeypatch.setattr(sys, "stderr", fake_err)
    capture = create_capture("fd")
    with capture:
        assert capture.active_mode == "sys"
        print("to stdout")
        print("to stderr", file=sys.stderr)
    assert sys.stdout is fake_out and sys.stderr is fake_err
    assert capture.read_new() == "to stdout\nto stderr\n"
    assert fake_out.getvalue() == "to stdout\n"
    assert fake_err.getvalue() == "to stderr\n"


def test_fd_falls_back_under_capsys(capsys: pytest.CaptureFixture[str]) -> None:
    capture = create_capture("fd")
    with capture:
        print("seen by both")
    assert capture.read_new() == "seen by both\n"
    assert capsys.readouterr().out == "seen by both\n"


def fake_streams(monkeypatch: pytest.MonkeyPatch) -> tuple[io.StringIO, io.StringIO]:
    """Replace sys.stdout/sys.stderr inside the test body (pytest resets them between test phases)."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    return out, err


def test_sys_captures_and_tees_python_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = fake_streams(monkeypatch)
    capture = create_capture("sys")
    assert isinstance(capture, SysCapture)
    capture.start()
    capture.start()
    print("hello")
    sys.stderr.write("warning\n")
    sys.stdout.writelines(["a", "b\n"])
    capture.flush()
    assert capture.read_new() == "hello\nwarning\nab\n"
    print("more")
    capture.stop()
    capture.stop()
    assert capture.read_new() == "more\n"
    assert out.getvalue() == "hello\nab\nmore\n"
    assert err.getvalue() == "warning\n"
    assert sys.stdout is out and sys.stderr is err


def test_sys_proxy_exposes_original_attributes_and_rejects_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_streams(monkeypatch)
    with create_capture("sys"):
        assert sys.stdout.isatty() is False
        sys.stdout.write("x")
        assert sys.stdout.getvalue() == "x"  # type: ignore[attr-defined]
        with pytest.raises(TypeError, match="write\\(\\) argument must be str, not bytes"):
            sys.stdout.write(b"raw")  # type: ignore[arg-type]


def test_sys_stop_leaves_streams_replaced_by_someone_else(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, err = fake_streams(monkeypatch)
    replacement = io.StringIO()
    capture = create_capture("sys")
    capture.start()
    sys.stdout = replacement
    capture.stop()
    assert sys.stdout is replacement
    assert sys.stderr is err


def test_sys_capture_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_streams(monkeypatch)
    capture = create_capture("sys")
    pieces: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            pieces.append(capture.read_new())

    def write(thread_id: int) -> None:
        for line in range(500):
            sys.stdout.write(f"t{thread_id}-{line}\n")

    with capture:
        poller = threading.Thread(target=poll)
        poller.start()
        writers = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        done.set()
        poller.join()
    pieces.append(capture.read_new())
    lines = "".join(pieces).splitlines()
    assert sorted(lines) == sorted(f"t{n}-{line}" for n in range(6) for line in range(500))


def test_no_mode_captures_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = fake_streams(monkeypatch)
    capture = create_capture("no")
    assert isinstance(capture, NoCapture)
    with capture:
        print("only on the terminal")
        capture.flush()
        assert capture.read_new() == ""
    assert capture.read_new() == ""
    assert out.getvalue() == "only on the terminal\n"


def test_unknown_mode_is_rejected_with_the_allowed_modes() -> None:
    with pytest.raises(ValueError) as info:
        create_capture("tee")
    assert str(info.value) == "Unknown capture mode 'tee'. Allowed capture modes are: \"fd\", \"sys\", \"no\"."
