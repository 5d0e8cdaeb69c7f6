"""A tiny experiment the launcher tests start as a subprocess."""
import time

from core import Experiment

ex = Experiment("tiny")


@ex.config
def cfg():
    msg = "hello"  # the text main prints (as repr)
    steps = 3  # how many steps
    delay = 0.01  # seconds per step
    opts = {"a": 1, "b": {"c": 2}}


@ex.named_config
def fast():
    """Fewer, quicker steps."""
    steps = 2
    delay = 0.0


@ex.named_config
def slow():
    """Many slow steps: runs until stopped."""
    steps = 100000
    delay = 0.05


@ex.command
def hello(msg):
    """Say the message."""
    print("hello says", repr(msg))


@ex.automain
def main(msg, steps, delay, opts, _run):
    print("msg is", repr(msg), flush=True)
    for step in range(steps):
        _run.log_scalar("loss", 1.0 / (step + 1))
        print("step", step, flush=True)
        time.sleep(delay)
    return steps
