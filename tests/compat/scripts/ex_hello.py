"""A configurable hello world: a config scope that takes _log, a config dict and a named config.

Named configs and updates change the message; the doc comments show in print_config.
"""
from sacred import Experiment

ex = Experiment("hello_cs")
ex.add_config({"punctuation": "!", "repeat": 1})


@ex.config
def cfg(_log, punctuation):
    # The recipient of the greeting
    recipient = "world"

    # The message used for greeting
    message = "Hello {}{}".format(recipient, punctuation)
    _log.info("config scope ran for %s", recipient)


@ex.named_config
def rude():
    """A rude named config"""
    recipient = "you"
    message = "Go away {}!".format(recipient)


@ex.automain
def main(message, repeat):
    print(__name__)
    for _ in range(repeat):
        print(message)
