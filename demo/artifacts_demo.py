"""Store a report, a CSV table and a PNG plot of a made-up loss curve as artifacts of the run.

    python demo/artifacts_demo.py -F demo_runs
    python demo/artifacts_demo.py -F demo_runs with points=200 "title='a long curve'"

The plot is drawn by demo/tiny_png.py (zlib and struct only), so no plotting library is needed.
"""
from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

from core import Experiment

from tiny_png import write_line_chart

ex = Experiment("artifacts_demo")


@ex.config
def cfg():
    title = "made-up loss curve"   # first line of report.txt
    points = 80                    # length of the curve
    decay = 0.05                   # how fast the loss falls
    wiggle = 0.04                  # size of the random noise added to each point


@ex.capture
def loss_curve(points: int, decay: float, wiggle: float, _rnd) -> list[float]:
    """An exponential decay plus noise; ``_rnd`` is seeded from the run's seed."""
    return [math.exp(-decay * i) + 0.1 + _rnd.uniform(-wiggle, wiggle) for i in range(points)]


def write_csv(path: Path, losses: list[float]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "loss"])
        writer.writerows((step, f"{loss:.5f}") for step, loss in enumerate(losses))
    return path


@ex.automain
def main(title: str, _run) -> float:
    """Compute the curve, log it as a metric, and store three files with the run."""
    losses = loss_curve()
    for step, loss in enumerate(losses):
        _run.log_scalar("loss", loss, step)
    best = min(range(len(losses)), key=losses.__getitem__)
    _run.info["best"] = {"step": best, "loss": losses[best]}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        report = out / "report.txt"
        report.write_text(f"{title}\n{'=' * len(title)}\npoints: {len(losses)}\n"
                          f"lowest loss {losses[best]:.4f} at step {best}\n")
        _run.add_artifact(str(report))
        _run.add_artifact(str(write_csv(out / "curve.csv", losses)))
        _run.add_artifact(str(write_line_chart(out / "curve.png", losses)), name="loss_curve.png")
    print(f"stored report.txt, curve.csv and loss_curve.png (lowest loss {losses[best]:.4f} at step {best})")
    return round(losses[best], 4)
