"""Decoding Sacred's stored shapes: timestamps, jsonpickle datetimes, numbers, pairs."""
from __future__ import annotations

import base64
import math
from datetime import datetime

import pytest

from core.runs._decode import as_pair, decode_pickled_datetime, parse_timestamp, to_float, to_step


def pickled(state: bytes) -> dict[str, object]:
    return {"__reduce__": [{"py/type": "datetime.datetime"}, [base64.b64encode(state).decode()]],
            "py/object": "datetime.datetime"}


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-28T01:24:00.255607", datetime(2026, 11, 28, 1, 24, 0, 255607)),
    ("2026-11-28T01:24:00", datetime(2026, 11, 28, 1, 24, 0)),
    ("2026-11-28T01:24:00.5", datetime(2026, 11, 28, 1, 24, 0, 500000)),
    ("2026-11-28T01:24:00.123456789", datetime(2026, 11, 28, 1, 24, 0, 123456)),
    ("2026-11-28T01:24:00Z", datetime(2026, 11, 28, 1, 24, 0)),
    ("2026-11-28T03:24:00.000001+02:00", datetime(2026, 11, 28, 1, 24, 0, 1)),
    ("2026-11-28 01:24", datetime(2026, 11, 28, 1, 24)),
])
def test_parse_timestamp_gives_naive_utc(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01T00:00:00", 12, None, [2026], {"a": 1}])
def test_parse_timestamp_rejects_other_values(value: object) -> None:
    assert parse_timestamp(value) is None


def test_decode_reference_queue_time() -> None:
    value = {"__reduce__": [{"py/type": "datetime.datetime"}, ["B+oLHAEYAg470A=="]],
             "py/object": "datetime.datetime"}
    assert decode_pickled_datetime(value) == datetime(2026, 11, 28, 1, 24, 2, 932816)
    assert parse_timestamp(value) == datetime(2026, 11, 28, 1, 24, 2, 932816)


def test_decode_spec_example_and_fold_bit() -> None:
    assert parse_timestamp({"__reduce__": [{"py/type": "datetime.datetime"}, ["B+gBAgMEBQAABg=="]],
                            "py/object": "datetime.datetime"}) == datetime(2024, 1, 2, 3, 4, 5, 6)
    folded = bytes([0x07, 0xE8, 0x81, 2, 3, 4, 5, 0, 0, 6])
    assert decode_pickled_datetime(pickled(folded)) == datetime(2024, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize("value", [
    {"py/object": "datetime.date", "__reduce__": [{}, ["B+gBAg=="]]},
    {"py/object": "datetime.datetime"},
    {"py/object": "datetime.datetime", "__reduce__": [{}, ["not base64!"]]},
    {"py/object": "datetime.datetime", "__reduce__": [{}, ["AAE="]]},
    {"py/object": "datetime.datetime", "__reduce__": [{}, []]},
    {"py/object": "datetime.datetime", "__reduce__": [{}, [5]]},
])
def test_decode_pickled_datetime_rejects_other_shapes(value: dict[str, object]) -> None:
    assert decode_pickled_datetime(value) is None


def test_decode_pickled_datetime_with_invalid_date() -> None:
    assert decode_pickled_datetime(pickled(bytes([0x07, 0xE8, 13, 2, 3, 4, 5, 0, 0, 6]))) is None


def test_to_float() -> None:
    assert to_float(2) == 2.0 and to_float(True) == 1.0 and to_float(0.5) == 0.5
    assert to_float({"dtype": "float32", "py/object": "numpy.float32", "value": 0.25}) == 0.25
    assert to_float(10**400) == math.inf
    for other in ("1.0", None, [1.0], {"value": 1.0}, {"py/object": "numpy.ndarray", "values": [1]}):
        assert to_float(other) is None


def test_to_step() -> None:
    assert to_step(3) == 3 and to_step(4.0) == 4
    assert to_step({"dtype": "int64", "py/object": "numpy.int64", "value": 9}) == 9
    for other in (4.5, math.nan, math.inf, "3", None):
        assert to_step(other) is None


def test_as_pair() -> None:
    assert as_pair(["a.py", "_sources/a_1.py"]) == ("a.py", "_sources/a_1.py")
    assert as_pair({"py/tuple": ["a.py", "0123"]}) == ("a.py", "0123")
    for other in (["a"], ["a", 1], {"py/set": ["a", "b"]}, "ab", None):
        assert as_pair(other) is None
