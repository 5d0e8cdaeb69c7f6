"""Provides RunDirWatches: Linux file events of a runs folder, one watch per run directory.

A runs folder is flat: the runs are the folder's directories, and what a run writes sits directly
in its directory. So the folder needs a watch on itself (runs appear and go) and one per run
directory, no deeper; adding 20,000 such watches takes 0.15 s of mostly system time. watchdog's
recursive watch walks every directory and lists every file first (1.4 s of CPU at 20,000 runs,
up to 4.5 s while the folder is also being read, all of it holding the app's interpreter lock).

Only writes are asked for (reads of the app itself would flood the kernel's queue). When the
queue overflows anyway, ``on_lost`` is called; the caller rescans. Writes in subdirectories of a
run directory make no event (their creation does); the watcher's safety-net scan covers them.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import select
import struct
import sys
import threading
from collections.abc import Callable

__all__ = ["RunDirWatches", "available"]

logger = logging.getLogger(__name__)

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_ISDIR = 0x40000000

_ROOT_MASK = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR
"""The runs folder: entries appearing and going (a new run is a new directory). A runs folder given
as a symbolic link is followed; run directories that are links are not (watchdog skipped them too)."""
_RUN_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
             | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
"""A run directory: every kind of write to what is in it (appends to cout.txt are IN_MODIFY)."""

_EVENT = struct.Struct("iIII")
"""struct inotify_event without its name: wd, mask, cookie, len."""

_READ_SIZE = 256 * 1024


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()


def available() -> bool:
    """Whether this system has inotify (Linux); elsewhere watchdog's observers are used."""
    return _LIBC is not None


def _limit(name: str) -> str:
    """One of the kernel's inotify limits, as it reads in /proc/sys/fs/inotify."""
    try:
        with open(f"/proc/sys/fs/inotify/{name}") as handle:
            return handle.read().strip()
    except OSError:
        return "unknown"


def _skipped(name: str) -> bool:
    """Entries of the runs folder that are no runs: ``_sources``, ``_resources``, the app's own."""
    return not name or name[0] in "_."


