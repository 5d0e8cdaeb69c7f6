"""Provides ChildWorker: file reading done in a child process, so the app's interpreter stays free.

Parsing JSON is C code that holds the interpreter lock from start to end: a 100 MB metrics file
froze the whole UI for seconds. A job given to a ChildWorker runs in another Python process (on
another core where there is one) while the calling thread waits without the lock. Jobs are
module-level functions with picklable arguments and results.

The child is a fresh interpreter started with this module's :func:`serve` (never a fork of the
running app with its threads and terminal, and never a re-import of the app's main script); it has
no terminal output (its stdout carries the replies, its stderr goes nowhere), and it can be told to
retire after some jobs, so the memory a huge file took goes back to the system.
:meth:`ChildWorker.close` ends a running job at once: quitting never waits for a parse.
"""
from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

__all__ = ["ChildGone", "ChildWorker", "serve"]

T = TypeVar("T")

_WAIT_STEP = 0.1
"""How often a waiting caller checks that the child still lives and the worker is not closed."""

_NICENESS = 5
"""Added to the child's nice value: when the machine is busy, the app's thread gets about three
times the child's share of a core, so keys stay quick while a folder is read."""

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
"""Where ``sacred_tui`` and ``core`` are importable from, also when they are not installed."""


REPLY_SLICE = 250
"""A list a job returns goes back in slices of this many items, each unpickled on its own: the
interpreter lock is held for the whole of one unpickling (2,500 rows: 35-60 ms), which a key pressed
meanwhile waited for."""


_SERVE = ("import sys; sys.path[:] = [entry for entry in sys.path if entry]; "
          "from sacred_tui.data.child_worker import serve; serve()")
"""The child's program. ``python -c`` puts the working folder first on ``sys.path``: a user's
project there with a ``core`` or ``sacred_tui`` package of its own would be imported instead."""


class ChildGone(RuntimeError):
    """The child died (killed, out of memory) or the worker was closed before the job ended."""


class _Slices(NamedTuple):
    """Stands for a job's list result in the reply: that many pickled slices of it follow."""

    count: int


def _write_reply(replies: IO[bytes], ok: bool, value: Any, serving: bool) -> None:
    if ok and isinstance(value, list) and len(value) > REPLY_SLICE:
        slices = [value[start:start + REPLY_SLICE] for start in range(0, len(value), REPLY_SLICE)]
        pickle.dump((ok, _Slices(len(slices)), serving), replies, protocol=pickle.HIGHEST_PROTOCOL)
        for part in slices:
            pickle.dump(part, replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()  # the caller unpickles this slice while the next is pickled
        return
    pickle.dump((ok, value, serving), replies, protocol=pickle.HIGHEST_PROTOCOL)
    replies.flush()


def _read_reply(replies: IO[bytes]) -> tuple[bool, Any, bool]:
    ok, value, serving = pickle.load(replies)
    if isinstance(value, _Slices):
        joined: list[Any] = []
        for _ in range(value.count):
            joined.extend(pickle.load(replies))  # between slices, other threads get the lock
        value = joined
    return ok, value, serving


def serve() -> None:
    """The child's loop: run each job read from stdin, write (ok, result or error text, serving on)
    to stdout."""
    try:
        os.nice(_NICENESS)  # reading in the background: the app's keys come first on a busy machine
    except OSError:
        pass
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a job that prints cannot garble the replies
    sys.stdout = sys.stderr
    while True:
        serving = True
        try:
            function, args = pickle.load(requests)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a job this process cannot import: say so, then retire
            reply, serving = (False, f"cannot load the job ({type(exc).__name__}: {exc})"), False
        else:
            try:
                reply = (True, function(*args))
            except Exception as exc:  # the caller words it; the child keeps serving
                reply = (False, f"{type(exc).__name__}: {exc}")
        try:
            _write_reply(replies, *reply, serving)
        except (OSError, pickle.PicklingError):
            return
        if not serving:
            return


class ChildWorker:
    """One child process running jobs one at a time; thread-safe (callers take turns)."""

    def __init__(self, jobs_per_child: int | None = None) -> None:
        self.jobs_per_child = jobs_per_child
        self._lock = threading.Lock()
        """Held by the caller whose job runs (jobs are served one at a time)."""
        self._state = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs = 0
        self._closed = False

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` in the child and return its result.

        Raises:
            ChildGone: when the child died or the worker was closed meanwhile.
            RuntimeError: when the job raised (its type and message).
        """
        with self._lock:
            process = self._child()
            try:
                assert process.stdin is not None and process.stdout is not None
                pickle.dump((function, args), process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                process.stdin.flush()
                self._wait_for_reply(process, process.stdout)
                ok, value, serving = _read_reply(process.stdout)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError) as exc:
                self._stop()
                raise ChildGone(f"the reading process ended before its job ({type(exc).__name__})") from None
            except ChildGone:
                self._stop()
                raise
            self._jobs += 1
            if not serving or (self.jobs_per_child is not None and self._jobs >= self.jobs_per_child):
                self._stop()
        if not ok:
            raise RuntimeError(value)
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """End the child now (a running job is abandoned) and refuse new jobs."""
        self._closed = True
        self._stop()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (jobs are refused)."""
        return self._closed

    @property
    def alive(self) -> bool:
        """True while a child process exists."""
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's process id (None when there is none)."""
        process = self._process
        return None if process is None else process.pid

    def _wait_for_reply(self, process: subprocess.Popen[bytes], replies: IO[bytes]) -> None:
        while not select.select([replies], [], [], _WAIT_STEP)[0]:
            if self._closed or process.poll() is not None:
                raise ChildGone("the reading process ended before its job")

    def _child(self) -> subprocess.Popen[bytes]:
        with self._state:
            if self._closed:
                raise ChildGone("the reading process was closed")
            if self._process is None or self._process.poll() is not None:
                env = dict(os.environ)
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT_ROOT, env.get("PYTHONPATH")]))
                self._process = subprocess.Popen(
                    [sys.executable, "-c", _SERVE],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                    start_new_session=True)  # keys pressed in the terminal never reach it
                self._jobs = 0
            return self._process

    def _stop(self) -> None:
        with self._state:
            process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
