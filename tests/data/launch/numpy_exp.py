"""An experiment whose config holds numpy values (launcher preview tests)."""
import numpy as np

from core import Experiment

ex = Experiment("numpy_values")


@ex.config
def cfg():
    weights = np.linspace(0.5, 2.0, 4)  # an array
    scale = np.float64(0.25)  # a numpy scalar
    lr = 0.01  # the learning rate


@ex.automain
def main(weights, scale, lr):
    return float(weights.sum() * scale * lr)
