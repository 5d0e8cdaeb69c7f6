"""numpy values in a config scope, and the errors a user meets: read-only config, a missing value."""
import numpy as np

from sacred import Experiment

ex = Experiment("numpy_values")


@ex.config
def cfg():
    scale = np.float64(0.5)  # a numpy scalar becomes a Python float
    count = np.int32(3)
    flag = np.bool_(True)
    arr = np.array([1, 2, 3])
    grid = np.array([0.0, 0.5, 1.0])  # (a view such as np.linspace(...) is stored as its values; see README)
    mode = "ok"


@ex.capture
def needs_value(missing_value):
    return missing_value


@ex.automain
def main(scale, count, flag, arr, mode, _config):
    print(type(scale).__name__, type(count).__name__, type(flag).__name__, type(arr).__name__, arr.tolist())
    if mode == "mutate":
        _config["scale"] = 2
    if mode == "missing":
        needs_value()
    return float(scale * count)
