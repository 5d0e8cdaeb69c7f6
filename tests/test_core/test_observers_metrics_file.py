"""Tests of metrics.json / metrics.jsonl writing: exact JSON text, incremental edits, sidecar, fallbacks."""
from __future__ import annotations

import datetime
import json
import math
import os
from array import array

import pytest

import core.observers.metrics_file as metrics_file_module
import core.observers.metrics_sinks as metrics_sinks
from core.config.values import dumps, flatten
from core.metrics import MetricsLogger, ScalarSeries
from core.observers.metrics_file import MetricsFile
from core.observers.metrics_text import encode_points, iso_texts, jsonl_text, scalar_texts

EPOCH = datetime.datetime(1970, 1, 1)


def _series(name: str, steps: list, values: list, times_us: list[int]) -> ScalarSeries:
    series = ScalarSeries(name)
    series._extend(steps, values, times_us)
    return series


def _iso(micros: int) -> str:
    return (EPOCH + datetime.timedelta(microseconds=micros)).isoformat()


class Model:
    """What metrics.json must hold after the batches added so far."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, list]] = {}
        self.lines: list[dict] = []

    def add(self, batch: dict) -> None:
        for name, series in batch.items():
            entry = self.data.setdefault(name, {"steps": [], "timestamps": [], "values": []})
            stamps = [s.isoformat() for s in series["timestamps"]]
            entry["steps"] += series["steps"]
            entry["timestamps"] += stamps
            entry["values"] += series["values"]
            for step, stamp, value in zip(series["steps"], stamps, series["values"]):
                self.lines.append({"name": name, "step": step, "timestamp": stamp, "value": value})


def _read_lines(path: str) -> list[dict]:
    with open(path, encoding="ascii") as handle:
        text = handle.read()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _added(target: MetricsFile, batch: dict) -> int:
    """Add a batch and write metrics.json, as a heartbeat does."""
    count = target.add(batch)
    target.flush()
    return count


def _check(target: MetricsFile, model: Model) -> None:
    with open(target.json_path, encoding="ascii") as handle:
        assert handle.read() == dumps(model.data)
    assert _read_lines(target.jsonl_path) == json.loads(json.dumps(flatten(model.lines)))


def test_iso_texts_match_isoformat_on_fast_and_slow_paths() -> None:
    base = 1_795_833_834_000_000
    fast = [base + k * 333_337 for k in range(40)] + [base + 5_000_000]
    slow = [base + k * 86_400_000_000 for k in range(20)] + [5 * 10**14, -1_500_000, 0]
    # the clock stepped back: a stamp before the first one's second, stamps in falling order
    stepped_back = [base + 3_000_000, base + 1_000_500, base + 3_500_000, base + 5_000_000]
    falling = [base + 4_000_000, base + 2_000_001, base + 1]
    inside = [base + 2_999_999, base + 2_000_000, base + 3_100_000]
    for stamps in (fast, slow, stepped_back, falling, inside):
        expected = [_iso(micros) for micros in stamps]
        assert iso_texts(stamps) == expected
        _, stamps_block, _, lines = encode_points("m", list(range(len(stamps))), [0.5] * len(stamps),
                                                  array("q", stamps))
        assert json.loads("[" + stamps_block + "]") == expected
        assert [json.loads(line)["timestamp"] for line in lines.splitlines()] == expected
    assert iso_texts([base])[0] == "2026-11-28T02:43:54"  # no fraction when it is zero


def test_scalar_texts_match_json_dumps() -> None:
    values = [1.5, 2, True, None, "é\"x", math.nan, -math.inf, {"b": [1, (2, 3)], "a": 1}, []]
    block, line = scalar_texts(values)
    expected = dumps({"a": {"b": values}})
    assert expected == '{\n  "a": {\n    "b": [\n      ' + ",\n      ".join(block) + "\n    ]\n  }\n}"
    assert line[7] == '{"a": 1, "b": [1, {"py/tuple": [2, 3]}]}'
    assert block[7] == '{\n        "a": 1,\n        "b": [\n          1,\n          {\n            "py/tuple": [\n' \
        '              2,\n              3\n            ]\n          }\n        ]\n      }'
    assert block[:7] == line[:7] == ["1.5", "2", "true", "null", '"\\u00e9\\"x"', "NaN", "-Infinity"]
    floats = array("d", [0.1, math.inf, math.nan])
    assert scalar_texts(floats)[0] == ["0.1", "Infinity", "NaN"]
    assert scalar_texts(range(3, 5))[0] == ["3", "4"]


def test_jsonl_text_is_one_object_per_line() -> None:
    text = jsonl_text("a\"b", ["0", "1"], ["2026-01-01T00:00:00", "2026-01-01T00:00:01"], ["1.0", "NaN"])
    first, second = text.splitlines()
    assert first == '{"name": "a\\"b", "step": 0, "timestamp": "2026-01-01T00:00:00", "value": 1.0}'
    assert json.loads(second)["value"] != json.loads(second)["value"]  # NaN


def test_empty_file_then_incremental_edits_stay_exact(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    target.ensure_exists()
    assert (tmp_path / "metrics.json").read_text() == "{}"
    model = Model()
    t = 1_795_833_834_000_000
    batches = [
        {"m": _series("m", range(0, 3), [1.0, 2.0, 3.0], [t, t + 1000, t + 2000])},
        {"m": _series("m", range(3, 4), [4.0], [t + 3000]),
         "b": _series("b", [5], [1], [t + 4000])},          # before an existing name
        {"z": _series("z", [0, 1], ["x", None], [t, t + 1]),  # after the last name
         "c": _series("c", [0], [math.nan], [t + 1])},        # between names
        {"a": _series("a", [0], [{"k": (1, 2)}], [t + 5]),   # first in the file
         "c": _series("c", [1.5], [math.inf], [t + 6]),
         "z": _series("z", [2], [True], [t + 7])},
        {"y2": _series("y2", [0], [1.0], [t]), "y1": _series("y1", [0], [2.0], [t]),  # same spot
         "zz2": _series("zz2", [0], [3.0], [t]), "zz1": _series("zz1", [0], [4.0], [t]),
         "b": _series("b", [6], [2], [t + 8])},
    ]
    for batch in batches:
        assert _added(target, batch) == sum(series.count for series in batch.values())
        model.add(batch)
        _check(target, model)


def test_no_rewrite_without_new_points(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    _added(target, {"m": _series("m", range(2), [1.0, 2.0], [10**15, 10**15 + 1])})
    before = os.stat(target.json_path)
    assert _added(target, {}) == 0
    assert _added(target, {"m": ScalarSeries("m")}) == 0
    assert target.flush() is False
    target.ensure_exists()
    after = os.stat(target.json_path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_points_from_the_logger_in_many_slices(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_file_module, "SLICE", 7)
    monkeypatch.setattr(metrics_sinks, "SPILL_BYTES", 50)
    logger = MetricsLogger()
    target = MetricsFile(str(tmp_path))
    model = Model()
    for beat in range(4):
        for i in range(30):
            logger.log_scalar("loss", 1.0 / (i + 1 + beat))
            if i % 3 == 0:
                logger.log_scalar("acc", i, step=10 * i)
        batch = logger.drain()
        _added(target, batch)
        model.add(batch)
        _check(target, model)
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_sacred_style_dicts_are_accepted(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    stamp = datetime.datetime(2026, 11, 28, 1, 24, 0, 261151)
    batch = {"loss": {"steps": [0, 1], "values": [1.0, 0.5], "timestamps": [stamp, stamp]}}
    _added(target, batch)
    model = Model()
    model.add(batch)
    _check(target, model)


def test_a_file_changed_by_someone_else_is_merged_not_corrupted(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    _added(target, {"m": _series("m", range(1), [1.0], [10**15])})
    foreign = {"m": {"steps": [0, 1], "timestamps": ["2001-09-09T01:46:40", "x"], "values": [1.0, 9.0]},
               "other": {"steps": [0], "timestamps": ["t"], "values": [2]}}
    (tmp_path / "metrics.json").write_text(json.dumps(foreign))
    _added(target, {"m": _series("m", [2], [3.0], [10**15 + 5])})
    data = json.loads((tmp_path / "metrics.json").read_text())
    assert data["m"]["values"] == [1.0, 9.0, 3.0] and data["other"]["values"] == [2]
    assert data["m"]["timestamps"][-1] == "2001-09-09T01:46:40.000005"
    assert [line["value"] for line in _read_lines(target.jsonl_path)] == [1.0, 3.0]
    (tmp_path / "metrics.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        _added(target, {"m": _series("m", [3], [4.0], [10**15])})


def test_held_lines_are_written_first_once_the_run_lasts_and_dropped_if_it_ends(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    model = Model()
    early = {"m": _series("m", range(2), [1.0, 2.0], [10**15, 10**15 + 1])}
    target.add(early, write_lines=False)
    model.add(early)
    assert not os.path.exists(target.jsonl_path)
    later = {"m": _series("m", range(2, 3), [3.0], [10**15 + 2])}
    target.add(later)  # a line written now: the held ones go first
    model.add(later)
    target.flush()
    _check(target, model)
    short = MetricsFile(str(tmp_path / "short"))
    os.mkdir(short.run_dir)
    short.add(early, write_lines=False)
    short.flush()
    short.close()
    assert sorted(os.listdir(short.run_dir)) == ["metrics.json"]


def test_points_of_a_run_that_never_lasted_make_no_lines_at_all(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    model = Model()
    batch = {"m": _series("m", range(3), [1.0, 2.5, math.nan], [10**15, 10**15 + 1, 10**15 + 2])}
    assert target.add(batch, write_lines=None) == 3
    model.add(batch)
    target.flush()
    target.close()
    with open(target.json_path, encoding="ascii") as handle:
        assert handle.read() == dumps(model.data)
    assert sorted(os.listdir(tmp_path)) == ["metrics.json"]


def test_points_read_back_from_a_foreign_file_never_become_lines(tmp_path) -> None:
    """Held lines are this run's own new points only: a metrics.json rewritten by someone else while the
    lines wait is merged into metrics.json, and metrics.jsonl gets each of the run's points once."""
    target = MetricsFile(str(tmp_path))
    target.add({"m": _series("m", range(1), [1.0], [10**15])}, write_lines=False)
    target.flush()
    (tmp_path / "metrics.json").write_text(json.dumps({"m": {"steps": [0, 1], "timestamps": ["a", "b"],
                                                             "values": [1.0, 9.0]}}))
    target.add({"m": _series("m", [2], [3.0], [10**15 + 5])}, write_lines=False)
    target.flush()
    target.write_held_lines()
    assert json.loads((tmp_path / "metrics.json").read_text())["m"]["values"] == [1.0, 9.0, 3.0]
    assert [line["value"] for line in _read_lines(target.jsonl_path)] == [1.0, 3.0]


def test_a_batch_that_cannot_be_encoded_leaves_every_file_as_it_was(tmp_path) -> None:
    target = MetricsFile(str(tmp_path))
    _added(target, {"m": _series("m", range(1), [1.0], [10**15])})
    before = {name: (tmp_path / name).read_bytes() for name in ("metrics.json", "metrics.jsonl")}
    with pytest.raises(ValueError):  # more digits than Python turns into text
        _added(target, {"m": _series("m", [1, 2], [2.0, 10**5000], [10**15, 10**15])})
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert not target.waiting
