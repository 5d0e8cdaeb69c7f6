"""Rows read in child processes (one or two at a time) give exactly the rows read here."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from damaged_runs import make_app_runs
from sacred_tui.data import child_pool, row_cache, run_row_reader
from sacred_tui.data.child_worker import ChildWorker
from sacred_tui.data.liveness import is_running
from sacred_tui.data.store import RunStore
from tests.test_tui.child_jobs import dies_first
from tests.test_tui.tui_runs_factory import ago, copy_reference_runs, write_run


def _rows(folder: Path, *, children: bool, now: float) -> tuple[dict[str, str], int]:
    """Every row (as text: a NaN read here and one sent back by the child are equal in text only)
    and how many are of running runs."""
    store = RunStore(folder)
    store.reader.children = children
    try:
        for _batch in store.load_batches(first=2, chunk=5, now=now):  # newest 2 here, then batches of 5
            pass
        for _batch in store.enrich(now=now):
            pass
        rows = store.rows()
        running = sum(is_running(row.status) for row in rows)
        return {row.run_id: repr(row) for row in rows}, running
    finally:
        store.close()


@pytest.mark.parametrize("children", [1, 2])
@pytest.mark.parametrize("kind", ["written by Sacred 0.8.7", "damaged"])
def test_rows_read_in_a_child_process_equal_the_rows_read_here(tmp_path: Path, kind: str, children: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "runs"
    if kind == "damaged":
        make_app_runs(folder, seed=11)  # torn, binary, FIFOs, symlinks, deep, huge ...
    else:
        copy_reference_runs(folder)
    write_run(folder, "77", status="RUNNING", stopped=None, heartbeat=ago(2), metrics={"loss": [1.0]})
    jobs: list[int] = []
    first_passes: list[int] = []
    workers: set[int] = set()
    real_run = ChildWorker.run

    def counted(self: ChildWorker, function, *args):  # type: ignore[no-untyped-def]
        if function is run_row_reader.enrich_in_child:
            jobs.append(len(args[1]))
            workers.add(id(self))
        elif function is run_row_reader.stamped_first_pass_in_child:
            first_passes.append(len(args[1]))
        return real_run(self, function, *args)

    monkeypatch.setattr(run_row_reader, "CHILD_BATCH", 1)
    monkeypatch.setattr(child_pool, "MIN_PART", 1)  # two runs are enough to use both children
    monkeypatch.setattr(child_pool, "pool_size", lambda: children)
    monkeypatch.setattr(ChildWorker, "run", counted)
    now = time.time()
    here, running = _rows(folder, children=False, now=now)
    assert not jobs and not first_passes
    away, _running = _rows(folder, children=True, now=now)
    assert away == here
    assert sum(jobs) == len(here) and running >= 1  # running runs are read whole there too
    assert len(workers) == children  # the batches were shared out
    assert sum(first_passes) == len(here) - 2  # run.json of all but the newest two


def test_a_reading_process_that_dies_is_replaced_and_its_part_read_again(tmp_path: Path) -> None:
    pool = child_pool.ChildPool(size=1)
    try:
        assert pool.map(dies_first, [1, 2, 3], str(tmp_path / "died")) == [2, 4, 6]
        assert (tmp_path / "died").exists()
    finally:
        pool.close()


@pytest.mark.parametrize("kind", ["written by Sacred 0.8.7", "damaged"])
def test_a_reopened_folder_read_in_child_processes_gives_the_rows_read_here(
        tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "runs"
    if kind == "damaged":
        make_app_runs(folder, seed=5)
    else:
        copy_reference_runs(folder)
    monkeypatch.setattr(row_cache, "RACY_SECONDS", 0.0)  # files written just now may be kept
    monkeypatch.setattr(run_row_reader, "CHILD_BATCH", 1)
    monkeypatch.setattr(child_pool, "MIN_PART", 1)
    now = time.time()
    store = RunStore(folder)
    store.reader.children = False
    try:
        store.load_all(now=now)
        fresh = {row.run_id: repr(row) for row in store.rows()}
        assert store.save_row_cache()
    finally:
        store.close()
    enriched: list[int] = []
    real_run = ChildWorker.run

    def counted(self: ChildWorker, function, *args):  # type: ignore[no-untyped-def]
        if function is run_row_reader.enrich_in_child:
            enriched.append(len(args[1]))
        return real_run(self, function, *args)

    monkeypatch.setattr(ChildWorker, "run", counted)
    away, _running = _rows(folder, children=True, now=now)
    here, _running = _rows(folder, children=False, now=now)
    assert away == here == fresh
    if kind == "damaged":  # rows with a problem are never kept: a few are
        assert sum(enriched) < len(fresh)
    else:
        assert sum(enriched) < len(fresh) // 2  # most rows came from the cache, whole
