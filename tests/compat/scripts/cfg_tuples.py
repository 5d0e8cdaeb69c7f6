"""Values from the command line: tuples arrive as lists, like every other way Sacred reads them."""
from sacred import Experiment

ex = Experiment("tuples")


@ex.config
def cfg():
    pair = (1, 2)
    opts = {"size": [3, 4]}


@ex.automain
def main(pair, opts, shape=None, d=None, n=None):
    print(type(pair).__name__, pair, opts)
    print(type(shape).__name__, shape)
    print(d, n)