class RunDirWatches:
    """Watches a runs folder and its run directories; calls ``on_change(run_id, file name or None)``
    and ``on_lost()`` from its own thread. ``None`` as the file name: the run directory itself
    appeared, went, or anything in it may have changed."""

    def __init__(self, root: str, on_change: Callable[[str, str | None], None],
                 on_lost: Callable[[], None]) -> None:
        if _LIBC is None:
            raise OSError(errno.ENOSYS, "inotify is not available on this system")
        self.root = root.rstrip(os.sep) or os.sep
        self._on_change = on_change
        self._on_lost = on_lost
        self._fd = -1
        self._runs: dict[int, str] = {}
        """Watch descriptor -> run id."""
        self._root_wd = -1
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._fds_lock = threading.Lock()
        """Held while the descriptors are written to or closed (stop and the reading thread race)."""

    # -- life cycle ----------------------------------------------------------------------------
    def add_watches(self) -> None:
        """Watch the folder, then each run directory in it (raises OSError, e.g. at the kernel's
        limit of watches, after closing what it opened)."""
        assert _LIBC is not None
        self._fd = _LIBC.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            code = ctypes.get_errno()
            if code == errno.EMFILE:
                raise OSError(code, f"too many open files, or the kernel's limit of inotify instances is "
                                    f"reached (fs.inotify.max_user_instances = {_limit('max_user_instances')})")
            raise OSError(code, f"inotify_init1: {os.strerror(code)}")
        try:
            self._root_wd = self._watch(self.root, _ROOT_MASK)
            with os.scandir(self.root) as entries:
                for entry in entries:
                    if not _skipped(entry.name) and entry.is_dir(follow_symlinks=False):
                        self._watch_run(entry.name, missing_ok=True)
        except BaseException:
            os.close(self._fd)
            self._fd = -1
            raise

    def start(self) -> None:
        """Add the watches (unless done) and start reading events."""
        if self._fd < 0:
            self.add_watches()
        try:
            self._wake_r, self._wake_w = os.pipe()
            self._thread = threading.Thread(target=self._read_loop, name="run-dir-watches", daemon=True)
            self._thread.start()
        except BaseException:  # no descriptor or thread left: give back what was opened
            self._thread = None
            self._close()
            raise

    def stop(self) -> None:
        """Stop reading; the watches go with the descriptor."""
        self._stopping = True
        with self._fds_lock:
            if self._wake_w >= 0:
                os.write(self._wake_w, b"x")

    def join(self, timeout: float | None = None) -> None:
        """Wait for the reading thread to end, then close what it read from."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                return  # it closes them itself on its way out
        self._close()

    @property
    def watched(self) -> int:
        """How many run directories are watched."""
        return len(self._runs)

    # -- watches -------------------------------------------------------------------------------
    def _watch(self, path: str, mask: int) -> int:
        assert _LIBC is not None
        wd = _LIBC.inotify_add_watch(self._fd, os.fsencode(path), mask)
        if wd < 0:
            code = ctypes.get_errno()
            if code == errno.ENOSPC:  # "No space left on device" would send users to their disks
                raise OSError(code, f"the kernel's limit of inotify watches is reached "
                                    f"(fs.inotify.max_user_watches = {_limit('max_user_watches')})")
            raise OSError(code, f"watching {path}: {os.strerror(code)}")
        return int(wd)

    def _watch_run(self, run_id: str, *, missing_ok: bool) -> None:
        try:
            wd = self._watch(f"{self.root}/{run_id}", _RUN_MASK)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR) and missing_ok:
                return  # gone or replaced since it was listed
            raise
        self._runs[wd] = run_id

    # -- events --------------------------------------------------------------------------------
    def _read_loop(self) -> None:
        try:
            while not self._stopping:
                ready, _, _ = select.select([self._fd, self._wake_r], [], [])
                if self._stopping:
                    return
                if self._fd in ready:
                    self._read_available()
        except Exception:  # the safety-net scans go on; say why events stopped
            logger.exception("reading file events of %s failed", self.root)
        finally:
            if self._stopping:
                self._close()

    def _read_available(self) -> None:
        while True:
            try:
                data = os.read(self._fd, _READ_SIZE)
            except BlockingIOError:
                return
            self.dispatch(data)

    def dispatch(self, data: bytes) -> None:
        """Turn a read of inotify events into calls of ``on_change`` and ``on_lost``."""
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            offset += _EVENT.size
            name = os.fsdecode(data[offset:offset + length].rstrip(b"\0"))
            offset += length
            if mask & IN_Q_OVERFLOW:
                self._watch_new_runs()  # their creation may be among the events lost
                self._on_lost()
            elif wd == self._root_wd:
                self._root_event(mask, name)
            elif mask & IN_IGNORED:
                self._runs.pop(wd, None)  # the directory went (or was replaced)
            elif (run_id := self._runs.get(wd)) is not None:
                self._on_change(run_id, None if mask & (IN_DELETE_SELF | IN_MOVE_SELF) else name)

    def _watch_new_runs(self) -> None:
        """Watch the run directories that appeared without an event seen (the kernel dropped it)."""
        watched = set(self._runs.values())
        try:
            with os.scandir(self.root) as entries:
                for entry in entries:
                    if (entry.name not in watched and not _skipped(entry.name)
                            and entry.is_dir(follow_symlinks=False)):
                        self._watch_run(entry.name, missing_ok=True)
        except OSError as exc:  # the rescan that follows still finds them, and says what it can
            logger.warning("cannot watch the new runs of %s: %s", self.root, exc)

    def _root_event(self, mask: int, name: str) -> None:
        if _skipped(name):
            return
        if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
            try:
                self._watch_run(name, missing_ok=True)
            except OSError as exc:  # e.g. the kernel's limit of watches: the scans still find it
                logger.warning("cannot watch the new run %s: %s", name, exc)
        self._on_change(name, None)

    def _close(self) -> None:
        with self._fds_lock:
            for attribute in ("_fd", "_wake_r", "_wake_w"):
                fd = getattr(self, attribute)
                if fd >= 0:
                    setattr(self, attribute, -1)
                    os.close(fd)
