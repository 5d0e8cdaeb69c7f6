"""Example 06 as written (``_rnd.randint``), with the legacy numpy API switched on and, as written, off."""
import sys

from sacred import Experiment, SETTINGS

if "--legacy" in sys.argv:
    sys.argv.remove("--legacy")
    SETTINGS.CONFIG.NUMPY_RANDOM_LEGACY_API = True

ex = Experiment("randomness")


@ex.config
def cfg():
    numbers = 3


@ex.capture
def do_random_stuff(numbers, _rnd):
    print(type(_rnd).__name__, [_rnd.randint(1, 100) for _ in range(numbers)])


@ex.capture
def do_more_random_stuff(_seed):
    print(_seed)


@ex.automain
def run():
    do_random_stuff()
    do_more_random_stuff()
    do_random_stuff()
