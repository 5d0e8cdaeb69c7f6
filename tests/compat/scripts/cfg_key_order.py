"""The order of config keys a function sees (it iterates them): scope order, updates, named configs, hooks."""
from sacred import Experiment, Ingredient

data = Ingredient("data")


@data.config
def data_cfg():
    opts = {"a": 1, "b": 2}
    n = 3


@data.named_config
def small():
    opts = {"b": 5, "c": 1}


ex = Experiment("order", ingredients=[data])
ex.add_config(top={"k": 1, "j": 2})


@ex.config
def cfg():
    z = 1
    top = {"m": 1}
    opts = {"m": 1, "a": 2}


@ex.named_config
def first():
    zz = 3
    opts = {"q": 1, "b": 2}
    bb = {"y": 1, "x": 2}


@ex.named_config
def second():
    aa = 1
    opts = {"c": 1}
    bb = {"w": 1}
    top = {"j": 7}


@ex.config_hook
def hook(config, command_name, logger):
    return {"opts": {"e": 1}}


@data.capture
def show(opts, n):
    print("data", opts, n)


@ex.automain
def main(_config):
    show()
    print(list(_config))
    for key in ("top", "opts", "bb", "data"):
        print(key, _config.get(key))
