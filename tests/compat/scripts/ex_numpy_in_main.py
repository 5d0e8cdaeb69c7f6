"""numpy is imported only inside main: its global generator is still seeded from the run's seed."""
from sacred import Experiment

ex = Experiment("late_numpy")


@ex.automain
def main(seed):
    import numpy as np
    print(seed, np.random.randint(10**6), np.random.random())
    print(np.random.default_rng(1).integers(10))
