"""Tests of MemoryObserver, the RunObserver defaults and the atomic file helpers."""
from __future__ import annotations

import datetime
import os
from pathlib import Path

import core.observers
from core.metrics import MetricsLogger
from core.observers import MemoryObserver, RunObserver
from core.observers.atomic import append_text, atomic_copy, atomic_write_bytes, atomic_write_text

T0 = datetime.datetime(2026, 1, 1)


def test_memory_observer_records_a_whole_run(tmp_path: Path) -> None:
    observer = MemoryObserver(priority=5)
    info = {"n": 1}
    assert observer.started_event({"name": "e"}, "main", {"hostname": "h"}, T0, {"lr": 0.1}, {}, "7") == "7"
    logger = MetricsLogger()
    logger.log_scalar("loss", 1.0)
    observer.log_metrics(logger.drain(), info)
    logger.log_scalar("loss", 0.5)
    observer.log_metrics(logger.drain(), info)
    observer.output_event("hello")
    observer.heartbeat_event(info, "hello\n", T0, 3)
    info["n"] = 2  # later changes do not alter what was observed
    artifact = tmp_path / "a.txt"
    artifact.write_text("content")
    observer.artifact_event("a.txt", str(artifact), {"k": 1}, "text/plain")
    observer.resource_event("/data/in.txt")
    observer.completed_event(T0, 42)
    observer.join()
    run = observer.run
    assert (run.id, run.status, run.result, run.config, run.command) == ("7", "COMPLETED", 42, {"lr": 0.1}, "main")
    assert run.info == {"n": 1} and run.captured_out == "hello\n" and run.beats == 1
    assert run.metrics["loss"]["steps"] == [0, 1] and run.metrics["loss"]["values"] == [1.0, 0.5]
    assert all(isinstance(stamp, datetime.datetime) for stamp in run.metrics["loss"]["timestamps"])
    assert run.artifacts[0].content == b"content" and run.artifacts[0].metadata == {"k": 1}
    assert run.resources == ["/data/in.txt"]
    assert observer.event_names() == ["started_event", "log_metrics", "log_metrics", "output_event",
                                      "heartbeat_event", "artifact_event", "resource_event",
                                      "completed_event", "join"]
    assert observer.priority == 5


def test_memory_observer_failed_interrupted_and_queued() -> None:
    observer = MemoryObserver()
    observer.queued_event({}, "main", {}, T0, {}, {}, None)
    assert observer.run.status == "QUEUED" and observer.run.queue_time == T0
    observer.started_event({}, "main", {}, T0, {}, {}, None)
    observer.failed_event(T0, ["Traceback\n", "ValueError\n"])
    assert observer.run.status == "FAILED" and observer.run.fail_trace == ["Traceback\n", "ValueError\n"]
    observer.started_event({}, "main", {}, T0, {}, {}, None)
    observer.interrupted_event(T0, "TIMEOUT")
    assert [run.status for run in observer.runs] == ["QUEUED", "FAILED", "TIMEOUT"]


def test_run_observer_defaults_do_nothing() -> None:
    observer = RunObserver()
    assert observer.priority == 0
    assert observer.started_event({}, "main", {}, T0, {}, {}, None) is None
    assert observer.queued_event({}, "main", {}, T0, {}, {}, None) is None
    for call in (lambda: observer.heartbeat_event({}, "", T0, None), lambda: observer.log_metrics({}, {}),
                 lambda: observer.output_event(""), lambda: observer.completed_event(T0, None),
                 lambda: observer.failed_event(T0, []), lambda: observer.interrupted_event(T0, "X"),
                 lambda: observer.resource_event("f"), lambda: observer.artifact_event("a", "f"),
                 observer.join):
        assert call() is None


def test_observers_package_exports() -> None:
    assert {"FileStorageObserver", "MemoryObserver", "RunObserver", "MongoObserver"} <= set(core.observers.__all__)
    assert core.observers.FileStorageObserver.__name__ == "FileStorageObserver"


def test_atomic_writes_replace_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write_text(target, "first")
    inode = os.stat(target).st_ino
    atomic_write_text(target, "second é", fsync=True)
    assert target.read_text(encoding="utf-8") == "second é" and os.stat(target).st_ino != inode
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    atomic_write_text(target, "bad byte \udcff and lone \ud800")
    assert target.read_bytes() == b"bad byte \xff and lone \\ud800"
    copy = tmp_path / "copy.json"
    atomic_copy(target, copy)
    assert copy.read_bytes() == target.read_bytes()
    append_text(tmp_path / "log.txt", "a")
    append_text(tmp_path / "log.txt", "b\n")
    assert (tmp_path / "log.txt").read_text() == "ab\n"
    assert sorted(os.listdir(tmp_path)) == ["copy.json", "f.json", "log.txt"]
