"""Linux file events of a runs folder, one watch per run directory, against the real kernel."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sacred_tui.data import inotify
from sacred_tui.data.inotify import RunDirWatches
from sacred_tui.data.watcher import NATIVE, RunsWatcher
from test_runs_watcher import Collector, SilentObserver, make_watcher
from tui_runs_factory import write_run

pytestmark = pytest.mark.skipif(not inotify.available(), reason="inotify is Linux's")


class Events:
    """What a RunDirWatches reported, from its thread."""

    def __init__(self) -> None:
        self.changes: list[tuple[str, str | None]] = []
        self.lost = threading.Event()
        self.lock = threading.Lock()

    def changed(self, run_id: str, name: str | None) -> None:
        with self.lock:
            self.changes.append((run_id, name))

    def seen(self) -> set[tuple[str, str | None]]:
        with self.lock:
            return set(self.changes)

    def wait_for(self, change: tuple[str, str | None], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while change not in self.seen():
            assert time.monotonic() < deadline, f"{change} not seen; seen: {sorted(map(str, self.seen()))}"
            time.sleep(0.01)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_run_made_after_the_start_is_watched_and_names_its_files(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    events = Events()
    watches = RunDirWatches(str(tmp_path), events.changed, events.lost.set)
    watches.start()
    try:
        (tmp_path / "2").mkdir()
        events.wait_for(("2", None))
        with open(tmp_path / "2" / "cout.txt", "a") as handle:
            handle.write("appended, never closed yet\n")
            handle.flush()
            events.wait_for(("2", "cout.txt"))
        (tmp_path / "1" / "run.json.tmp").write_text("{}")
        os.replace(tmp_path / "1" / "run.json.tmp", tmp_path / "1" / "run.json")  # how run.json is written
        events.wait_for(("1", "run.json"))
    finally:
        watches.stop()
        watches.join(2)
    assert not events.lost.is_set()


def test_reads_and_the_folders_of_sources_and_resources_make_no_events(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    for shared in ("_sources", "_resources"):
        (tmp_path / shared).mkdir()
    events = Events()
    watches = RunDirWatches(str(tmp_path), events.changed, events.lost.set)
    watches.start()
    try:
        (tmp_path / "_sources" / "train_abc.py").write_text("print()\n")
        (tmp_path / "_resources" / "data.csv").write_text("1,2\n")
        (tmp_path / ".hidden").mkdir()
        for path in tmp_path.glob("1/*"):
            path.read_bytes()
        (tmp_path / "1" / "info.json").write_text("{}")  # the marker: everything before it was read
        events.wait_for(("1", "info.json"))
    finally:
        watches.stop()
        watches.join(2)
    assert events.seen() == {("1", "info.json")}


def test_a_removed_run_is_reported_and_its_watch_dropped(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    events = Events()
    watches = RunDirWatches(str(tmp_path), events.changed, events.lost.set)
    watches.start()
    assert watches.watched == 1
    try:
        for child in (tmp_path / "1").iterdir():
            child.unlink()
        (tmp_path / "1").rmdir()
        events.wait_for(("1", None))
        deadline = time.monotonic() + 5
        while watches.watched and time.monotonic() < deadline:
            time.sleep(0.01)
        assert watches.watched == 0
    finally:
        watches.stop()
        watches.join(2)


def test_an_overflowing_kernel_queue_is_reported_and_runs_made_meanwhile_are_watched(tmp_path: Path) -> None:
    """The kernel keeps max_queued_events events for a reader; more than that, unread, are lost
    and it says so once. Writing that many files before the reading starts makes it happen; a run
    made then has no event of its creation, and is watched all the same."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"this kernel queues {limit} events: too many files to write for a test")
    write_run(tmp_path, "1")
    events = Events()
    watches = RunDirWatches(str(tmp_path), events.changed, events.lost.set)
    watches.add_watches()
    try:
        for index in range(limit // 3 + 200):  # created, written, closed: three events each
            (tmp_path / "1" / f"artifact-{index}.txt").write_bytes(b"x")
        write_run(tmp_path, "2")  # made while the queue is full: the event of its creation is lost
        watches.start()
        assert events.lost.wait(10)
        with open(tmp_path / "2" / "cout.txt", "a") as handle:  # yet the run is watched
            handle.write("after the overflow\n")
        events.wait_for(("2", "cout.txt"))
    finally:
        watches.stop()
        watches.join(2)


def test_the_runs_watcher_rescans_after_the_kernel_dropped_events(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The reading of events is held back while the queue overflows, then the watcher says so
    and rescans."""
    write_run(tmp_path, "1")
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"this kernel queues {limit} events: too many files to write for a test")
    reading = threading.Event()
    real_dispatch = RunDirWatches.dispatch

    def held_dispatch(self: RunDirWatches, data: bytes) -> None:
        assert reading.wait(10)
        real_dispatch(self, data)

    monkeypatch.setattr(RunDirWatches, "dispatch", held_dispatch)
    got = Collector()
    watcher = make_watcher(tmp_path, got, safety_interval=60)
    watcher.start()
    try:
        assert watcher.mode == NATIVE
        for index in range(limit // 3 + 200):
            (tmp_path / "1" / f"artifact-{index}.txt").write_bytes(b"x")
        reading.set()
        got.wait_for(lambda: watcher.overflows >= 1 and "events were lost" in watcher.reason, timeout=10)
        assert "rescanned" in watcher.reason
    finally:
        watcher.stop()


def test_stopped_watches_leave_no_descriptors_open(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    before = open_fds()
    for _ in range(5):
        watcher = RunsWatcher(tmp_path, lambda batch: None, safety_interval=60)
        watcher.start()
        assert watcher.mode == NATIVE
        watcher.stop()
    assert open_fds() == before


def test_a_folder_that_cannot_be_watched_raises_and_closes_what_it_opened(tmp_path: Path) -> None:
    before = open_fds()
    with pytest.raises(OSError, match="No such file or directory"):
        RunDirWatches(str(tmp_path / "missing"), lambda run_id, name: None, lambda: None).add_watches()
    assert open_fds() == before


@pytest.mark.parametrize("spare", [0, 2])
def test_without_descriptors_left_the_folder_is_polled_the_status_says_why_and_none_leak(
        tmp_path: Path, spare: int) -> None:
    """inotify needs a file descriptor, its reading a pipe: a process at its limit of open files
    gets none (``spare`` 0: no inotify at all; 2: inotify and the folder listed, but no pipe), and
    the watcher polls instead, giving back what it opened (in a child process, whose limit is set to
    what it has open plus ``spare``)."""
    write_run(tmp_path, "1")
    script = f"""
import os, resource, sys, time
sys.path[:0] = {sys.path!r}
from sacred_tui.data.watcher import POLLING, RunsWatcher
seen = []
watcher = RunsWatcher({str(tmp_path)!r}, seen.append, poll_interval=0.1)
used = len(os.listdir("/proc/self/fd")) - 1  # less the descriptor that listed them
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (used + {spare}, hard))
watcher.start(known=dict())  # no first scan: it needs a descriptor too
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))  # counting them takes one
print(watcher.mode, watcher.reason, used, len(os.listdir("/proc/self/fd")) - 1, sep="|")
watcher.stop()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    mode, reason, before, after = done.stdout.strip().split("|")
    assert (mode, done.returncode) == ("polling", 0), done.stderr
    assert before == after, "descriptors were left open"
    if spare == 0:
        assert reason.startswith("file events unavailable (OSError: [Errno 24] too many open files, or the "
                                 "kernel's limit of inotify instances is reached (fs.inotify.max_user_instances = "), reason
    else:
        assert reason == "file events unavailable (OSError: [Errno 24] Too many open files)", reason


