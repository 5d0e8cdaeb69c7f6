"""Calls every public reader of a runs folder (core.runs and the UI's data layer) and reports failures.

Each run is exercised in its own thread with a time bound, so a read that blocks (a FIFO opened
for reading) shows up as a failure instead of hanging the test run.
"""
from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.runs import RunsFolder
from sacred_tui.data.annotations import read_annotations
from sacred_tui.data.columns import BASE_COLUMNS, cell_text, column_for, sort_key
from sacred_tui.data.compare import compare_configs
from sacred_tui.data.compare_source import CompareSource
from sacred_tui.data.compare_text import STDOUT, diff_texts, read_side
from sacred_tui.data.query import parse_query
from sacred_tui.data.run_detail_data import RunDetailSource
from sacred_tui.data.store import RunStore

TIME_BOUND = 10.0
"""Seconds one run's reads may take (the huge run reads a 200,000-point metric)."""


def _bounded(label: str, call: Callable[[], Any], failures: list[str], bound: float = TIME_BOUND) -> Any:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException:  # every exception is a finding
            outcome["error"] = traceback.format_exc(limit=6)

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(bound)
    if thread.is_alive():
        failures.append(f"{label}: still running after {bound:.0f} s")
    elif "error" in outcome:
        failures.append(f"{label}: raised\n{outcome['error']}")
    elif time.monotonic() - started > bound:
        failures.append(f"{label}: took {time.monotonic() - started:.1f} s")
    return outcome.get("value")


def exercise_run(folder: RunsFolder, run_id: str) -> list[str]:
    """Every reader method on one run; returns the run's problems (for the caller to check)."""
    run = folder.run(run_id)
    run.read_record()
    run.read_config()
    run.read_info()
    run.read_process()
    run.read_metrics()
    run.artifacts()
    run.resources()
    for entry in run.sources():
        run.read_source_text(entry)
    tail = run.cout_tail()
    size = tail.size()
    tail.seek(max(0, size - 4096))
    tail.read_new(65536)
    tail.read_new()
    tail.read_range(0, 100)
    tail.read_range(max(0, size - 10), size + 10)
    follower = run.metrics_follower()
    follower.poll()
    follower.poll()
    source = RunDetailSource(folder.path, run_id, tail_bytes=64 * 1024)
    update = source.poll()
    source.poll()
    for item in update.files or []:
        source.preview_artifact(item)
    source.load_earlier_stdout(4096)
    read_annotations(folder.path / run_id)
    for entry in update.sources or []:
        source.read_source(entry)
    return run.problems()


def exercise_folder(root: Path, run_ids: list[str] | None = None) -> list[str]:
    """Every reader on every run of ``root``; returns the failures (empty when all is well)."""
    failures: list[str] = []
    folder = RunsFolder(root)
    listed = _bounded("list_run_ids", folder.list_run_ids, failures) or []
    _bounded("scan", lambda: folder.scan({}), failures)
    for run_id in run_ids if run_ids is not None else listed:
        problems = _bounded(f"run {run_id!r}", lambda run_id=run_id: exercise_run(RunsFolder(root), run_id),
                            failures)
        if problems is not None and not all(isinstance(p, str) for p in problems):
            failures.append(f"run {run_id!r}: problems are not texts: {problems!r}")
    store = RunStore(root)
    rows = _bounded("RunStore.load_all", store.load_all, failures) or []
    if store.pending:
        failures.append(f"RunStore: {store.pending} runs were left without their second loading pass")
    _bounded("RunStore.refresh", lambda: store.refresh({row.run_id: frozenset() for row in rows}), failures)
    _bounded("RunStore.tick", store.tick, failures)
    config_keys, metric_names = store.known_keys()
    keys = [spec.key for spec in BASE_COLUMNS] + [column_for(f"config.{key}").key for key in config_keys[:50]]
    keys += [column_for(f"metric.{name}.last").key for name in metric_names[:50]]
    now = time.time()

    def cells() -> None:
        query = parse_query("status=COMPLETED or exp")
        for row in store.rows():
            for key in keys:
                cell_text(row, key, now)
                sort_key(row, key, now)
            query.matches(row, now, lambda row: row.run_id)

    _bounded("table cells", cells, failures)
    ids = [row.run_id for row in rows]
    for first, second in itertools.islice(zip(ids, ids[1:]), 0, None, 3):
        def compare(pair: tuple[str, str] = (first, second)) -> None:
            source = CompareSource(root, list(pair))
            update = source.poll()
            compare_configs([update.configs.get(run_id, {}) for run_id in pair])
            a, b = (read_side(RunsFolder(root).run(run_id), STDOUT, 64 * 1024) for run_id in pair)
            diff_texts(a, b)
        _bounded(f"compare {first!r} with {second!r}", compare, failures)
    return failures
