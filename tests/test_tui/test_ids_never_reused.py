"""A run started by core after runs were archived or deleted never gets one of their ids."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core import Experiment
from core.observers import FileStorageObserver
from sacred_tui.data.run_management import delete_runs, plan_deletion, set_archived
from sacred_tui.data.store import RunStore

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from core import Experiment
from core.observers import FileStorageObserver

ex = Experiment("ids")
ex.observers.append(FileStorageObserver(sys.argv[1]))

@ex.main
def main():
    return 1

print(ex.run().observers[0].dir)
"""


def run_in_process(runs: Path) -> str:
    ex = Experiment("ids")
    ex.observers.append(FileStorageObserver(str(runs)))
    ex.main(lambda: 1)
    return Path(ex.run().observers[0].dir).name


def run_in_new_process(runs: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    script = runs.parent / "ids_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(runs)], cwd=runs.parent, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1]).name


def test_core_never_reuses_an_archived_or_deleted_id(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    assert [run_in_process(runs) for _ in range(4)] == ["1", "2", "3", "4"]
    rows = {row.run_id: row for row in RunStore(runs).load_all()}
    assert set_archived(runs, ["2"], True).done == ["2"]
    assert delete_runs(runs, plan_deletion(runs, [rows["3"], rows["4"]])).done == ["3", "4"]
    assert sorted(os.listdir(runs)) == ["1", "2", "_sacred-tui", "_sources"]
    # This process claimed 4 last; 3 and 4 are gone, 2 is archived: the next id is 5, then 6.
    assert run_in_process(runs) == "5"
    assert delete_runs(runs, plan_deletion(runs, [RunStore(runs).load_all()[-1]])).done == ["5"]
    assert run_in_new_process(runs) == "6"
    assert run_in_new_process(runs) == "7"
    assert set(os.listdir(runs)) == {"1", "2", "6", "7", "_sacred-tui", "_sources"}
