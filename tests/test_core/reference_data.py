"""Where the tests find real Sacred 0.8.7 output, and the reference experiment rebuilt from it.

The runs folder already holds the experiment's files (the queued run 6 keeps copies of both sources, and
``_resources`` the input file), so the experiment is assembled from there instead of being stored twice.
"""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

REFERENCE_RUNS = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"
INPUT_RESOURCE = REFERENCE_RUNS / "_resources" / "input_987929d61c9b69f0c6406b840aa77fd8.txt"


@functools.lru_cache(maxsize=1)
def sacred_experiment_dir() -> Path:
    """A folder laid out as the experiment was (ref_experiment.py, helper_module.py, data/input.txt)."""
    folder = Path(tempfile.mkdtemp(prefix="sacred-reference-experiment-"))
    atexit.register(shutil.rmtree, folder, True)
    for name in ("ref_experiment.py", "helper_module.py"):
        shutil.copyfile(REFERENCE_RUNS / "6" / name, folder / name)
    (folder / "data").mkdir()
    shutil.copyfile(INPUT_RESOURCE, folder / "data" / "input.txt")
    return folder
