"""The fast paths of reading a folder give exactly what the plain ones give.

Each shortcut (msgspec before ``json.loads``, a config walk without ``plain_value``, a read that
does not allocate its limit, pickling rows by their fields) is checked against the plain code it
replaces, on ordinary files, on hostile ones and on random damage.
"""
from __future__ import annotations

import dataclasses
import json
import pickle
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.runs import RunStamp, fast_json
from core.runs.quick_pickle import pickled_by_fields
from core.runs.safe_open import read_regular
from sacred_tui.data.format import plain_value
from sacred_tui.data.liveness import Liveness
from sacred_tui.data.processes import ProcessInfo
from sacred_tui.data.queue_view import QueueView
from sacred_tui.data.rows import MetricSummary, RunRow, _walk_any, flatten_config

REFERENCE = Path(__file__).parents[1] / "data" / "reference_runs"


def _outcome(parse: Any, data: bytes | str) -> tuple[str, str]:
    try:
        return "value", repr(parse(data))
    except Exception as exc:  # the very exception type must agree too
        return "error", type(exc).__name__


EDGE_TEXTS: list[bytes | str] = [
    b'{"a": 1, "a": 2}', b"-0", b"-0.0", b"1e400", b"-1e400", b"5e-324", b"2.4703282292062328e-324",
    b"1.7976931348623157e308", b"123456789012345678901234567890", b"9223372036854775808",
    b"-9223372036854775809", b"[" + b"9" * 4300 + b"]", b"[" + b"9" * 4301 + b"]",
    b'{"a": NaN}', b"[Infinity, -Infinity]", b'"\\ud800"', b'"\xed\xa0\x80"', b'"\x01"', b'"\xff"',
    b"\xef\xbb\xbf{}", '{"é": 1}'.encode("utf-16"), b'{"a": 1} x', b"[1,]", b"01", b".5", b"", b"  ",
    b'"\\u00e9\\n"', '{"ü": "ß"}'.encode(), "[1, 2.5]", "\ud800", b"[" * 990 + b"]" * 990,
    b"[" * 500 + b"]" * 500, b"[" * 5000 + b"]" * 5000, b'{"a": [1.0000000000000002, 0.1, 1e22, 1e23]}',
]


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=range(len(EDGE_TEXTS)))
def test_fast_loads_agrees_with_json_on_edge_cases(text: bytes | str) -> None:
    assert _outcome(fast_json.loads, text) == _outcome(json.loads, text)


def test_fast_loads_agrees_with_json_on_damaged_run_files() -> None:
    files = [path.read_bytes() for path in sorted(REFERENCE.rglob("*.json"))]
    assert len(files) >= 5
    alphabet = b'{}[]",:0123456789.eE+-\\ntrufalsNI \x00\x1f\xff\xc3\xa9u'
    rng = random.Random(7)
    accepted = 0
    for _ in range(4000):
        data = bytearray(rng.choice(files))
        for _change in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.4:
                data[at] = rng.choice(alphabet)
            elif roll < 0.7:
                data[at:at] = bytes([rng.choice(alphabet)])
            else:
                del data[at]
        outcome = _outcome(fast_json.loads, bytes(data))
        accepted += outcome[0] == "value"
        assert outcome == _outcome(json.loads, bytes(data)), bytes(data)[:200]
    assert accepted > 400  # the damage left many files readable: both parsers were compared on them


def _plain_walk(config: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    _walk_any(plain_value(config) if isinstance(config, dict) else {}, prefix, flat)
    return flat


def _random_config(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice([1, 2.5, "adam", None, True, float("nan"), "x" * 300, [], {}])
    if roll < 0.5:
        return [_random_config(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.6:
        return {rng.choice(["py/tuple", "py/set", "py/object", "py/function"]): [_random_config(rng, depth + 1)]}
    keys = ["a", "b", "__doc__", "seed", "py/object"] if roll < 0.65 else ["a", "b", "__doc__", "seed"]
    return {rng.choice(keys) + str(rng.randint(0, 2)): _random_config(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_flatten_config_equals_the_plain_value_walk() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for level in range(60):
        node["x"] = {"level": level, "pair": [1, {"py/tuple": [1, 2]}]}
        node = node["x"]
    configs: list[Any] = [json.loads(path.read_text()) for path in sorted(REFERENCE.rglob("config.json"))]
    configs += [deep, {"py/object": "x"}, {"a": {"py/object": "numpy.float64", "value": 1.5}},
                {"a": {"py/object": 3, "b": 1}}, {"a": [{"py/set": [1]}]}, {"a": {}}, {"l": list(range(80))},
                {"__doc__": "x", "b": {"__doc__": 1, "c": 2}}, {f"k{i}": {f"j{j}": j for j in range(30)} for i in range(30)}]
    rng = random.Random(3)
    configs += [{"root": _random_config(rng), "other": _random_config(rng)} for _ in range(1500)]
    for config in configs:
        for prefix in ("", "p"):
            fast, plain = flatten_config(config, prefix), _plain_walk(config, prefix)
            assert list(fast) == list(plain) and repr(fast) == repr(plain), config


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_read_regular_reads_what_a_plain_read_reads(tmp_path: Path, size: int) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    whole = path.read_bytes()
    for limit in (None, 1, 50, 100, 101, 4 << 20):
        for offset in (0, 7):
            expected = whole[offset:] if limit is None else whole[offset:offset + limit]
            assert read_regular(path, limit, offset=offset) == expected


def test_read_regular_reads_on_past_the_size_the_file_had() -> None:
    """A file may hold more than its size said when it was opened (it grew; /proc's files say 0)."""
    cmdline = Path("/proc/self/cmdline")
    if not cmdline.exists():
        pytest.skip("no /proc here")
    whole = cmdline.read_bytes()
    assert cmdline.stat().st_size == 0 and len(whole) > 10
    assert read_regular(cmdline, inside="/proc/self") == whole
    assert read_regular(cmdline, 5, inside="/proc/self") == whole[:5]
    assert read_regular(cmdline, 0, inside="/proc/self") == b""


def test_rows_survive_pickling_whole() -> None:
    row = RunRow(
        run_id="12", status="RUNNING", experiment="e", command="main", named_configs=("fast",),
        start=datetime(2026, 1, 2, 3, 4, 5, 6), stop=None, heartbeat=datetime(2026, 1, 2, 3, 5),
        host="node", result={"acc": [1, 2]}, result_text="acc=[1, 2]", comment="c", beat_interval=3.0,
        last_write=1.5, process=ProcessInfo(pid=3, hostname="node", python="/usr/bin/python", started_ticks=9),
        problems=("metrics: odd",), config={"lr": 0.1, "layers": (1, 2)},
        metrics={"loss": MetricSummary(0.5, 0.1, 2.0, 10)}, liveness=Liveness("alive", "beats", "2s"),
        queue=QueueView(), note="n", tags=("a", "b"), archived=True)
    for value in (row, RunStamp(((1, 2), None, (3, 4))), MetricSummary(None, None, None, 0)):
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == value and type(copy) is type(value)
        assert [getattr(copy, f.name) for f in dataclasses.fields(value)] == \
               [getattr(value, f.name) for f in dataclasses.fields(value)]


def test_pickling_by_fields_refuses_classes_it_would_copy_wrong() -> None:
    @dataclasses.dataclass(frozen=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError):
        pickled_by_fields(Derived)
