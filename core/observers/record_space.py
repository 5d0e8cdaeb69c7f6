"""Provides what the file storage needs to fail well: clear write errors and a little reserved space.

When the disk fills up mid-run, every later write fails, including the final run.json that would say
how the run ended. ``WriteGuard`` turns failed writes into errors that name the file, folder and free
space; on a full disk it marks the record as broken (nothing more is written but the final run.json)
and releases a ``SpaceReserve``, a small preallocated file in the run folder, so the final run.json has
room and what is on disk still says what happened.
"""
from __future__ import annotations

import datetime
import errno
import os
from collections.abc import Callable

from core.errors import SacredError

__all__ = ["RESERVE_BYTES", "RecordWriteError", "SpaceReserve", "WriteGuard", "describe_free_space",
           "is_out_of_space", "run_each"]

RESERVE_BYTES = 64 * 1024
RETRY_BYTES = 16 * 1024
"""A write this small may use the reserve once the disk is full; the rest is for the final run.json."""
RESERVE_NAME = ".space-reserve"
_OUT_OF_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class RecordWriteError(SacredError):
    """A file of the run record could not be written (the message says which, where and why)."""

    PRINT_TRACEBACK = False  # the message says it all


def is_out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in _OUT_OF_SPACE


def describe_free_space(path: str) -> str:
    """``"12.0 kB free"``-style text for the file system holding ``path`` ("free space unknown" if unknown)."""
    try:
        stats = os.statvfs(path)
    except OSError:
        return "free space unknown"
    free = stats.f_bavail * stats.f_frsize
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if free < 1000 or unit == "TB":
            return f"{free:.0f} {unit} free" if unit == "bytes" else f"{free:.1f} {unit} free"
        free /= 1000
    return "free space unknown"


class SpaceReserve:
    """A preallocated hidden file in a run folder, released when the disk is full or the run ends."""

    def __init__(self, directory: str, size: int = RESERVE_BYTES) -> None:
        self.path = os.path.join(directory, RESERVE_NAME)
        self.held = False
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            return
        try:
            os.posix_fallocate(fd, 0, size)
            self.held = True
        except (OSError, AttributeError):  # no space already, or no fallocate here: do without
            pass
        finally:
            os.close(fd)
        if not self.held:
            self.release()

    def release(self) -> None:
        """Give the space back (removing the file needs no space itself)."""
        self.held = False
        try:
            os.remove(self.path)
        except OSError:
            pass


class _NoReserve:
    def release(self) -> None:
        pass


_NO_RESERVE = _NoReserve()


class WriteGuard:
    """Failed writes of one run's record become clear errors; a full disk stops the record growing."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.reserve: SpaceReserve | _NoReserve = _NO_RESERVE
        self.broken: str | None = None
        """Why the record stopped growing (None while it is complete)."""
        self._last_tries: set[str] = set()

    def writing(self, what: str) -> _Writing:
        """A context that turns an OSError inside into a ``RecordWriteError`` naming ``what`` and the run folder."""
        return _Writing(self, what)

    def failed(self, what: str, exc: OSError) -> RecordWriteError:
        """The error to raise for ``exc``, a failure writing ``what``; on a full disk the record stops growing."""
        where = os.path.abspath(self.run_dir)
        if not is_out_of_space(exc):
            return RecordWriteError(f"Cannot write {what} in {where}: {exc.strerror or exc}")
        self.reserve.release()  # room for the final run.json
        free = describe_free_space(where)
        if self.broken is None:
            when = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
            self.broken = f"no space left on device while writing {what} in {where} ({free}) at {when} UTC"
        return RecordWriteError(f"No space left on device: cannot write {what} in {where} ({free}). The record "
                                "of this run is incomplete from here on; the run itself goes on.")

    def attempt(self, what: str, write: Callable[[int], object]) -> None:
        """``write(limit)`` for output that led up to a failure and is worth keeping: once the disk is
        full, it gets one last try per file with ``limit=RETRY_BYTES`` (it writes at most about that
        much, ending at a line break) in the released reserve; then the file stops growing."""
        if self.broken:
            self._last_try(what, write)
            return
        try:
            with self.writing(what):
                write(0)
        except RecordWriteError:
            if self.broken:
                self._last_try(what, write)
            raise

    def _last_try(self, what: str, write: Callable[[int], object]) -> None:
        if what in self._last_tries:
            return
        self._last_tries.add(what)
        try:
            write(RETRY_BYTES)
        except OSError:
            pass

    def reserve_space(self) -> None:
        """Set the reserve aside (once the run lasts; a short run has little left to write)."""
        if self.reserve is _NO_RESERVE and not self.broken:
            self.reserve = SpaceReserve(self.run_dir)

    def refuse_if_broken(self, what: str) -> None:
        """Refuse to store more files once the record stopped growing (they would take the last space)."""
        if self.broken:
            raise RecordWriteError(f"The {what} was not stored: the record stopped growing ({self.broken}).")

    def final_entry(self, run_entry: dict) -> dict:
        """run.json as it is written last: if the record is incomplete, FAILED with a ``fail_trace`` that
        says why and how the program itself ended (Sacred's format has no other place for it)."""
        if not self.broken:
            return run_entry
        marked = dict(run_entry)
        outcome = run_entry.get("status")
        earlier = list(run_entry.get("fail_trace") or [])
        marked["status"] = "FAILED"
        marked["fail_trace"] = [f"The record of this run is incomplete: {self.broken}.\n",
                                "Output, metrics and files after that time were not stored.\n",
                                f"The program itself ended {outcome}" + (" with:\n" if earlier else ".\n")] + earlier
        return marked

    def close(self) -> None:
        self.reserve.release()


class _Writing:
    """``WriteGuard.writing``: a plain class, as a short run enters a dozen of these."""

    __slots__ = ("guard", "what")

    def __init__(self, guard: WriteGuard, what: str) -> None:
        self.guard = guard
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, OSError):
            raise self.guard.failed(self.what, exc) from exc
        return False


def run_each(steps: list[Callable[[], object]]) -> None:
    """Run every step even if some fail (each file of the record on its own); then raise the first failure."""
    first: Exception | None = None
    for step in steps:
        try:
            step()
        except Exception as exc:
            first = first or exc
    if first is not None:
        raise first
