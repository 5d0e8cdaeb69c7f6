"""Randomness: _seed and _rnd of captured functions, and the seeded global generators."""
import random

from sacred import Experiment

ex = Experiment("randomness")


@ex.config
def cfg():
    reverse = False
    numbers = 2


@ex.capture
def do_random_stuff(numbers, _rnd):
    print(type(_rnd).__module__, type(_rnd).__name__)
    if hasattr(_rnd, "integers"):
        print([int(_rnd.integers(1, 100)) for _ in range(numbers)])
    else:
        print([_rnd.randint(1, 100) for _ in range(numbers)])


@ex.capture
def do_more_random_stuff(_seed):
    print("seed", _seed)


@ex.automain
def run(reverse, _seed, _rnd):
    print("main seed", _seed, type(_rnd).__name__)
    if reverse:
        do_more_random_stuff()
        do_random_stuff()
    else:
        do_random_stuff()
        do_more_random_stuff()
    do_random_stuff()
    print("random", random.random(), random.randint(1, 10**6))
    import numpy as np
    print("numpy", np.random.randint(10**6), np.random.rand())
