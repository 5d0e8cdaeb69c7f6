"""Provides RunsWatcher: reports which runs of a runs folder changed, in coalesced batches.

File events come from Linux's inotify, one watch per run directory (:mod:`sacred_tui.data.inotify`),
elsewhere from watchdog (FSEvents, ...; :mod:`sacred_tui.data.watchdog_events`); otherwise, with
``force_polling``, or when the folder is on a network or FUSE file system (where other machines'
writes make no event), the folder is polled by :class:`~sacred_tui.data.folder_poll.FolderPoller`,
which compares (mtime, size) stamps at about two stat calls per run. Only events of writes are
asked for: the app's own reads (open, close without writing) would otherwise flood the kernel's
event queue while a big folder loads. When that queue overflows anyway, the folder is rescanned
at once and the mode's reason says so. Even with native events a slow scan runs as a safety net.
A folder that does not exist yet is checked until it appears. Events are mapped to run ids on the observer thread and handed to the callback
from the watcher's own thread at most every ``batch_interval`` seconds, so a run writing thousands
of times a second costs one callback per interval. The callback must be thread-safe (in the app
it only posts a message).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.runs import RunsFolder, RunStamp
from sacred_tui.data import inotify, watchdog_events
from sacred_tui.data.folder_poll import FolderPoller
from sacred_tui.data.mounts import shared_filesystem

logger = logging.getLogger(__name__)

_SCAN_COST_RATIO = 4
"""Scans repeat at most every this many times their CPU time (polling, or events of unknown trust)."""
_SAFETY_NET_COST_RATIO = 50
"""The same behind inotify's watches of each run folder, which miss only writes in subfolders."""

_HELD_WAIT = 1.0
"""Seconds the loop sleeps at most while its scans are held (events and releases wake it)."""

NATIVE = "native"
POLLING = "polling"
WAITING = "waiting"
STOPPED = "stopped"

@dataclass(slots=True)
class ChangeBatch:
    """Runs that changed since the last batch.

    ``changed`` maps a run id to the names of the files that changed in it; an empty set means
    the run directory itself changed (created, removed) or the files are not known.
    """

    changed: dict[str, frozenset[str]] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


