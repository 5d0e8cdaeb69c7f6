"""Sources and dependencies are what the script imported before creating the experiment, as in Sacred."""
from pkg_full.sub import f
from sacred import Experiment

ex = Experiment("late_imports")

from pkg_empty import mod  # noqa: E402 - imported after the experiment: not a source
import json  # noqa: E402,F401


@ex.automain
def main():
    print(mod.VALUE, f())
