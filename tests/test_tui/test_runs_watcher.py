"""RunsWatcher with a real folder: native events, polling, fallback and a folder that appears."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.runs import RunsFolder, RunStamp
from sacred_tui.data.watcher import NATIVE, POLLING, STOPPED, WAITING, ChangeBatch, RunsWatcher
from tui_runs_factory import write_run


class Collector:
    """Gathers batches from the watcher thread."""

    def __init__(self) -> None:
        self.batches: list[ChangeBatch] = []
        self.modes: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, batch: ChangeBatch) -> None:
        with self.lock:
            self.batches.append(batch)

    def on_mode(self, mode: str, reason: str) -> None:
        self.modes.append((mode, reason))

    def changed(self) -> dict[str, set[str]]:
        merged: dict[str, set[str]] = {}
        with self.lock:
            for batch in self.batches:
                for run_id, files in batch.changed.items():
                    merged.setdefault(run_id, set()).update(files or {"*"})
        return merged

    def removed(self) -> set[str]:
        with self.lock:
            return set().union(*(batch.removed for batch in self.batches))

    def wait_for(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.02)
        raise AssertionError(f"condition not met; batches: {self.batches}")


def make_watcher(root: Path, collector: Collector, **kwargs: object) -> RunsWatcher:
    options = {"poll_interval": 0.1, "safety_interval": 0.5, "batch_interval": 0.05, **kwargs}
    return RunsWatcher(root, collector, on_mode=collector.on_mode, **options)  # type: ignore[arg-type]


def test_watcher_native_events_name_the_changed_files(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    got = Collector()
    watcher = make_watcher(tmp_path, got, safety_interval=60)
    watcher.start()
    try:
        assert watcher.mode == NATIVE
        write_run(tmp_path, "2")
        got.wait_for(lambda: "2" in got.changed())
        with open(tmp_path / "1" / "cout.txt", "a") as handle:
            handle.write("hello\n")
        got.wait_for(lambda: "cout.txt" in got.changed().get("1", set()))
        assert "run.json" not in got.changed().get("1", set())
    finally:
        watcher.stop()
    assert watcher.mode == STOPPED


def test_watcher_coalesces_a_burst_of_writes(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    got = Collector()
    watcher = make_watcher(tmp_path, got, safety_interval=60, batch_interval=0.2)
    watcher.start()
    try:
        with open(tmp_path / "1" / "cout.txt", "a") as handle:
            for _ in range(3000):
                handle.write("x")
                handle.flush()
        got.wait_for(lambda: "1" in got.changed())
        time.sleep(0.3)
    finally:
        watcher.stop()
    assert len(got.batches) <= 4
    assert got.changed() == {"1": {"cout.txt"}}


def test_watcher_forced_polling_sees_new_changed_and_removed_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    write_run(tmp_path, "2")
    got = Collector()
    watcher = make_watcher(tmp_path, got, force_polling=True)
    watcher.start()
    try:
        assert watcher.mode == POLLING
        write_run(tmp_path, "3")
        got.wait_for(lambda: "3" in got.changed())
        time.sleep(0.02)
        (tmp_path / "1" / "run.json").write_text('{"status": "FAILED"}')
        got.wait_for(lambda: "run.json" in got.changed().get("1", set()))
        for child in (tmp_path / "2").iterdir():
            child.unlink()
        (tmp_path / "2").rmdir()
        got.wait_for(lambda: "2" in got.removed())
    finally:
        watcher.stop()


class BrokenObserver:
    """An observer that fails to start, as watchdog does when the inotify limit is reached."""

    def schedule(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        raise OSError(28, "inotify watch limit reached")


def test_watcher_falls_back_to_polling_when_events_fail(tmp_path: Path) -> None:
    got = Collector()
    watcher = make_watcher(tmp_path, got, observer_factory=BrokenObserver)
    watcher.start()
    try:
        assert watcher.mode == POLLING
        assert "inotify watch limit reached" in watcher.reason
        assert got.modes[0][0] == POLLING
        write_run(tmp_path, "1")
        got.wait_for(lambda: "1" in got.changed())
    finally:
        watcher.stop()


def test_watcher_waits_for_the_folder_to_appear(tmp_path: Path) -> None:
    root = tmp_path / "later" / "runs"
    got = Collector()
    watcher = make_watcher(root, got)
    watcher.start()
    try:
        assert watcher.mode == WAITING
        time.sleep(0.15)
        write_run(root, "1")
        got.wait_for(lambda: "1" in got.changed())
        got.wait_for(lambda: watcher.mode == NATIVE)
        write_run(root, "2")
        got.wait_for(lambda: "2" in got.changed())
    finally:
        watcher.stop()
    assert [mode for mode, _ in got.modes][:2] == [WAITING, NATIVE]


class SilentObserver:
    """Starts fine but never reports anything (like inotify on NFS)."""

    def schedule(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def test_watcher_safety_scan_catches_what_events_missed(tmp_path: Path) -> None:
    got = Collector()
    watcher = make_watcher(tmp_path, got, observer_factory=SilentObserver, safety_interval=0.2)
    watcher.start()
    try:
        assert watcher.mode == NATIVE
        write_run(tmp_path, "1")
        got.wait_for(lambda: "1" in got.changed(), timeout=3)
    finally:
        watcher.stop()


def test_reading_runs_makes_no_events(tmp_path: Path) -> None:
    """Loading a big folder reads every file: those reads must not fill the kernel's event queue."""
    for run_id in ("1", "2"):
        write_run(tmp_path, run_id)
    got = Collector()
    watcher = make_watcher(tmp_path, got, safety_interval=60)
    watcher.start()
    try:
        for _ in range(50):
            for path in tmp_path.glob("*/*.json"):
                path.read_bytes()
        (tmp_path / "2" / "cout.txt").write_text("written\n")
        got.wait_for(lambda: "2" in got.changed())
        assert got.changed() == {"2": {"cout.txt"}}
    finally:
        watcher.stop()


