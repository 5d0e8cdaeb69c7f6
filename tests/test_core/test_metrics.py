"""Tests of core.metrics: the log_scalar buffer, step rules, compaction and concurrent draining."""
from __future__ import annotations

import datetime
import math
import threading
from array import array

import numpy as np
import pytest

import core.metrics as metrics_module
from core.metrics import MetricsBatch, MetricsLogger, ScalarSeries, us_to_datetime


def _points(batch: MetricsBatch, name: str) -> list[tuple]:
    series = batch[name]
    return list(zip(series["steps"], series["values"]))


def test_implicit_steps_start_at_zero_per_metric() -> None:
    logger = MetricsLogger()
    for value in (1.0, 2.0, 3.0):
        logger.log_scalar("loss", value)
    logger.log_scalar("acc", 0.5)
    batch = logger.drain()
    assert list(batch) == ["loss", "acc"]
    assert _points(batch, "loss") == [(0, 1.0), (1, 2.0), (2, 3.0)]
    assert _points(batch, "acc") == [(0, 0.5)]


def test_explicit_step_resets_the_counter() -> None:
    logger = MetricsLogger()
    logger.log_scalar("acc", 0.1)
    logger.log_scalar("acc", 0.2, step=10)
    logger.log_scalar("acc", 0.3)
    logger.log_scalar("acc", 0.4, step=3)
    logger.log_scalar("acc", 0.5)
    assert [step for step, _ in _points(logger.drain(), "acc")] == [0, 10, 11, 3, 4]


def test_non_integer_explicit_steps_are_counted_from() -> None:
    logger = MetricsLogger()
    logger.log_scalar("a", 1.0, step=0.5)
    assert logger.drain()["a"]["steps"] == [0.5]
    logger.log_scalar("a", 2.0)  # a later chunk, all implicit
    logger.log_scalar("b", 1.0, step="x")
    logger.log_scalar("b", 2.0)
    batch = logger.drain()
    assert batch["a"]["steps"] == [1.5]
    assert batch["b"]["steps"] == ["x", None]


def test_drain_returns_only_new_points_and_counters_survive_it() -> None:
    logger = MetricsLogger()
    logger.log_scalar("loss", 1.0)
    first = logger.drain()
    assert _points(first, "loss") == [(0, 1.0)]
    assert logger.drain() == {}
    logger.log_scalar("loss", 2.0)
    assert _points(logger.drain(), "loss") == [(1, 2.0)]


def test_numpy_scalars_become_python_scalars() -> None:
    logger = MetricsLogger()
    logger.log_scalar("f32", np.float32(1 / 3))
    logger.log_scalar("i64", np.int64(7), step=np.int64(5))
    logger.log_scalar("i64", np.int64(8))
    batch = logger.drain()
    value = batch["f32"]["values"][0]
    assert type(value) is float and value == 0.3333333432674408
    assert batch["i64"]["values"] == [7, 8] and all(type(v) is int for v in batch["i64"]["values"])
    assert batch["i64"]["steps"] == [5, 6] and all(type(s) is int for s in batch["i64"]["steps"])


def test_nan_and_inf_are_kept() -> None:
    logger = MetricsLogger()
    for value in (math.nan, math.inf, -math.inf):
        logger.log_scalar("x", value)
    values = logger.drain()["x"]["values"]
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]


def test_ints_bools_and_objects_keep_their_types() -> None:
    logger = MetricsLogger()
    logger.log_scalar("m", 1.5)
    logger.log_scalar("m", 2)
    logger.log_scalar("m", True)
    logger.log_scalar("m", "text")
    values = logger.drain()["m"]["values"]
    assert values == [1.5, 2, True, "text"]
    assert [type(v) for v in values] == [float, int, bool, str]


def test_float_values_are_stored_compactly() -> None:
    logger = MetricsLogger()
    for i in range(100):
        logger.log_scalar("loss", 1.0 / (i + 1))
    series = logger.drain()["loss"]
    assert isinstance(series.values, array) and series.values.typecode == "d"
    assert series.steps == range(100)
    assert series.count == 100


