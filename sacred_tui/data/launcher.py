"""Provides Launcher: start experiment scripts as subprocesses, learn their run ids, stop them.

A launched script runs in its own directory and its own session (process group), with stdin
closed and stdout/stderr written to files, so it never blocks on a pipe nobody reads and it can
keep running after the app exits. The run id is read from the ``Started run with ID "N"`` line
the experiment logs on stderr; when logging is silenced, ``matches`` recognises the new run by
its recorded options. Stopping sends SIGINT (the run ends INTERRUPTED), then SIGTERM, then SIGKILL.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any

from sacred_tui.data.launch_spec import LaunchSpec, format_argv

__all__ = ["LaunchError", "LaunchedRun", "Launcher", "STARTED_LINE", "exit_text"]

STARTED_LINE = re.compile(r'Started run with ID "([^"]+)"')
"""The log line an experiment writes on stderr once its observers gave the run an id."""

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
_TAIL_BYTES = 16_384


class LaunchError(Exception):
    """A script could not be started (missing interpreter, unreadable directory …)."""


def exit_text(code: int | None) -> str:
    """Say how a process ended: ``exit 0``, ``exit 1`` or ``killed by SIGTERM``."""
    if code is None:
        return "running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def _read_tail(path: Path, max_bytes: int) -> str:
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(max(0, size - max_bytes))
            data = stream.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return text if size <= max_bytes else text.partition("\n")[2]


@dataclass(eq=False)
class LaunchedRun:
    """One started process: what ran, where its output goes, its run id and how it ended."""

    number: int
    spec: LaunchSpec
    argv: list[str]
    runs_dir: Path
    stdout_path: Path
    stderr_path: Path
    started: float = field(default_factory=time.time)
    process: subprocess.Popen[bytes] | None = None
    run_id: str | None = None
    exit_code: int | None = None
    signals_sent: list[str] = field(default_factory=list)
    queued: bool = False
    """Started by a queue (for a QUEUED run): the queue reports on it, not the launch flow."""
    _stderr_offset: int = 0
    _partial: str = ""

    @property
    def running(self) -> bool:
        """True while the process has not been seen to exit."""
        return self.process is not None and self.exit_code is None

    @property
    def pid(self) -> int | None:
        """The process id."""
        return self.process.pid if self.process is not None else None

    @property
    def state(self) -> str:
        """``running``, ``stopping (SIGINT sent)``, ``exit 0``, ``killed by SIGTERM`` …"""
        if self.running and self.signals_sent:
            return f"stopping ({self.signals_sent[-1]} sent)"
        return exit_text(self.exit_code)

    @property
    def command_line(self) -> str:
        """The display form of what ran, with its directory."""
        return format_argv(self.argv, self.spec.cwd)

    def stdout_tail(self, max_bytes: int = _TAIL_BYTES) -> str:
        """The end of what the process printed on stdout."""
        return _read_tail(self.stdout_path, max_bytes)

    def stderr_tail(self, max_bytes: int = _TAIL_BYTES) -> str:
        """The end of what the process printed on stderr (logging, tracebacks)."""
        return _read_tail(self.stderr_path, max_bytes)

    def _scan_stderr(self) -> bool:
        """Read new stderr lines; True when the run id was found in them."""
        if self.run_id is not None:
            return False
        try:
            with open(self.stderr_path, "rb") as stream:
                stream.seek(self._stderr_offset)
                data = stream.read()
        except OSError:
            return False
        if not data:
            return False
        self._stderr_offset += len(data)
        text = self._partial + data.decode("utf-8", errors="replace")
        lines = text.split("\n")
        self._partial = lines.pop()[-1000:]
        for line in lines:
            found = STARTED_LINE.search(line)
            if found:
                self.run_id = found.group(1)
                return True
        return False

    def matches(self, record: Any) -> bool:
        """Whether a run record (``core.runs.RunRecord``) looks like the run this process started.

        Used when the process did not log its id: same runs folder option and ``with`` words, and
        started no earlier than the process.
        """
        options: Mapping[str, Any] = getattr(record, "options", None) or {}
        start = getattr(record, "start_time", None)
        if start is None or options.get("UPDATE") != self.spec.words():
            return False
        if os.path.abspath(str(options.get("--file_storage") or "")) != os.path.abspath(self.runs_dir):
            return False
        aware = start if start.tzinfo else start.replace(tzinfo=timezone.utc)
        return aware.timestamp() >= self.started - 2.0


class Launcher:
    """The processes started from the app, for one runs folder. Thread-safe."""

    def __init__(self, runs_dir: str | os.PathLike[str], log_dir: str | os.PathLike[str] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.runs_dir = Path(os.path.abspath(runs_dir))
        self._log_dir = Path(log_dir) if log_dir is not None else None
        self._env = dict(env) if env is not None else None
        self.launches: list[LaunchedRun] = []
        """Every launch of this session, oldest first."""
        self._lock = threading.Lock()

    @property
    def log_dir(self) -> Path:
        """Where the processes' stdout/stderr files go (a private temp folder by default)."""
        if self._log_dir is None:
            self._log_dir = Path(tempfile.mkdtemp(prefix="sacred-tui-launches-"))
        self._log_dir.mkdir(parents=True, exist_ok=True)
        return self._log_dir

    def start(self, spec: LaunchSpec, *, argv: Sequence[str] | None = None,
              run_id: str | None = None) -> LaunchedRun:
        """Start ``spec`` with ``-F <runs folder>``; raises LaunchError when it cannot start.

        A queued run passes its own ``argv`` (which ends in ``--id N``) and the ``run_id`` it takes.
        """
        if argv is None:
            problems = spec.problems()
            if problems:
                raise LaunchError(" ".join(problems))
            argv = spec.argv(self.runs_dir)
        argv = list(argv)
        with self._lock:
            number = len(self.launches) + 1
            base = self.log_dir / f"launch-{number:03d}"
            launch = LaunchedRun(number, spec, argv, self.runs_dir, base.with_suffix(".stdout"),
                                 base.with_suffix(".stderr"), run_id=run_id, queued=run_id is not None)
            env = dict(os.environ if self._env is None else self._env)
            env.setdefault("PYTHONUNBUFFERED", "1")
            try:
                with open(launch.stdout_path, "wb") as out, open(launch.stderr_path, "wb") as err:
                    launch.process = subprocess.Popen(
                        argv, cwd=spec.cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                        env=env, start_new_session=True, close_fds=True)
            except OSError as exc:
                raise LaunchError(f"Cannot start {format_argv(argv, spec.cwd)}: {exc.strerror or exc}"
                                  f" ({exc.filename or spec.python})") from exc
            launch.started = time.time()
            self.launches.append(launch)
        return launch

    def poll(self) -> list[LaunchedRun]:
        """Check every running launch; return those whose run id was found or that exited now."""
        changed = []
        with self._lock:
            active = [launch for launch in self.launches if launch.running or launch.run_id is None]
        for launch in active:
            found = launch._scan_stderr()
            ended = False
            if launch.running and launch.process is not None:
                code = launch.process.poll()
                if code is not None:
                    launch.exit_code = code
                    ended = True
                    found = launch._scan_stderr() or found
            if found or ended:
                changed.append(launch)
        return changed

    @staticmethod
    def next_signal(launch: LaunchedRun) -> str:
        """The name of the signal the next ``stop`` sends to this launch."""
        return _STOP_SIGNALS[min(len(launch.signals_sent), len(_STOP_SIGNALS) - 1)].name

    def stop(self, launch: LaunchedRun) -> str | None:
        """Send the next stop signal (SIGINT, then SIGTERM, then SIGKILL); return its name.

        None when the process has ended already. The signal goes to the process group, so
        workers the script started are stopped too.
        """
        process = launch.process
        if process is None or process.poll() is not None:
            if process is not None:
                launch.exit_code = process.returncode
            return None
        sig = _STOP_SIGNALS[min(len(launch.signals_sent), len(_STOP_SIGNALS) - 1)]
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError, AttributeError):
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                return None
        launch.signals_sent.append(sig.name)
        return sig.name

    def running(self) -> list[LaunchedRun]:
        """Launches whose process has not exited (as of the last poll)."""
        with self._lock:
            return [launch for launch in self.launches if launch.running]

    def for_run(self, run_id: str) -> LaunchedRun | None:
        """The newest launch that started the run ``run_id``."""
        with self._lock:
            return next((launch for launch in reversed(self.launches) if launch.run_id == run_id), None)

    def wait(self, launch: LaunchedRun, timeout: float) -> int | None:
        """Wait for a launch to exit; return its exit code (None on timeout)."""
        if launch.process is None:
            return launch.exit_code
        try:
            launch.exit_code = launch.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        launch._scan_stderr()
        return launch.exit_code
