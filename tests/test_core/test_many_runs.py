"""Many short runs of one experiment in one process (a sweep): what a run remembers from the runs before it
must never leak into its record. Real subprocesses, real files."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

SCRIPT = '''
import os, sys
from core import Experiment
from core.observers import FileStorageObserver

import helper

ex = Experiment("sweep")
ex.observers.append(FileStorageObserver("runs"))


@ex.config
def cfg():
    idx = 0


@ex.main
def main(_run, idx):
    print("run", idx, helper.NAME)
    for step in range(5):
        _run.log_scalar("loss", 1.0 / (idx + step + 1))
    with open("out.txt", "w") as handle:
        handle.write("result of run %d\\n" % idx)
    _run.add_artifact("out.txt")
    return idx


for index in range(4):
    if index == 2:
        with open("helper.py", "a") as handle:
            handle.write("# changed between two runs\\n")
        with open("edited.json", "w") as handle:
            handle.write("{}")
        os.replace("edited.json", os.path.join("runs", "1", "process.json"))  # replaced by someone
    ex.run(config_updates={"idx": index})
'''


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_each_run_records_the_sources_as_they_are_at_its_start(script) -> None:
    script.write("helper.py", 'NAME = "helper"\n')
    original = (script.folder / "helper.py").read_bytes()
    script.write("sweep.py", SCRIPT)
    done = script.run("sweep.py")
    assert done.returncode == 0, done.stderr
    changed = (script.folder / "helper.py").read_bytes()
    runs = script.folder / "runs"
    for number in range(1, 5):
        run_dir = runs / str(number)
        record = json.loads((run_dir / "run.json").read_text())
        assert record["status"] == "COMPLETED" and record["result"] == number - 1
        sources = dict(record["experiment"]["sources"])
        expected = _md5(original if number <= 2 else changed)
        assert sources["helper.py"] == f"_sources/helper_{expected}.py"
        assert (runs / sources["helper.py"]).read_bytes() == (original if number <= 2 else changed)
        assert record["artifacts"] == ["out.txt"]
        assert (run_dir / "out.txt").read_text() == f"result of run {number - 1}\n"
        printed = [line for line in (run_dir / "cout.txt").read_text().splitlines() if line.startswith("run ")]
        assert printed == [f"run {number - 1} helper"]  # its own output only (log lines are captured too)
        metrics = json.loads((run_dir / "metrics.json").read_text())
        assert metrics["loss"]["values"] == [1.0 / (number - 1 + step + 1) for step in range(5)]
        assert metrics["loss"]["steps"] == list(range(5))
        # short runs: nobody could follow them live, so no sidecar; process.json for the viewer
        assert not (run_dir / "metrics.jsonl").exists()
        if number > 1:  # run 1's copy was replaced by the script
            process = json.loads((run_dir / "process.json").read_text())
            assert process["pid"] > 0 and process["python"]
    pids = {json.loads((runs / str(n) / "process.json").read_text())["pid"] for n in range(2, 5)}
    assert len(pids) == 1
    # one process, one text: runs share a copy (a hard link, where the file system has them), but never
    # one that was changed after this process wrote it
    assert (runs / "2" / "process.json").read_text() == (runs / "3" / "process.json").read_text()
    assert json.loads((runs / "1" / "process.json").read_text()) == {}
    third, fourth = (runs / "3" / "process.json").stat(), (runs / "4" / "process.json").stat()
    assert (third.st_ino == fourth.st_ino) == (third.st_nlink > 1)
    stored = sorted(path.name for path in Path(runs / "_sources").iterdir() if path.name.startswith("helper_"))
    assert stored == sorted([f"helper_{_md5(original)}.py", f"helper_{_md5(changed)}.py"])


FREED_SCRIPT = '''
import gc, json, sys, weakref
from core import Experiment
from core.observers import FileStorageObserver

ex = Experiment("freed")
ex.observers.append(FileStorageObserver("runs"))


@ex.main
def main(_run):
    print("short")
    _run.log_scalar("x", 1)


gc.disable()  # what is freed must be freed as soon as nothing refers to it, not by a collection
finished = []
for index in range(30):
    finished.append(weakref.ref(ex.run()))
alive = sum(ref() is not None for ref in finished[:-1])  # the last run stays referenced until the next
json.dump({"alive": alive}, sys.stdout)
'''


def test_a_finished_short_run_is_freed_at_once(script) -> None:
    """Nothing keeps a finished run alive (its timer for starting the background work was cancelled): a
    program making thousands of short runs holds one at a time, and its garbage collections stay cheap."""
    script.write("freed.py", FREED_SCRIPT)
    done = script.run("freed.py")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"alive": 0}