def test_timestamps_are_naive_utc_datetimes_of_the_call() -> None:
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    logger = MetricsLogger()
    logger.log_scalar("loss", 1.0)
    logger.log_scalar("loss", 2.0)
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    stamps = logger.drain()["loss"]["timestamps"]
    assert all(stamp.tzinfo is None for stamp in stamps)
    assert before - datetime.timedelta(milliseconds=1) <= stamps[0] <= stamps[1] <= after


def test_us_to_datetime_converts_microseconds() -> None:
    assert us_to_datetime(1_795_833_834_845_688) == datetime.datetime(2026, 11, 28, 2, 43, 54, 845688)


def test_series_reads_like_sacreds_dict() -> None:
    logger = MetricsLogger()
    logger.log_scalar("loss", 0.5)
    series = logger.drain()["loss"]
    assert isinstance(series, ScalarSeries)
    assert list(series) == ["steps", "values", "timestamps"] and len(series) == 3
    assert dict(series)["values"] == [0.5]
    assert series["values"] is series["values"]  # materialised once
    with pytest.raises(KeyError):
        series["other"]


@pytest.mark.parametrize("names", [1, 3])
def test_compaction_keeps_order_and_steps(monkeypatch: pytest.MonkeyPatch, names: int) -> None:
    monkeypatch.setattr(metrics_module, "COMPACT_EVERY", 7)
    logger = MetricsLogger()
    keys = ["a", "b", "c"][:names]
    for i in range(50):
        for key in keys:
            if key == "b" and i == 20:
                logger.log_scalar(key, float(i), step=100)
            else:
                logger.log_scalar(key, float(i))
    assert len(logger._buffer) < 4 * 7  # compacted along the way
    batch = logger.drain()
    assert list(batch) == keys
    assert batch.point_count == 50 * names
    for key in keys:
        assert batch[key]["values"] == [float(i) for i in range(50)]
        expected = list(range(50)) if key != "b" else list(range(20)) + list(range(100, 130))
        assert batch[key]["steps"] == expected
        stamps = batch[key]["timestamps"]
        assert stamps == sorted(stamps)


def test_drain_while_logging_loses_and_duplicates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "COMPACT_EVERY", 97)
    logger = MetricsLogger()
    total = 60_000
    drained: list[MetricsBatch] = []
    stop = threading.Event()

    def drain_often() -> None:
        while not stop.is_set():
            drained.append(logger.drain())

    thread = threading.Thread(target=drain_often)
    thread.start()
    try:
        for i in range(total):
            logger.log_scalar("loss", float(i))
            logger.log_scalar("acc", float(-i))
    finally:
        stop.set()
        thread.join()
    drained.append(logger.drain())
    for name, sign in (("loss", 1.0), ("acc", -1.0)):
        steps = [s for batch in drained if name in batch for s in batch[name]["steps"]]
        values = [v for batch in drained if name in batch for v in batch[name]["values"]]
        assert steps == list(range(total))
        assert values == [sign * i for i in range(total)]
    assert len(drained) > 2


def test_slices_keep_each_metrics_order_and_copy_only_when_needed() -> None:
    logger = MetricsLogger()
    for step in range(5):
        logger.log_scalar("a", float(step))
    for step in range(3):
        logger.log_scalar("b", step, step=10 * step)
    batch = logger.drain()
    assert [make() for make in batch.slices(100)] == [batch]
    parts = [make() for make in batch.slices(2)]
    assert [(list(part), part.point_count) for part in parts] == [
        (["a"], 2), (["a"], 2), (["a"], 1), (["b"], 2), (["b"], 1)]
    assert [v for part in parts[:3] for v in part["a"]["values"]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert parts[4]["b"]["steps"] == [20] and parts[3]["b"]["values"] == [0, 1]
