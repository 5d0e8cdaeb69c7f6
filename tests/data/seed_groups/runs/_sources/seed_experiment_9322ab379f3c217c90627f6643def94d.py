"""A tiny training loop run with several seeds per config, to give seed groups real Sacred files."""
from sacred import Experiment
from sacred.observers import FileStorageObserver

ex = Experiment("seeds")


@ex.config
def config():
    lr = 0.1
    optimizer = "sgd"
    shuffle = True
    steps = 20


@ex.automain
def main(lr, optimizer, shuffle, steps, _run, _rnd):
    loss = 1.0
    for step in range(steps):
        loss *= 1 - lr * (0.5 + _rnd.random())
        _run.log_scalar("loss", loss, step)
        _run.log_scalar("acc", 1 - loss / 2, step)
    return loss
