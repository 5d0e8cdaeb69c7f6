"""Texts of durations, ages, values, results and table cells."""
from __future__ import annotations

from datetime import datetime

from sacred_tui.data.columns import cell_text, column_for, status_text
from sacred_tui.data.format import (MISSING, format_age, format_duration, format_number,
                                    format_time, plain_value, summarize_result)
from sacred_tui.data.liveness import DEAD, Liveness
from sacred_tui.data.rows import MetricSummary, RunRow, flatten_config


def test_format_duration_scales() -> None:
    assert format_duration(None) == MISSING
    assert format_duration(0.42) == "0.4s"
    assert format_duration(42) == "42s"
    assert format_duration(12 * 60 + 3) == "12m 03s"
    assert format_duration(3 * 3600 + 4 * 60) == "3h 04m"
    assert format_duration(2 * 86400 + 3 * 3600) == "2d 03h"
    assert format_duration(-5) == "0.0s"


def test_format_age_words() -> None:
    assert format_age(40) == "40 s"
    assert format_age(7 * 60 + 10) == "7 min"
    assert format_age(5 * 3600) == "5 h"
    assert format_age(86400 * 1.6) == "1 day"
    assert format_age(86400 * 3) == "3 days"


def test_format_time_and_numbers() -> None:
    assert format_time(None) == MISSING
    assert len(format_time(datetime(2026, 1, 1, 10, 0))) == len("2026-01-01 10:00")
    assert format_number(0.333333333) == "0.333333"
    assert format_number(3) == "3"
    assert format_number(float("nan")) == "nan"


def test_plain_value_decodes_sacred_shapes() -> None:
    stored = {"loss": {"py/object": "numpy.float64", "dtype": "float64", "value": 0.25},
              "arr": {"py/object": "numpy.ndarray", "dtype": "float64", "values": [1.5, 2.5]},
              "pair": {"py/tuple": [1, 2]}, "f": {"py/function": "__main__.f"}}
    assert plain_value(stored) == {"loss": 0.25, "arr": [1.5, 2.5], "pair": [1, 2],
                                   "f": "<function __main__.f>"}


def test_summarize_result() -> None:
    assert summarize_result(None) == MISSING
    assert summarize_result(0.9312345678) == "0.931235"
    assert summarize_result({"acc": 0.9, "loss": 0.1}) == "acc=0.9 loss=0.1"
    long = summarize_result("x" * 100)
    assert len(long) == 40 and long.endswith("…")


def test_flatten_config_dotted_leaves_without_docs() -> None:
    flat = flatten_config({"lr": 0.1, "optim": {"name": "sgd", "betas": [0.9, 0.99]},
                           "__doc__": "x", "empty": {}, "np": {"py/object": "numpy.int64", "value": 3}})
    assert flat == {"lr": 0.1, "optim.name": "sgd", "optim.betas": (0.9, 0.99), "empty": {}, "np": 3}


def test_cells_and_column_specs() -> None:
    dead = RunRow("7", status="RUNNING", liveness=Liveness(DEAD, "no heartbeat for 7 min", "7 min"),
                  config={"lr": 0.01}, metrics={"loss": MetricSummary(0.5, 0.1, 2.0, 3)},
                  problems=("metrics.json: incomplete JSON",))
    assert status_text(dead) == "⚠ DEAD? 7 min"
    assert cell_text(dead, "config.lr", 0) == "0.01"
    assert cell_text(dead, "metric.loss.min", 0) == "0.1"
    assert cell_text(dead, "config.other", 0) == MISSING
    assert column_for("metric.loss.max").label == "loss (max)"
    assert column_for("config.optim.lr").label == "optim.lr"