def watcher_with_a_missed_change(tmp_path: Path,
                                 safety_interval: float) -> tuple[RunsWatcher, Collector, dict[str, RunStamp]]:
    """A watcher (not started) for a folder with run 1, the stamps read of it, and a change to its
    cout.txt made since, which made no event for the watcher: only a scan finds it."""
    write_run(tmp_path, "1")
    known = RunsFolder(tmp_path).scan({}).stamps
    (tmp_path / "1" / "cout.txt").write_text("missed\n")
    got = Collector()
    return make_watcher(tmp_path, got, safety_interval=safety_interval), got, known


def test_lost_events_are_followed_by_a_rescan_and_said(tmp_path: Path) -> None:
    import logging

    import watchdog.observers.inotify_c as inotify_c

    watcher, got, known = watcher_with_a_missed_change(tmp_path, safety_interval=60)
    watcher.start(known=known)
    try:
        assert watcher.mode == NATIVE
        time.sleep(0.2)
        assert got.changed() == {}
        # What watchdog's inotify reader logs when the kernel reports IN_Q_OVERFLOW.
        logger = inotify_c.logger
        assert logger.name == "watchdog.observers.inotify_c"
        logger.warning("Inotify queue overflowed; filesystem events were lost")
        got.wait_for(lambda: got.changed() == {"1": {"cout.txt"}})
        got.wait_for(lambda: "events were lost" in watcher.reason)
        assert watcher.mode == NATIVE and watcher.overflows == 1
        assert got.modes[-1] == (NATIVE, watcher.reason) and "rescanned" in watcher.reason
    finally:
        watcher.stop()
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed")
    assert watcher.overflows == 1  # a stopped watcher no longer listens


def test_a_folder_on_a_fuse_file_system_is_polled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sacred_tui.data import mounts

    table = tmp_path / "mounts"
    runs = tmp_path / "remote runs"
    runs.mkdir()
    escaped = str(runs).replace(" ", "\\040")
    table.write_text(f"/dev/vda / ext4 rw 0 0\nme@host:/data {escaped} fuse.sshfs rw 0 0\n")
    monkeypatch.setattr(mounts, "MOUNTS_FILE", str(table))
    got = Collector()
    watcher = make_watcher(runs, got)
    watcher.start()
    try:
        assert watcher.mode == POLLING
        assert watcher.reason.startswith("fuse.sshfs file system")
        write_run(runs, "1")
        got.wait_for(lambda: "1" in got.changed())
    finally:
        watcher.stop()


def test_held_safety_scans_wait_for_their_release_but_a_rescan_asked_for_does_not(tmp_path: Path) -> None:
    watcher, got, known = watcher_with_a_missed_change(tmp_path, safety_interval=0.1)
    scans: list[float] = []
    scan = watcher._poller.scan
    watcher._poller.scan = lambda known: scans.append(time.monotonic()) or scan(known)  # type: ignore[method-assign]
    watcher.start(known=known, hold_scans=True)
    try:
        assert watcher.mode == NATIVE
        time.sleep(0.6)  # six safety intervals
        assert got.changed() == {} and scans == []
        watcher.poke()  # Ctrl+R: scans although scans are held
        got.wait_for(lambda: got.changed() == {"1": {"cout.txt"}})
        assert len(scans) == 1
        time.sleep(0.4)
        assert len(scans) == 1
        watcher.release_scans()
        got.wait_for(lambda: len(scans) >= 3)  # the safety net runs again at its interval
    finally:
        watcher.stop()
