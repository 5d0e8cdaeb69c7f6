#!/usr/bin/env python
"""Benchmark of seed groups: grouping 20,000 runs, and the band plot of 10 runs × 100,000 points.

Run: ``python tests/benchmarks/bench_groups.py [--runs 20000] [--seeds 5] [--points 100000] [--repeat 5]``.
Budgets: grouping 20,000 runs (with the statistics of four columns) within 1 s; a group plot of
10 runs × 100,000 points redrawn within 100 ms. Grouping is timed on rows as the store holds them
(no file reading); the groups screen is timed through Textual's ``run_test`` from the key to the
filled table. The plot is timed as its first draw (steps aligned, band computed, plotext drawn) and
as a redraw (a resize: the band again at the new width, then plotext).
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable

from core.runs.metrics import MetricSeries
from sacred_tui.data.groups import group_runs
from sacred_tui.data.rows import MetricSummary, RunRow

FIELDS = ["result", "metric.loss.last", "metric.loss.min", "metric.accuracy.last"]


def make_rows(runs: int, seeds: int) -> list[RunRow]:
    """``runs`` rows in groups of ``seeds``: a config of 20 keys, three metrics, a numeric result."""
    rng = random.Random(1)
    rows = []
    for index in range(runs):
        config_index = index // seeds
        config = {"lr": 10 ** -(1 + config_index % 4), "batch_size": 2 ** (4 + config_index // 4 % 5),
                  "epochs": 10 + config_index // 20 % 40, "dropout": round(config_index // 800 % 6 / 10, 1),
                  "optimizer": ("sgd", "adam", "adamw")[config_index // 4800 % 3], "seed": index * 7919 % 1_000_003,
                  "momentum": 0.9, "weight_decay": 1e-4, "warmup": 5, "scheduler": "cosine", "clip": 1.0,
                  "model.depth": 4, "model.width": 256, "model.activation": "relu", "model.norm": "batch",
                  "model.residual": True, "dataset.name": "cifar10", "dataset.path": "/data/cifar10",
                  "dataset.augment": True, "dataset.n_items": 50_000}
        loss = [rng.random() for _ in range(3)]
        metrics = {"loss": MetricSummary.of(loss), "accuracy": MetricSummary.of([1 - value for value in loss]),
                   "lr": MetricSummary.of([1e-3])}
        rows.append(RunRow(run_id=str(index + 1), status="COMPLETED", experiment="train", config=config,
                           metrics=metrics, result=rng.random()))
    return rows


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def group_with_stats(rows: list[RunRow]) -> None:
    for group in group_runs(rows):
        for name in FIELDS:
            group.stats(name)


async def groups_screen(rows: list[RunRow]) -> float:
    """Seconds from pressing ``v`` to the groups table holding every group."""
    from textual.app import App

    from sacred_tui.data.store import RunStore
    from sacred_tui.screens.groups import GroupsScreen
    from sacred_tui.widgets.groups_table import GroupsTable

    expected = len(group_runs(rows))

    class Host(App[None]):
        def key_v(self) -> None:
            self.push_screen(GroupsScreen(RunStore("/nonexistent"), lambda: rows, FIELDS))

    async with Host().run_test(size=(160, 48)) as pilot:
        started = time.perf_counter()
        await pilot.press("v")
        while not isinstance(pilot.app.screen, GroupsScreen) or \
                pilot.app.screen.query_one(GroupsTable).row_count < expected:
            await pilot.pause(0.001)
        return time.perf_counter() - started


def make_series(runs: int, points: int) -> dict[str, MetricSeries]:
    rng = random.Random(2)
    series = {}
    for run in range(runs):
        steps = list(range(points))
        values = [1.0 / (1 + step / 1000) + rng.gauss(0, 0.05) for step in steps]
        series[str(run)] = MetricSeries(steps, ["2026-01-01T00:00:00"] * points, values)
    return series


def plot_times(series: dict[str, MetricSeries], repeat: int) -> tuple[list[float], list[float]]:
    """(first draws, redraws) of a 150-column group plot, in seconds."""
    from textual_plotext import Plot  # noqa: F401  (imported here: the import is not part of a draw)
    from textual_plotext.plotext_plot import PlotextPlot

    from sacred_tui.data.group_series import band_of
    from sacred_tui.widgets.group_plot import PlottedGroup, draw_bands

    plt = PlotextPlot().plt
    firsts, redraws = [], []
    for attempt in range(repeat):
        group = PlottedGroup("g1", "#4fc3f7", {run: {"loss": points} for run, points in series.items()})
        for draw_index in range(2):
            width = 140 + draw_index  # the redraw is a resize: the band is computed for the new width
            started = time.perf_counter()
            band = band_of(group.prepared("loss"), width * 2)  # the first draw aligns the steps
            draw_bands(plt, [(group, band)], "loss", width)
            plt.plotsize(width + 10, 40)
            plt.build()
            (redraws if draw_index else firsts).append(time.perf_counter() - started)
    return firsts, redraws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--plot-runs", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = make_rows(args.runs, args.seeds)
    groups = group_runs(rows)
    print(f"{args.runs} runs in {len(groups)} groups of {args.seeds}")
    times = timed(lambda: group_runs(rows), args.repeat)
    print(f"group_runs: median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f})")
    times = timed(lambda: group_with_stats(rows), args.repeat)
    print(f"group_runs + statistics of {len(FIELDS)} columns: median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f})")
    screen = [asyncio.run(groups_screen(rows)) for _ in range(2)]
    print(f"groups screen, key to filled table: {', '.join(f'{t:.2f}' for t in screen)} s")
    series = make_series(args.plot_runs, args.points)
    firsts, redraws = plot_times(series, args.repeat)
    print(f"group plot {args.plot_runs} runs x {args.points:,} points: first draw median "
          f"{statistics.median(firsts) * 1000:.0f} ms (min {min(firsts) * 1000:.0f}), "
          f"redraw median {statistics.median(redraws) * 1000:.0f} ms (min {min(redraws) * 1000:.0f})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
