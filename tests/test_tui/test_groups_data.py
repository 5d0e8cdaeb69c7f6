"""Tests of seed grouping and group statistics (checked against numpy) on real Sacred runs."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from core.runs.metrics import MetricSeries
from sacred_tui.data.group_series import aligned_points, group_band
from sacred_tui.data.groups import group_records, group_runs, sort_groups, stats_of, varying_keys
from sacred_tui.data.rows import MetricSummary, RunRow
from sacred_tui.data.store import RunStore

SEED_RUNS = Path(__file__).parent.parent / "data" / "seed_groups" / "runs"


def row(run_id: str, config: dict, metrics: dict | None = None, experiment: str = "exp") -> RunRow:
    summaries = {name: MetricSummary.of(values) for name, values in (metrics or {}).items()}
    return RunRow(run_id=run_id, experiment=experiment, config=config, metrics=summaries)


@pytest.mark.parametrize("values", [[1.0], [1.0, 2.0, 4.0], [0.1, 0.2, 0.3, 0.4, 10.5],
                                    [1e9 + 1, 1e9 + 2, 1e9 + 3], [-3.5, 2.25, 7.0, -1.0]])
def test_stats_match_numpy(values: list[float]) -> None:
    summary = stats_of(values)
    assert summary is not None
    assert summary.count == len(values)
    assert summary.mean == pytest.approx(np.mean(values), rel=1e-12)
    assert summary.std == pytest.approx(np.std(values), rel=1e-9, abs=1e-12)
    assert (summary.min, summary.max) == (min(values), max(values))


def test_stats_of_random_values_match_numpy() -> None:
    rng = random.Random(7)
    for _ in range(50):
        values = [rng.gauss(5, 3) for _ in range(rng.randint(1, 40))]
        summary = stats_of(values)
        assert summary.mean == pytest.approx(float(np.mean(values)), rel=1e-10)
        assert summary.std == pytest.approx(float(np.std(values)), rel=1e-8, abs=1e-12)


def test_stats_of_nothing_is_none() -> None:
    assert stats_of([]) is None


def test_groups_ignore_seed_and_chosen_keys() -> None:
    rows = [row("1", {"lr": 0.1, "seed": 1, "data.shuffle": True}),
            row("2", {"lr": 0.1, "seed": 2, "data.shuffle": True}),
            row("3", {"lr": 0.2, "seed": 1, "data.shuffle": True}),
            row("10", {"lr": 0.1, "seed": 3, "data.shuffle": False}),
            row("4", {"lr": 0.1, "seed": 5, "data.shuffle": True}, experiment="other"),
            row("5", {})]
    groups = group_runs(rows)
    assert [g.run_ids for g in groups] == [["1", "2"], ["3"], ["4"], ["5"], ["10"]]
    assert groups[0].ignored_values("seed") == [1, 2]
    wider = group_runs(rows, ignore=("seed", "data.shuffle"))
    assert [g.run_ids for g in wider] == [["1", "2", "10"], ["3"], ["4"], ["5"]]
    # Ignoring a parent key ignores everything under it.
    assert [g.run_ids for g in group_runs(rows, ignore=("seed", "data"))][0] == ["1", "2", "10"]


def test_group_metric_stats_match_numpy_per_column() -> None:
    rows = [row("1", {"lr": 0.1, "seed": 1}, {"loss": [3.0, 1.0, 2.0]}),
            row("2", {"lr": 0.1, "seed": 2}, {"loss": [4.0, 0.5]}),
            row("3", {"lr": 0.1, "seed": 3}, {"acc": [0.5]})]
    (group,) = group_runs(rows)
    last = group.stats("metric.loss.last")
    assert last.count == 2  # run 3 did not log loss
    assert last.mean == pytest.approx(np.mean([2.0, 0.5]))
    assert last.std == pytest.approx(np.std([2.0, 0.5]))
    low = group.stats("metric.loss.min")
    assert (low.mean, low.min, low.max) == (pytest.approx(np.mean([1.0, 0.5])), 0.5, 1.0)
    assert group.stats("metric.nothing.last") is None


def test_varying_keys_and_records() -> None:
    rows = [row("1", {"lr": 0.1, "seed": 1, "bs": 8}, {"loss": [1.0]}),
            row("2", {"lr": 0.1, "seed": 2, "bs": 8}, {"loss": [3.0]}),
            row("3", {"lr": 0.3, "seed": 1, "bs": 8}, {"loss": [2.0]})]
    groups = group_runs(rows)
    assert varying_keys(groups) == ["lr"]
    records = group_records(groups, ["metric.loss.last"], ["lr"])
    assert records[0]["runs"] == "1 2" and records[0]["count"] == 2
    assert records[0]["config.lr"] == 0.1
    assert records[0]["metric.loss.last.mean"] == 2.0
    assert records[0]["metric.loss.last.std"] == pytest.approx(np.std([1.0, 3.0]))
    assert records[1]["metric.loss.last.count"] == 1 and records[1]["metric.loss.last.std"] == 0.0


def test_groups_of_runs_written_by_sacred() -> None:
    store = RunStore(SEED_RUNS)
    rows = store.load_all()
    groups = group_runs(rows)
    assert [g.run_ids for g in groups] == [["1", "2", "3"], ["4", "5", "6"], ["7"]]
    assert varying_keys(groups) == ["lr", "shuffle"]
    results = [r.result for r in rows if r.run_id in ("1", "2", "3")]
    summary = groups[0].stats("result")
    assert summary.mean == pytest.approx(np.mean(results))
    assert summary.std == pytest.approx(np.std(results))
    wider = group_runs(rows, ignore=("seed", "shuffle"))
    assert [g.run_ids for g in wider] == [["1", "2", "3", "7"], ["4", "5", "6"]]


def series(steps: list[int], values: list[float | None]) -> MetricSeries:
    return MetricSeries(list(steps), ["2026-01-01T00:00:00"] * len(steps), list(values))


def test_band_is_exact_per_step_for_short_series() -> None:
    runs = {"1": series([0, 1, 2], [1.0, 2.0, 3.0]),
            "2": series([0, 1, 2, 3], [3.0, 4.0, None, 8.0]),
            "3": series([0, 2], [2.0, float("nan")])}
    band = group_band(runs, buckets=100)
    assert band.exact and band.runs == 3
    assert band.xs == [0.0, 1.0, 2.0, 3.0]
    assert band.counts == [3, 2, 1, 1]
    assert band.means[0] == pytest.approx(np.mean([1.0, 3.0, 2.0]))
    assert band.lows[0] == pytest.approx(np.mean([1.0, 3.0, 2.0]) - np.std([1.0, 3.0, 2.0]))
    assert band.highs[1] == pytest.approx(3.0 + np.std([2.0, 4.0]))
    ranged = group_band(runs, buckets=100, use_range=True)
    assert (ranged.lows[0], ranged.highs[0]) == (1.0, 3.0)


def test_band_of_long_series_averages_intervals_like_numpy() -> None:
    rng = np.random.default_rng(3)
    data = {str(i): rng.normal(size=1000).tolist() for i in range(4)}
    runs = {key: series(list(range(1000)), values) for key, values in data.items()}
    band = group_band(runs, buckets=10)
    assert not band.exact and len(band.xs) == 10
    per_run = np.array([[np.mean(values[k * 100:(k + 1) * 100]) for k in range(10)] for values in data.values()])
    assert band.means == pytest.approx(per_run.mean(axis=0).tolist())
    assert [h - m for h, m in zip(band.highs, band.means)] == pytest.approx(per_run.std(axis=0).tolist())
    assert band.xs[0] == pytest.approx(49.95)


def test_aligned_points_sorts_by_step_and_drops_non_finite() -> None:
    xs, ys = aligned_points(series([5, 1, 3], [50.0, None, 30.0]))
    assert (xs, ys) == ([3.0, 5.0], [30.0, 50.0])


def test_sorting_groups_by_mean_puts_groups_without_values_last() -> None:
    rows = [row("1", {"lr": 1, "seed": 1}, {"loss": [3.0]}), row("2", {"lr": 1, "seed": 2}, {"loss": [1.0]}),
            row("3", {"lr": 2, "seed": 1}, {"loss": [1.5]}), row("4", {"lr": 3, "seed": 1}),
            row("5", {"lr": 4, "seed": 1}, {"loss": [0.5]}), row("6", {"lr": 4, "seed": 2}, {"loss": [0.5]})]
    groups = group_runs(rows)
    assert [g.group_id for g in sort_groups(groups, "metric.loss.last")] == ["g5", "g3", "g1", "g4"]
    assert [g.group_id for g in sort_groups(groups, "metric.loss.last", reverse=True)] == ["g1", "g3", "g5", "g4"]
    assert [g.group_id for g in sort_groups(groups, "runs", reverse=True)][:2] == ["g1", "g5"]
    assert [g.group_id for g in sort_groups(groups, "group", reverse=True)] == ["g5", "g4", "g3", "g1"]
