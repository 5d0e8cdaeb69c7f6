"""RunStore never holds its lock while it reads a file: the UI thread asking for rows never waits."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sacred_tui.data import run_files
from sacred_tui.data.store import RunStore
from tui_runs_factory import ago, write_run


def rows_answer_while_reading(store: RunStore, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Make every JSON read ask, from another thread, for the store's rows; record whether it got them."""
    answers: list[bool] = []
    real_quick = run_files.RunFiles._quick

    def reading(self, name):
        got = threading.Event()
        asker = threading.Thread(target=lambda: (store.rows(), store.known_keys(), got.set()))
        asker.start()
        answers.append(got.wait(2.0))
        asker.join(5.0)
        return real_quick(self, name)

    monkeypatch.setattr(run_files.RunFiles, "_quick", reading)
    return answers


def test_loading_enriching_and_refreshing_leave_the_rows_readable(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(1, 8):
        write_run(tmp_path, str(index), config={"lr": index / 10}, metrics={"loss": [1.0, 0.5]})
    write_run(tmp_path, "8", status="RUNNING", stopped=None, heartbeat=ago(1), metrics={"loss": [1.0, 0.5]})
    store = RunStore(tmp_path)
    answers = rows_answer_while_reading(store, monkeypatch)
    batches = [len(batch) for batch in store.load_batches(first=3)]
    assert batches == [3, 5]
    enriched = sum(len(batch) for batch in store.enrich(batch_size=4))
    assert enriched == 8 and store.pending == 0
    store.refresh({"2": frozenset({"run.json", "config.json"})})
    store.tick()
    assert len(answers) >= 8 + 8 + 2
    assert all(answers), f"{answers.count(False)} reads held the store's lock"
    assert store.get("2").config == {"lr": 0.2}
    assert store.get("8").metrics["loss"].count == 2


def test_preferred_runs_are_enriched_first(tmp_path: Path) -> None:
    for index in range(1, 11):
        write_run(tmp_path, str(index), config={"lr": index})
    store = RunStore(tmp_path)
    store.load()
    store.prefer(["2", "5", "nope"])
    first = next(store.enrich(batch_size=3))
    assert [row.run_id for row in first] == ["2", "5", "10"]
    assert store.pending == 7


def test_a_row_refreshed_during_enriching_is_not_overwritten(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write_run(tmp_path, "1", config={"lr": 1})
    store = RunStore(tmp_path)
    store.load()
    real_config = run_files.RunFiles.config_json
    refreshed = []

    def config_json(self):
        value = real_config(self)  # the loader has read the old config ...
        if not refreshed:
            refreshed.append(True)
            # ... when the run changes and the watcher's refresh reads it whole and commits first.
            write_run(tmp_path, "1", config={"lr": 2})
            store.refresh({"1": frozenset({"config.json"})})
        return value

    monkeypatch.setattr(run_files.RunFiles, "config_json", config_json)
    assert [len(batch) for batch in store.enrich(batch_size=1)] == [0]
    assert store.get("1").config == {"lr": 2}
