"""Provides the ``dataset`` ingredient: (x, y) points read from a CSV shipped in demo/data/.

An ingredient brings its own config (under ``dataset.`` in the experiment's config), named configs
and commands to every experiment that lists it:

    python demo/ingredients_demo.py print_config with dataset.first_half
    python demo/ingredients_demo.py -F demo_runs dataset.stats
"""
from __future__ import annotations

import csv
from pathlib import Path

from core import Ingredient

DATA_DIR = Path(__file__).resolve().parent / "data"

dataset = Ingredient("dataset")


@dataset.config
def cfg():
    filename = "points.csv"   # a file in demo/data/; the run records it as a resource
    limit = None              # keep only the first `limit` rows (None keeps all)
    y_scale = 1.0             # every y is multiplied by this


@dataset.named_config
def first_half():
    """Only the first 25 rows."""
    limit = 25


@dataset.capture
def load_points(filename: str, limit: int | None, y_scale: float, _run) -> list[tuple[float, float]]:
    """Read the CSV through ``open_resource``, so the run stores a copy of exactly what it read."""
    with _run.open_resource(str(DATA_DIR / filename)) as handle:
        rows = list(csv.DictReader(handle))
    return [(float(row["x"]), float(row["y"]) * y_scale) for row in rows[:limit]]


@dataset.command
def stats(_log) -> dict:
    """Print how many points there are and their means."""
    points = load_points()
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    print(f"{len(points)} points, mean x {mean_x:.3f}, mean y {mean_y:.3f}")
    return {"count": len(points), "mean_x": round(mean_x, 3), "mean_y": round(mean_y, 3)}
