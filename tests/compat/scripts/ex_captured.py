"""Captured functions: values from the config, explicit arguments, prefixes, defaults, pre/post hooks."""
from sacred import Experiment

ex = Experiment("captured_functions")


@ex.config
def cfg():
    message = "This is printed by function {}."
    training = {"lr": 0.1, "epochs": 2}
    unused_default = 3


@ex.capture
def foo(message):
    print(message.format("foo"))


@ex.capture
def bar(message, extra="default extra"):
    print(message.format("bar"), extra)


@ex.capture(prefix="training")
def train(lr, epochs, batch=16):
    print("train", lr, epochs, batch)
    return lr * epochs


@ex.pre_run_hook
def before(training):
    print("before", training["lr"])


@ex.post_run_hook
def after(_config):
    print("after", sorted(_config))


@ex.automain
def main(_config, _run):
    foo()
    bar()
    foo("Overriding the default message for {}.")
    bar(extra="given")
    print(train(), train(epochs=5))
    print(type(_config).__name__, _run.config["training"])
    try:
        foo(1, 2)
    except TypeError as error:
        print(type(error).__name__)
    return train()
