"""An experiment built with Sacred itself, which has no print_config --json."""
from sacred import Experiment

ex = Experiment("built_with_sacred")


@ex.config
def cfg():
    steps = 3  # how many steps


@ex.automain
def main(steps):
    print(f"{steps} steps")
    return steps
