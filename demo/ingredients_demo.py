"""Fit a straight line to the ``dataset`` ingredient's points by stochastic gradient descent.

    python demo/ingredients_demo.py -F demo_runs
    python demo/ingredients_demo.py -F demo_runs with dataset.first_half epochs=60
    python demo/ingredients_demo.py -F demo_runs dataset.stats     # the ingredient's own command
    python demo/ingredients_demo.py print_named_configs
"""
from __future__ import annotations

from core import Experiment

from data_ingredient import dataset, load_points

ex = Experiment("fit_line", ingredients=[dataset])


@ex.config
def cfg():
    epochs = 40          # passes over the points
    lr = 0.01            # step size of each update
    report_every = 5     # epochs between two "mse" points (logged with explicit steps)


@ex.named_config
def careful():
    """Smaller steps for longer."""
    lr = 0.002
    epochs = 120


def mean_squared_error(points: list[tuple[float, float]], slope: float, intercept: float) -> float:
    return sum((slope * x + intercept - y) ** 2 for x, y in points) / len(points)


@ex.automain
def fit(epochs: int, lr: float, report_every: int, _run, _log) -> dict:
    """Fit ``y = slope * x + intercept``, logging the error every ``report_every`` epochs."""
    points = load_points()
    slope = intercept = 0.0
    for epoch in range(1, epochs + 1):
        for x, y in points:
            error = slope * x + intercept - y
            slope -= lr * error * x
            intercept -= lr * error
        if epoch % report_every == 0 or epoch == epochs:
            mse = mean_squared_error(points, slope, intercept)
            _run.log_scalar("mse", mse, epoch)
            _log.info("epoch %d: mse %.4f", epoch, mse)
    _run.info["line"] = f"y = {slope:.3f} x + {intercept:.3f}"
    return {"slope": round(slope, 3), "intercept": round(intercept, 3)}
