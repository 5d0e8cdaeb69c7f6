"""Config scopes of the reference experiment that produced Sacred 0.8.7's sample runs (imports removed)."""
import os
import signal
import sys
import time

import numpy as np


def data_cfg():
    path = "data/input.txt"  # path of the input file
    n_items = 3


def cfg():
    """Main config docstring."""
    lr = 0.01  # learning rate
    # number of epochs
    epochs = 3
    layers = [16, 8]
    opts = {"momentum": 0.9, "nested": {"flag": True}}
    name = "exp-" + str(epochs)
    mode = "ok"  # one of ok|fail|interrupt|timeout|custom|sleep
    sleep = 0.0
    progress_delay = 0.0  # seconds between progress-bar updates


def big():
    """A bigger network."""
    layers = [64, 32, 16]
    epochs = 5
