"""Tests of the hyperparameter scatter's points: numeric and text axes, groups, log axes, left-out runs."""
from __future__ import annotations

import numpy as np
import pytest

from sacred_tui.data.rows import MetricSummary, RunRow
from sacred_tui.data.scatter import candidate_x_keys, scatter_points


def row(run_id: str, config: dict, loss: list[float] | None = None) -> RunRow:
    metrics = {"loss": MetricSummary.of(loss)} if loss is not None else {}
    return RunRow(run_id=run_id, experiment="exp", config=config, metrics=metrics)


ROWS = [row("1", {"lr": 0.1, "opt": "sgd", "seed": 1}, [0.5, 0.2]),
        row("2", {"lr": 0.1, "opt": "sgd", "seed": 2}, [0.5, 0.4]),
        row("3", {"lr": 0.01, "opt": "adam", "seed": 1}, [0.5, 0.1]),
        row("4", {"lr": -1.0, "opt": "adam", "seed": 1}, [0.5, 0.3]),
        row("5", {"opt": "adam", "seed": 1}, [0.9]),
        row("6", {"lr": 0.3, "opt": "sgd", "seed": 1})]


def test_runs_are_points_ordered_by_x_and_missing_values_are_counted() -> None:
    data = scatter_points(ROWS, "lr", "metric.loss.last")
    assert [(p.label, p.x, p.y) for p in data.points] == [("4", -1.0, 0.3), ("3", 0.01, 0.1),
                                                          ("1", 0.1, 0.2), ("2", 0.1, 0.4)]
    assert data.missing == 2 and data.hidden == 0 and not data.categories


def test_log_axes_hide_values_below_zero_and_say_how_many() -> None:
    data = scatter_points(ROWS, "lr", "metric.loss.last", log_x=True)
    assert [p.label for p in data.points] == ["3", "1", "2"] and data.hidden == 1


def test_groups_are_means_with_std_or_range_bars() -> None:
    data = scatter_points(ROWS, "lr", "metric.loss.min", grouped=True)
    g1 = next(p for p in data.points if p.label == "g1")
    assert g1.run_ids == ("1", "2")
    assert g1.y == pytest.approx(np.mean([0.2, 0.4]))
    assert (g1.low, g1.high) == pytest.approx((0.3 - np.std([0.2, 0.4]), 0.3 + np.std([0.2, 0.4])))
    ranged = scatter_points(ROWS, "lr", "metric.loss.min", grouped=True, use_range=True)
    assert next((p.low, p.high) for p in ranged.points if p.label == "g1") == (0.2, 0.4)


def test_text_values_become_categories() -> None:
    data = scatter_points(ROWS, "opt", "metric.loss.last")
    assert data.categories == ["adam", "sgd"]
    assert {(p.label, p.x) for p in data.points} == {("3", 0.0), ("4", 0.0), ("5", 0.0), ("1", 1.0), ("2", 1.0)}


def test_grouping_never_ignores_the_x_key() -> None:
    data = scatter_points(ROWS, "seed", "metric.loss.last", grouped=True)
    assert all(len({ROWS[int(r) - 1].config["seed"] for r in p.run_ids}) == 1 for p in data.points)


def test_candidate_keys_put_varying_keys_first() -> None:
    rows = [row("1", {"a": 1, "b": 2}), row("2", {"a": 1, "b": 3})]
    assert candidate_x_keys(rows) == ["b", "a"]


def test_unknown_field_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown field"):
        scatter_points(ROWS, "lr", "nonsense..")