class _Pending:
    """Changes gathered between two batches; fed from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changed: dict[str, set[str] | None] = {}
        self.removed: set[str] = set()

    def note(self, run_id: str, name: str | None) -> None:
        with self.lock:
            files = self.changed.get(run_id, ())
            if name is None or files is None:
                self.changed[run_id] = None
            elif run_id not in self.changed:
                self.changed[run_id] = {name}
            else:
                files.add(name)  # type: ignore[union-attr]

    def take(self) -> ChangeBatch:
        with self.lock:
            changed = {run_id: frozenset(files or ()) for run_id, files in self.changed.items()}
            batch = ChangeBatch(changed, frozenset(self.removed))
            self.changed, self.removed = {}, set()
            return batch


class RunsWatcher:
    """Watches one runs folder and calls ``on_change(ChangeBatch)`` from a background thread.

    Args:
        root: The runs folder (may not exist yet).
        on_change: Called with each non-empty batch.
        force_polling: Never use native events.
        poll_interval: Seconds between scans when polling (and between existence checks).
        safety_interval: Seconds between safety-net scans when native events work.
        batch_interval: Minimum seconds between two batches.
        on_mode: Called with (mode, reason) whenever the watching mode changes.
        observer_factory: Builds the watchdog observer (tests inject failing ones).
    """

    def __init__(
        self,
        root: str | Path,
        on_change: Callable[[ChangeBatch], None],
        *,
        force_polling: bool = False,
        poll_interval: float = 1.0,
        safety_interval: float = 2.0,
        batch_interval: float = 0.2,
        on_mode: Callable[[str, str], None] | None = None,
        observer_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.root = Path(root)
        self.folder = RunsFolder(self.root)
        self.force_polling = force_polling
        self.poll_interval = poll_interval
        self.safety_interval = safety_interval
        self.batch_interval = batch_interval
        self.mode = STOPPED
        self.reason = ""
        self._on_change = on_change
        self._on_mode = on_mode
        self._observer_factory = observer_factory
        self._observer: Any = None
        self._pending = _Pending()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._known: dict[str, RunStamp] = {}
        self._thread: threading.Thread | None = None
        self._life = threading.Lock()
        self._scan_cost = 0.0
        self._next_scan = 0.0
        self._poller = FolderPoller(self.folder)
        self._lost_at: float | None = None
        """When the kernel last dropped file events (wall clock), until the rescan after it."""
        self.overflows = 0
        """How many times file events were lost (the event queue overflowed)."""
        self._scans_held = False
        self._scan_asked = False

    # -- life cycle --------------------------------------------------------------------------
    def start(self, known: Mapping[str, RunStamp] | None = None, *, hold_scans: bool = False) -> None:
        """Start watching. ``known`` are the stamps the caller already read (no first scan then).

        ``hold_scans``: no safety-net scan while file events work until :meth:`release_scans`
        (a scan of a big folder competes with reading it for the first time); polling, a rescan
        after lost events and :meth:`poke` are never held.
        """
        self._scans_held = hold_scans
        with self._life:
            if self._thread is not None:
                raise RuntimeError("RunsWatcher.start() was called twice; create a new watcher instead")
            if self._stop.is_set():
                return
            if known is None:
                known = self.folder.scan({}).stamps if self.folder.exists() else {}
            self._known = dict(known)
            self._choose_mode()
            with watchdog_events.overflows.watchers_lock:
                watchdog_events.overflows.watchers.add(self)
            self._thread = threading.Thread(target=self._loop, name="runs-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait (briefly) for the threads to end."""
        self._stop.set()
        self._wake.set()
        with watchdog_events.overflows.watchers_lock:
            watchdog_events.overflows.watchers.discard(self)
        with self._life:
            self._stop_observer()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._set_mode(STOPPED, "")

    def poke(self) -> None:
        """Scan the folder now (e.g. when the user asks to reload)."""
        self._scan_asked = True
        self._next_scan = 0.0
        self._wake.set()

    def release_scans(self) -> None:
        """Let the safety-net scans held by ``start(hold_scans=True)`` run again (the first one
        after the usual interval: it also finds what changed while they were held)."""
        self._next_scan = time.monotonic() + self._interval()
        self._scans_held = False
        self._wake.set()

    def events_lost(self) -> None:
        """The kernel dropped file events (its queue overflowed): rescan now and say so."""
        if self.mode != NATIVE or self._stop.is_set():
            return
        self.overflows += 1
        self._lost_at = time.time()
        self.poke()

    # -- modes -------------------------------------------------------------------------------
    def _set_mode(self, mode: str, reason: str) -> None:
        if (mode, reason) == (self.mode, self.reason):
            return
        self.mode, self.reason = mode, reason
        logger.info("watching %s: %s %s", self.root, mode, reason)
        if self._on_mode is not None:
            try:
                self._on_mode(mode, reason)
            except Exception:  # a failing listener must not stop the watching
                logger.exception("mode listener failed")

    def _choose_mode(self) -> None:
        if not self.folder.exists():
            self._set_mode(WAITING, f"{self.root} does not exist yet")
        elif self.force_polling:
            self._set_mode(POLLING, "polling was requested")
        elif (fs_type := shared_filesystem(self.root)) is not None:
            self._set_mode(POLLING, f"{fs_type} file system: other machines' writes make no file events")
        else:
            self._start_observer()

    def _start_observer(self) -> None:
        try:
            root = os.fspath(self.root.absolute())
            if self._observer_factory is None and inotify.available():
                observer = inotify.RunDirWatches(root, self._changed, self.events_lost)
            elif self._observer_factory is not None:
                observer = self._observer_factory()
            else:
                from watchdog.observers import Observer

                observer = Observer()
            if not isinstance(observer, inotify.RunDirWatches):
                watchdog_events.schedule(observer, root, self._changed,
                                         writes_only=self._observer_factory is None)
            observer.start()
        except Exception as exc:  # inotify limits raise OSError; anything else: poll too
            self._set_mode(POLLING, f"file events unavailable ({type(exc).__name__}: {exc})")
            return
        self._observer = observer
        if self._stop.is_set():  # stop() ran while this was starting
            self._stop_observer()
            return
        self._set_mode(NATIVE, "")

    def _changed(self, run_id: str, name: str | None) -> None:
        """A file event: ``name`` changed in run ``run_id`` (None: the run itself, or anything)."""
        self._pending.note(run_id, name)
        self._wake.set()

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(timeout=1)
        except Exception:
            logger.debug("stopping the observer failed", exc_info=True)

    # -- the loop ----------------------------------------------------------------------------
    def _interval(self) -> float:
        """Seconds to the next scan: at least the mode's interval, and long enough that scanning a
        huge folder does not eat the CPU (at most a fifth of a core when the scans are all there
        is, a fiftieth as a safety net behind inotify watching every run folder: an idle app over
        20,000 runs used 8% of a core for those scans)."""
        base = self.safety_interval if self.mode == NATIVE else self.poll_interval
        watched_runs = self.mode == NATIVE and isinstance(self._observer, inotify.RunDirWatches)
        return max(base, self._scan_cost * (_SAFETY_NET_COST_RATIO if watched_runs else _SCAN_COST_RATIO))

    def _loop(self) -> None:
        self._next_scan = time.monotonic() + self._interval()
        last_batch = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            timeout = _HELD_WAIT if self._held() else max(0.0, self._next_scan - now)
            if self._wake.wait(timeout):
                self._wake.clear()
                # Events arrived: give the burst a moment so it lands in one batch.
                pause = last_batch + self.batch_interval - time.monotonic()
                if pause > 0 and self._stop.wait(pause):
                    break
            if not self._held() and time.monotonic() >= self._next_scan:
                self._scan_asked = False
                self._scan()
                self._next_scan = time.monotonic() + self._interval()
            batch = self._pending.take()
            if batch:
                last_batch = time.monotonic()
                try:
                    self._on_change(batch)
                except Exception:
                    logger.exception("change callback failed")

    def _held(self) -> bool:
        """Whether the next safety-net scan waits (see :meth:`start`)."""
        return self._scans_held and self.mode == NATIVE and not self._scan_asked

    def _scan(self) -> None:
        if self.mode == WAITING:
            if not self.folder.exists():
                return
            self._choose_mode()
        elif not self.folder.exists():
            self._stop_observer()
            self._set_mode(WAITING, f"{self.root} was removed")
        started = time.thread_time()
        lost_at = self._lost_at
        try:
            result = self._poller.scan(self._known)
        except OSError as exc:
            logger.warning("scanning %s failed: %s", self.root, exc)
            return
        # CPU time, not wall time: on a busy machine stat calls wait for others, costing us nothing.
        self._scan_cost = time.thread_time() - started
        if lost_at is not None and self.mode == NATIVE:
            self._lost_at = None
            moment = time.strftime("%H:%M:%S", time.localtime(lost_at))
            self._set_mode(NATIVE, f"file events were lost at {moment} (the kernel's queue overflowed); "
                                   f"the folder was rescanned")
        self._known = dict(result.stamps)
        for run_id in result.new:
            self._pending.note(run_id, None)
        for run_id, files in result.changed.items():
            for name in files:
                self._pending.note(run_id, name)
        if result.removed:
            with self._pending.lock:
                self._pending.removed.update(result.removed)
                for run_id in result.removed:
                    self._pending.changed.pop(run_id, None)
