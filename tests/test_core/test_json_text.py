"""dumps_indented gives exactly json.dumps(..., sort_keys=True, indent=2), errors included."""
from __future__ import annotations

import collections
import json
import math
import random

import pytest

from core.observers.json_text import dumps_indented


def _reference(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, indent=2)


def _random_value(rng: random.Random, depth: int = 0) -> object:
    kinds = ["str", "int", "float", "bool", "none", "special"] + (["dict", "list", "tuple"] * 2 if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(rng.choice('ab"\\\n\t\x00\x1b é€😀/') for _ in range(rng.randrange(6)))
    if kind == "int":
        return rng.choice([0, -1, 7, 2**63, -(2**70), rng.randrange(-10**6, 10**6)])
    if kind == "float":
        return rng.choice([0.1, -0.0, 1e300, 1e-7, 1 / 3, math.nan, math.inf, -math.inf, rng.random()])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "special":  # subclasses and odd keys go through json.dumps itself
        return rng.choice([collections.OrderedDict(b=1, a=[2]), {1: "x", 2: "y"}, {"a": (1, 2)}, True])
    size = rng.randrange(4)
    if kind == "dict":
        return {"".join(rng.choice("abcXYZ_é\"") for _ in range(rng.randrange(1, 4))): _random_value(rng, depth + 1)
                for _ in range(size)}
    items = [_random_value(rng, depth + 1) for _ in range(size)]
    return items if kind == "list" else tuple(items)


def test_same_text_as_json_dumps_on_random_data() -> None:
    rng = random.Random(1234)
    for _ in range(3000):
        value = _random_value(rng)
        assert dumps_indented(value) == _reference(value)


def test_run_record_shapes() -> None:
    record = {"status": "RUNNING", "meta": {"options": {"--beat-interval": None, "--id": None, "UPDATE": ["a=1"]},
                                           "named_configs": []},
              "artifacts": [], "info": {}, "result": {"py/tuple": [1, 2.5]}, "start_time": "2026-12-03T05:00:00"}
    assert dumps_indented(record) == _reference(record)
    assert dumps_indented([]) == "[]" and dumps_indented({}) == "{}" and dumps_indented("x") == '"x"'


def test_errors_are_the_standard_librarys() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(cyclic)
    with pytest.raises(TypeError):
        dumps_indented({"a": object()})
    with pytest.raises(TypeError):
        dumps_indented({1: "x", "b": "y"})  # mixed keys cannot be sorted
    with pytest.raises(ValueError):
        dumps_indented({"result": 10**5000})  # beyond Python's digit limit for int -> str


def test_encode_json_is_the_text_of_dumps_for_any_value() -> None:
    """Plain data is encoded directly, anything else (tuples, sets, tagged keys, objects) as flatten tags it."""
    from core.config.values import dumps
    from core.observers.record_text import encode_json

    rng = random.Random(99)
    extras = [(1, 2), {"json://x": 1}, {"a": {"json://1": [2]}}, {3, 1}, b"\x00b", {"k": (1, [2, (3,)])},
              collections.OrderedDict(z=1), {"f": lambda: 1, "g": 2}, [1.5, math.nan, -math.inf], {"a\x00json://": 1}]
    values = [_random_value(rng) for _ in range(2000)] + extras
    for value in values:
        assert encode_json(value) == dumps(value)


def test_tagged_keys_are_recognised_by_the_prefix_flatten_uses() -> None:
    from core.config._encoders import JSON_KEY_PREFIX
    from core.observers import json_text

    assert json_text._TAGGED_KEY == "\0" + JSON_KEY_PREFIX
