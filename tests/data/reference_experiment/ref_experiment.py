#!/usr/bin/env python
"""Reference experiment used to generate FileStorageObserver sample runs."""
import os
import signal
import sys
import time

import numpy as np
from core import Experiment, Ingredient
from core.utils import TimeoutInterrupt, SacredInterrupt

import helper_module  # local module -> should be discovered as a source file

data = Ingredient("dataset")


@data.config
def data_cfg():
    path = "data/input.txt"  # path of the input file
    n_items = 3


@data.capture
def load(path, n_items, _log):
    _log.info("loading %s", path)
    return n_items


ex = Experiment("ref_exp", ingredients=[data])
if os.environ.get("REF_FILTER"):
    from core.utils import apply_backspaces_and_linefeeds
    ex.captured_out_filter = apply_backspaces_and_linefeeds


@ex.config
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


@ex.named_config
def big():
    """A bigger network."""
    layers = [64, 32, 16]
    epochs = 5


class CustomInterrupt(SacredInterrupt):
    STATUS = "MY_CUSTOM_STATUS"


@ex.capture
def train_step(epoch, lr, _rnd, _seed):
    return float(lr * (epoch + 1)) + float(_rnd.random()) * 0


@ex.automain
def main(_run, _config, epochs, mode, sleep, opts, progress_delay):
    print("starting", _config["name"])
    print("helper says", helper_module.double(21))
    n = load()
    with _run.open_resource("data/input.txt") as f:
        print("resource first line:", f.readline().strip())
    for e in range(epochs):
        _run.log_scalar("loss", np.float32(1.0 / (e + 1)))
        _run.log_scalar("acc", 0.5 + 0.1 * e, step=10 * e)
        ex.log_scalar("train.lr", train_step(e))
    _run.info["custom"] = {"array": np.arange(3), "tuple": (1, 2), "n": n,
                           "np_float": np.float64(2.5)}
    with open("out_model.txt", "w") as f:
        f.write("weights\n")
    _run.add_artifact("out_model.txt")
    _run.add_artifact("out_model.txt", name="model_copy.txt",
                      metadata={"k": 1}, content_type="text/plain")
    sys.stderr.write("this goes to stderr\n")
    for i in range(3):
        print("progress %d%%" % (i * 50), end="\r", flush=True)
        time.sleep(progress_delay)
    print("done.         ")
    if sleep:
        time.sleep(sleep)
    if mode == "fail":
        raise ValueError("intentional failure")
    if mode == "interrupt":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    if mode == "timeout":
        raise TimeoutInterrupt()
    if mode == "custom":
        raise CustomInterrupt()
    return {"final_loss": np.float64(0.25), "arr": np.array([1.5, 2.5])}
