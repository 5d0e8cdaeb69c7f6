"""An experiment built with Sacred itself, which has no print_config --json."""
from sacred import Experiment

ex = Experiment("built_with_sacred")


@ex.config
def cfg():
    steps = 3  # how many steps
    note = "plain"  # printed at the end
    opts = {"depth": 2}


@ex.named_config
def many():
    steps = 10


@ex.automain
def main(steps, note, opts):
    print(f"{steps} steps, {note}, depth {opts['depth']}")
    return steps
