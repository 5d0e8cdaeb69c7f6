"""Seeds of captured functions in ingredients: nested ingredient paths, an ingredient's own seed entry."""
import random

from sacred import Experiment, Ingredient

augment = Ingredient("data.augment")


@augment.capture
def flip(_seed, _rnd):
    draw = _rnd.integers(1000) if hasattr(_rnd, "integers") else _rnd.randint(0, 999)
    return _seed, int(draw)


data = Ingredient("data", ingredients=[augment])


@data.config
def data_cfg():
    size = 3


@data.capture
def load(size, _seed):
    return size, _seed


model = Ingredient("model")


@model.config
def model_cfg():
    seed = 123  # an ingredient may fix its own seed
    width = 2


@model.capture
def build(width, _seed):
    return width, _seed


@model.capture
def not_random(width):
    return width


ex = Experiment("random_ingredients", ingredients=[data, model])


@ex.capture
def helper(_seed):
    return _seed


@ex.automain
def main(_seed):
    print("main", _seed, helper(), helper())
    print("load", load(), load())
    print("flip", flip(), flip())
    print("build", build(), not_random(), build())
    print("random", random.randint(1, 100))
