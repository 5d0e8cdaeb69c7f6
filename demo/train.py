"""Train a tiny classifier on two noisy point clouds and log loss, accuracy and learning rate live.

    python demo/train.py -F demo_runs                          # about three seconds
    python demo/train.py -F demo_runs with steps=50 delay=0.1  # slower: watch it in sacred-tui
    python demo/train.py -F demo_runs with big                 # a named config
    python demo/train.py -F demo_runs with diverge_at=30       # fails on purpose
    python demo/train.py print_config with hard lr=0.1         # what would run, without running

The model is logistic regression trained by full-batch gradient descent: numpy does the maths when it
is installed, plain Python otherwise. The points come from ``random.Random(seed)`` either way, so a
run gives the same numbers with and without numpy.
"""
from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from pathlib import Path

from core import SETTINGS, Experiment
from core.utils import TimeoutInterrupt, apply_backspaces_and_linefeeds

from tiny_png import write_line_chart

try:
    import numpy as np
except ImportError:  # the demo runs on plain Python too
    np = None

Point = tuple[float, float, int]   # x0, x1, label
Params = tuple[float, float, float]  # w0, w1, bias

# Beat every second (Sacred's default is 10 s) so a live view sees metrics move.
SETTINGS.DEFAULT_BEAT_INTERVAL = 1.0

ex = Experiment("train")
ex.captured_out_filter = apply_backspaces_and_linefeeds   # store only the final state of the progress bar


@ex.config
def cfg():
    steps = 100          # gradient descent steps
    delay = 0.03         # seconds to sleep per step, so there is something to watch
    lr = 0.2             # initial learning rate
    lr_decay = 0.99      # the learning rate is multiplied by this after every step
    n_points = 200       # training points, half in each cloud
    noise = 1.0          # spread of each cloud: higher overlaps more, so accuracy drops
    init = [-2.0, 1.0, 0.5]   # starting w0, w1, bias: deliberately poor, so accuracy has room to climb
    eval_every = 10      # steps between evaluations on held-out points
    diverge_at = None    # make the loss blow up at this step (a run that fails)
    max_seconds = None   # wall-clock budget; past it the run stops with status TIMEOUT


@ex.named_config
def big():
    """More data and more steps with a gentler learning rate."""
    n_points = 1000
    steps = 200
    lr = 0.1


@ex.named_config
def quick():
    """A handful of steps with no delay, for trying things out."""
    steps = 20
    delay = 0.0


@ex.named_config
def hard():
    """Overlapping clouds: accuracy stays well below 1."""
    noise = 2.0


@ex.capture
def make_points(n_points: int, noise: float, rnd: random.Random) -> list[Point]:
    """Two Gaussian clouds around (-1, -1) (label 0) and (1, 1) (label 1)."""
    points = []
    for i in range(n_points):
        label = i % 2
        centre = 1.0 if label else -1.0
        points.append((rnd.gauss(centre, noise), rnd.gauss(centre, noise), label))
    return points


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def step_python(params: Params, points: list[Point], lr: float) -> tuple[Params, float, float]:
    """One gradient step on the mean cross-entropy; returns (new params, loss, accuracy) before the step."""
    w0, w1, b = params
    g0 = g1 = gb = loss = 0.0
    correct = 0
    for x0, x1, y in points:
        p = min(max(sigmoid(w0 * x0 + w1 * x1 + b), 1e-12), 1 - 1e-12)
        loss -= math.log(p) if y else math.log(1 - p)
        correct += (p >= 0.5) == bool(y)
        g0, g1, gb = g0 + (p - y) * x0, g1 + (p - y) * x1, gb + (p - y)
    n = len(points)
    return (w0 - lr * g0 / n, w1 - lr * g1 / n, b - lr * gb / n), loss / n, correct / n


def step_numpy(params: Params, points: list[Point], lr: float) -> tuple[Params, float, float]:
    """The same step as :func:`step_python`, vectorised."""
    data = np.asarray(points, dtype=float)
    x, y = data[:, :2], data[:, 2]
    w, b = np.array(params[:2]), params[2]
    p = np.clip(1.0 / (1.0 + np.exp(-(x @ w + b))), 1e-12, 1 - 1e-12)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    accuracy = np.mean((p >= 0.5) == (y == 1))
    g = p - y
    w = w - lr * (x.T @ g) / len(y)
    return (float(w[0]), float(w[1]), float(b - lr * g.mean())), float(loss), float(accuracy)


def show_progress(step: int, steps: int, loss: float, accuracy: float) -> None:
    """A one-line progress bar redrawn in place with a carriage return."""
    done = 30 * step // steps
    sys.stdout.write(f"\r[{'#' * done}{'.' * (30 - done)}] {step}/{steps}  loss {loss:.4f}  acc {accuracy:.3f}")
    sys.stdout.flush()


@ex.automain
def train(steps: int, delay: float, lr: float, lr_decay: float, init: list[float], eval_every: int,
          diverge_at: int | None, max_seconds: float | None, _run, _log, _seed: int) -> float:
    """Train for ``steps`` steps, drawing a progress bar; returns the accuracy on held-out points."""
    rnd = random.Random(_seed)
    train_points, test_points = make_points(rnd=rnd), make_points(rnd=rnd)
    step_fn = step_numpy if np is not None else step_python
    _run.info["maths"] = "numpy" if np is not None else "plain Python"   # info.json, rewritten every beat
    params: Params = (init[0], init[1], init[2])
    losses: list[float] = []
    test_accuracy = 0.0
    started = time.monotonic()
    try:
        for step in range(steps):
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                raise TimeoutInterrupt(f"stopped after {max_seconds} s at step {step} of {steps}")
            params, loss, accuracy = step_fn(params, train_points, lr)
            if step == diverge_at:
                _run.log_scalar("loss", float("nan"))
                raise FloatingPointError(f"loss became nan at step {step} (diverge_at={diverge_at} asks for this)")
            _run.log_scalar("loss", loss)                  # implicit steps: 0, 1, 2, ...
            _run.log_scalar("accuracy", accuracy, step)    # explicit steps
            _run.log_scalar("lr", lr, step)
            losses.append(loss)
            lr *= lr_decay
            show_progress(step + 1, steps, loss, accuracy)
            if (step + 1) % eval_every == 0 or step + 1 == steps:
                _, test_loss, test_accuracy = step_fn(params, test_points, 0.0)
                _run.log_scalar("test_accuracy", test_accuracy, step)   # a sparse series
                _run.info["weights"] = {"w0": params[0], "w1": params[1], "bias": params[2]}
                print()  # keep this state of the bar on its own line
                _log.info("step %d: test loss %.4f, test accuracy %.3f", step + 1, test_loss, test_accuracy)
            time.sleep(delay)
    except BaseException:  # stopped early (failure, time budget, Ctrl-C): end the bar's line first
        print()
        raise
    with tempfile.TemporaryDirectory() as tmp:
        _run.add_artifact(write_line_chart(Path(tmp) / "loss.png", losses))
    print(f"final loss {losses[-1]:.4f}, test accuracy {test_accuracy:.3f}" if losses else "no steps run")
    return test_accuracy
