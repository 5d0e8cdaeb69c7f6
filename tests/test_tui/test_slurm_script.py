"""The SLURM batch script runs exactly the argument list it was given, whatever the values; options are checked."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sacred_tui.data.slurm import SlurmError, SlurmOptions, batch_script

HOSTILE = [
    "msg=two words", "msg='single' \"double\"", "msg=$(touch pwned)", "msg=`touch pwned`", "msg=line1\nline2",
    "msg=back\\slash; rm -rf ~ && echo", "msg=*", "msg=$HOME ${PATH}", "msg=!!", "msg=", "--comment=-x 'y'",
    "msg=tab\there", "msg=ünïcödé ✓", "msg=#not a comment", "msg=a'\"'b",
]


def test_the_batch_script_passes_every_word_unchanged(tmp_path: Path) -> None:
    work = tmp_path / "dir with 'quotes' and $(x)"
    work.mkdir()
    dump = "import json, os, sys; json.dump([os.getcwd(), *sys.argv[1:]], open(os.environ['OUT'], 'w'))"
    script = tmp_path / "slurm.sh"
    script.write_text(batch_script([sys.executable, "-c", dump, *HOSTILE], work, note="line one\nline $(two)"))
    out = tmp_path / "argv.json"
    done = subprocess.run(["bash", str(script)], cwd=tmp_path, env={"OUT": str(out), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == [str(work), *HOSTILE]
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize("options, message", [
    (SlurmOptions(partition="gpu; rm"), "is not a partition name"),
    (SlurmOptions(time="2 hours"), "is not one of SLURM's forms"),
    (SlurmOptions(cpus=0), "CPUs must be at least 1"),
    (SlurmOptions(gpus="lots"), "must be a count or TYPE:COUNT"),
    (SlurmOptions(mem="8 GB"), "must be a number with an optional unit"),
    (SlurmOptions(extra=("high",)), "is not an option: write each as --name=value"),
    (SlurmOptions(extra=("--output=/tmp/x",)), "is not allowed: SLURM's output file is written into the run"),
    (SlurmOptions(extra=("-o/tmp/x",)), "is not allowed: SLURM's output file"),
    (SlurmOptions(extra=("--array=1-3",)), "each run is its own job"),
    (SlurmOptions(extra=("--requeue",)), "--no-requeue"),
])
def test_bad_options_are_refused_with_the_reason(options: SlurmOptions, message: str) -> None:
    assert message in " ".join(options.problems())


def test_good_options_become_sbatch_arguments() -> None:
    options = SlurmOptions("debug,short", "1-12:30", 4, "a100:2", "16G", SlurmOptions.parse_extra(
        "--qos=high --account='my lab' --exclusive"))
    assert options.problems() == []
    assert options.sbatch_args() == ["--partition=debug,short", "--time=1-12:30", "--cpus-per-task=4",
                                     "--gpus=a100:2", "--mem=16G", "--qos=high", "--account=my lab", "--exclusive"]
    assert SlurmOptions.from_json(options.to_json()) == options
    with pytest.raises(SlurmError, match="No closing quotation"):
        SlurmOptions.parse_extra("--account='open")
