"""Functions, lambdas, classes, objects and modules assigned in config scopes are config entries."""
from collections import OrderedDict

from sacred import Experiment

ex = Experiment("objects")


class Widget:
    def __init__(self, size=3):
        self.size = size


def double(x):
    return 2 * x


@ex.config
def cfg():
    container_cls = dict  # the container class
    post = lambda x: x * 2  # noqa: E731 - a lambda entry
    transform = double
    joiner = print

    def helper(y):
        return y + 1

    widget = Widget(5)
    _private = 4
    values = (1, 2)


@ex.named_config
def ordered():
    net_cls = OrderedDict


@ex.config_hook
def hook(config, command_name, logger):
    return {"hook_saw": [type(config["container_cls"]).__name__, config["container_cls"].__name__]}


@ex.config
def with_modules(values):
    import os.path as osp  # a module is an entry too (Sacred cannot deep-copy it for config hooks)
    import json
    first = values[0]


@ex.automain
def main(container_cls, post, transform, helper, widget, _private, values, _config):
    print(container_cls, post(2), transform(3), helper(1), widget.size, _private, values)
    print(sorted(_config))
    print(_config.get("net_cls"), _config["hook_saw"])
    return container_cls.__name__