def test_a_runs_folder_given_as_a_symbolic_link_is_watched(tmp_path: Path) -> None:
    real = tmp_path / "real-runs"
    write_run(real, "1")
    link = tmp_path / "runs"
    link.symlink_to(real, target_is_directory=True)
    got = Collector()
    watcher = make_watcher(link, got, safety_interval=60)
    watcher.start()
    try:
        assert (watcher.mode, watcher.reason) == (NATIVE, "")
        (real / "1" / "cout.txt").write_text("through the link\n")
        got.wait_for(lambda: "cout.txt" in got.changed().get("1", set()))
        write_run(real, "2")
        got.wait_for(lambda: "2" in got.changed())
    finally:
        watcher.stop()


def test_behind_inotify_the_safety_net_scans_of_a_big_folder_are_rare(tmp_path: Path) -> None:
    """A scan that cost 0.1 s of CPU (a folder of about 10,000 runs) repeats after 5 s behind
    inotify's watches, after 0.4 s when polling or behind events of unknown trust."""
    write_run(tmp_path, "1")
    for kind in ("inotify", "other events", "polling"):
        options: dict[str, object] = {"safety_interval": 0.5}
        if kind == "other events":
            options["observer_factory"] = SilentObserver
        if kind == "polling":
            options["force_polling"] = True
        watcher = make_watcher(tmp_path, Collector(), **options)
        watcher.start()
        try:
            watcher._scan_cost = 0.1
            expected = {"inotify": 5.0, "other events": 0.5, "polling": 0.4}[kind]
            assert watcher._interval() == pytest.approx(expected), kind
        finally:
            watcher.stop()


def test_a_run_written_by_real_sacred_is_followed_file_by_file(tmp_path: Path) -> None:
    """Sacred 0.8.7's FileStorageObserver makes the run folder, then writes run.json in place (not by
    a rename), cout.txt and metrics.json at the end: each write names its file."""
    pytest.importorskip("sacred")
    script = tmp_path / "exp" / "train.py"
    script.parent.mkdir()
    script.write_text(
        "import time\nfrom sacred import Experiment\nex = Experiment('followed')\n\n"
        "@ex.automain\ndef main(_run):\n"
        "    for step in range(5):\n"
        "        _run.log_scalar('loss', 1.0 / (step + 1), step)\n"
        "        print('step', step)\n"
        "        time.sleep(0.1)\n")
    runs = tmp_path / "runs"
    runs.mkdir()
    got = Collector()
    watcher = make_watcher(runs, got, safety_interval=60)
    watcher.start()
    try:
        assert watcher.mode == NATIVE
        done = subprocess.run([sys.executable, script.name, "-F", str(runs)], cwd=script.parent,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        got.wait_for(lambda: {"run.json", "cout.txt", "metrics.json"} <= got.changed().get("1", set()))
        assert set(got.changed()) == {"1"}  # _sources is not a run
    finally:
        watcher.stop()
