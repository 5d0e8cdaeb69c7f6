"""A run queued with -q is started later with --id N: it takes over its QUEUED folder, exactly once."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from core.observers.queued_claim import CLAIM_JSON, claim_queued_run

EXPERIMENT = """
from core import Experiment
ex = Experiment("queued")

@ex.config
def cfg():
    msg = "hello"

@ex.automain
def main(msg):
    print("msg is", msg)
    return msg
"""


def _read(run_dir: Path, name: str) -> dict:
    return json.loads((run_dir / name).read_text())


@pytest.fixture
def queued(script) -> Path:
    script.write("exp.py", EXPERIMENT)
    done = script.run("exp.py", "with", "msg=waiting", "-q", "-F", "runs")
    assert done.returncode == 0, done.stderr
    assert 'Queued-up run with ID "1"' in done.stderr
    run_dir = script.folder / "runs" / "1"
    assert _read(run_dir, "run.json")["status"] == "QUEUED"
    return run_dir


def test_id_of_a_queued_run_starts_it_in_its_folder(script, queued: Path) -> None:
    done = script.run("exp.py", "with", "msg=started", "--id=1", "-F", "runs")
    assert done.returncode == 0, done.stderr
    run = _read(queued, "run.json")
    assert (run["status"], run["result"]) == ("COMPLETED", "started")
    assert run["meta"]["options"]["--id"] == "1"
    assert _read(queued, "config.json")["msg"] == "started"
    assert "msg is started\n" in (queued / "cout.txt").read_text()
    assert _read(queued, CLAIM_JSON)["action"] == "start"
    assert sorted(p.name for p in (script.folder / "runs").iterdir() if not p.name.startswith("_")) == ["1"]


def test_a_queued_run_starts_once_and_a_finished_run_is_never_touched(script, queued: Path) -> None:
    assert script.run("exp.py", "--id=1", "-F", "runs").returncode == 0
    before = (queued / "run.json").read_text()
    again = script.run("exp.py", "with", "msg=again", "--id=1", "-F", "runs")
    assert again.returncode == 1
    assert "already exists; choose another --id" in again.stderr
    assert (queued / "run.json").read_text() == before


def test_a_cancelled_queued_run_refuses_to_start_and_says_why(script, queued: Path) -> None:
    claim_queued_run(queued, "cancel")
    started = script.run("exp.py", "--id=1", "-F", "runs")
    assert started.returncode == 1
    assert "was already taken to cancel it" in started.stderr
    assert _read(queued, "run.json")["status"] == "QUEUED"


def test_a_new_run_never_takes_the_id_a_queued_run_holds(script, queued: Path) -> None:
    done = script.run("exp.py", "-F", "runs")
    assert 'Started run with ID "2"' in done.stderr
    assert _read(queued, "run.json")["status"] == "QUEUED"


def test_of_many_takers_at_once_exactly_one_wins(queued: Path) -> None:
    results: list[str] = []
    barrier = threading.Barrier(8)

    def take(action: str) -> None:
        barrier.wait()
        try:
            claim_queued_run(queued, action)
            results.append("won")
        except FileExistsError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=take, args=(f"act{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1
    assert all("was already taken to act" in text for text in results if text != "won")
