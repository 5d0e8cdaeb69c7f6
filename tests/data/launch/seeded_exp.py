"""A deterministic experiment: its result depends on nothing but its seed (re-run tests)."""
import random

from core import Experiment

ex = Experiment("seeded")


@ex.config
def cfg():
    draws = 3  # how many numbers to draw


@ex.automain
def main(draws, _rnd):
    return [random.random() for _ in range(draws)] + [int(_rnd.integers(0, 10 ** 6))]
