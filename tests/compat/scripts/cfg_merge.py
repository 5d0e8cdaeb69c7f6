"""Scope parameters see the merged dict; the later of two updates of the same dict wins; defaults fill in;
dicts keep the order Sacred gives their keys."""
from sacred import Experiment

ex = Experiment("merge")
ex.add_config({"shared": {"x": 1, "y": 2}, "other": {"p": 1, "q": 2}})


@ex.config
def cfg(shared):
    keys = sorted(shared)
    total = shared["x"] + shared["y"]
    model = {"units": 64, "act": "relu", "layers": 2}


@ex.automain
def main(keys, total, model, shared, other):
    print(keys, total, model, shared, other)  # the order of the keys is part of what a function sees
