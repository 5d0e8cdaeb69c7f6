"""Lines of metrics.jsonl decoded a block at a time give what decoding each line gives."""
from __future__ import annotations

import json

from core.runs.metrics import parse_metric_line, parse_metric_lines


def line(name: str, step: object, value: object) -> bytes:
    return json.dumps({"name": name, "step": step, "timestamp": "2026-11-28T01:00:00.5", "value": value}).encode()


def test_a_block_of_good_lines_is_one_decode_with_the_same_points() -> None:
    lines = [line("loss", step, 1.0 / (step + 1)) for step in range(1000)]
    lines += [line("acc", None, "NaN"), line("np", 3, {"py/object": "numpy.float64", "value": 0.5})]
    assert parse_metric_lines(lines) == [parse_metric_line(each) for each in lines]
    assert parse_metric_lines(lines)[0] == ("loss", 0, "2026-11-28T01:00:00.5", 1.0)


def test_bad_lines_fall_back_to_one_decode_a_line() -> None:
    cases = [
        [line("a", 0, 1.0), b"not json", line("a", 1, 2.0)],
        [line("a", 0, 1.0), b"1, 2", b"[3"],                      # a line of two values, one cut short
        [b'{"name": "a", "step": 1, "timestamp": "t", "value": 1', b'"x": 2}', line("a", 2, 2.0)],
        [b"[1", b"2]", line("b", 0, 0.5)],
        [b"[]", b"{}", b"null", line("b", 1, 0.25)],
    ]
    for lines in cases:
        assert parse_metric_lines(lines) == [parse_metric_line(each) for each in lines], lines
