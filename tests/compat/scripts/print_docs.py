"""print_config with comment docs on leaves and dicts, nested dicts, and named-config docstrings.

This docstring also becomes the help text.
"""
from sacred import Experiment

ex = Experiment("docs")


@ex.config
def cfg():
    """The main configuration."""
    lr = 0.01  # learning rate
    # optimiser settings
    opt = {"m": 0.9, "nested": {"deep": True}}
    layers = [16, 8]  # pylint: disable=invalid-name
    name = "a fairly long string value that exceeds the column"  # a doc after a long line
    empty = {}  # nothing in here
    a_very_long_name_for_an_entry_xx = 1  # doc of a long line


@ex.named_config
def big():
    """A bigger network.

    Uses more layers and a larger
        learning rate.
    """
    layers = [64, 32, 16]
    lr = 0.1


@ex.named_config
def oneline():
    """Just one line."""
    lr = 0.5


@ex.named_config
def nodoc():
    lr = 1


ex.add_named_config("fromdict", {"lr": 0.3, "__doc__": "A named config given as a dict."})


@ex.automain
def main(lr, opt, layers):
    print(lr, opt, layers)
