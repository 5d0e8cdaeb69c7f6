"""Tests for core.config.values: Sacred-compatible JSON encoding, restore, normalisation, key checks."""
from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import json
import math
import pathlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config.values import (
    dumps, flatten, normalize, normalized_type, restore, validate_key, validate_keys, values_equal,
)
from core.errors import InvalidConfigError
from core.settings import SETTINGS

DATA = Path(__file__).parent.parent / "data" / "values"


def helper_function() -> None:
    """A module-level function, encoded by name."""


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Point:
    x: int
    y: tuple


# --- byte-identical output against files written by real Sacred 0.8.7 ---------------------------------

@pytest.mark.parametrize("name", ["config.json", "info.json", "run.json", "queued_run.json"])
def test_dumps_reproduces_reference_file(name: str) -> None:
    text = (DATA / name).read_text()
    assert dumps(json.loads(text)) == text


def test_dumps_builds_reference_info_from_numpy_values() -> None:
    info = {"custom": {"array": np.arange(3), "tuple": (1, 2), "n": 3, "np_float": np.float64(2.5)}}
    assert dumps(info) == (DATA / "info.json").read_text()


def test_dumps_builds_reference_run_result_from_numpy_values() -> None:
    text = (DATA / "run.json").read_text()
    run = json.loads(text)
    run["result"] = {"arr": np.array([1.5, 2.5]), "final_loss": np.float64(0.25)}
    assert dumps(run) == text


def test_dumps_builds_reference_queued_run_from_datetime_and_tuples() -> None:
    text = (DATA / "queued_run.json").read_text()
    run = json.loads(text)
    run["meta"]["queue_time"] = datetime.datetime(2026, 11, 28, 1, 24, 2, 932816)
    run["experiment"]["sources"] = [tuple(item["py/tuple"]) for item in run["experiment"]["sources"]]
    assert dumps(run) == text


# --- the encodings of spec table 1.11 ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (np.float64(0.25), {"dtype": "float64", "py/object": "numpy.float64", "value": 0.25}),
    (np.int64(3), {"dtype": "int64", "py/object": "numpy.int64", "value": 3}),
    (np.bool_(True), {"dtype": "bool", "py/object": "numpy.bool", "value": True}),
    (np.array([[1.5, 2], [3, 4]], np.float32),
     {"dtype": "float32", "py/object": "numpy.ndarray", "values": [[1.5, 2.0], [3.0, 4.0]]}),
    ((1, (2, 3)), {"py/tuple": [1, {"py/tuple": [2, 3]}]}),
    ({2, 1}, {"py/set": [1, 2]}),
    (b"ab", {"py/b64": "YWI="}),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
     {"__reduce__": [{"py/type": "datetime.datetime"}, ["B+gBAgMEBQAABg=="]], "py/object": "datetime.datetime"}),
    (pathlib.PurePosixPath("/tmp/x"),
     {"py/reduce": [{"py/type": "pathlib.PurePosixPath"}, {"py/tuple": ["/", "tmp", "x"]}]}),
    (1 + 2j, {"py/newargs": {"py/tuple": [1.0, 2.0]}, "py/object": "builtins.complex"}),
    ({1: "a", (1, 2): "b"}, {"json://1": "a", 'json://{"py/tuple": [1, 2]}': "b"}),
    (helper_function, {"py/function": f"{__name__}.helper_function"}),
    (math, {"py/mod": "math/math"}),
    (Color, {"py/type": f"{__name__}.Color"}),
    (int, {"py/type": "builtins.int"}),
])
def test_flatten_gives_sacred_shapes(value: object, expected: object) -> None:
    assert flatten(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (datetime.timedelta(days=1, seconds=2),
     {"py/reduce": [{"py/type": "datetime.timedelta"}, {"py/tuple": [1, 2, 0]}]}),
    (datetime.date(2024, 1, 2),
     {"__reduce__": [{"py/type": "datetime.date"}, ["B+gBAg=="]], "py/object": "datetime.date"}),
    (Color.RED, {"py/reduce": [{"py/type": f"{__name__}.Color"}, {"py/tuple": [1]}]}),
    (Point(1, (2,)), {"py/object": f"{__name__}.Point", "x": 1, "y": {"py/tuple": [2]}}),
    (frozenset([1]), {"py/reduce": [{"py/type": "builtins.frozenset"}, {"py/tuple": [[1]]}]}),
    (np.str_("abc"), {"dtype": "<U3", "py/object": "numpy.str_", "value": "abc"}),
    (np.zeros((0, 2)), {"dtype": "float64", "py/object": "numpy.ndarray", "shape": [0, 2], "values": []}),
    (np.asfortranarray(np.ones((2, 2))),
     {"dtype": "float64", "order": "F", "py/object": "numpy.ndarray", "values": [[1.0, 1.0], [1.0, 1.0]]}),
    (np.array([1, 2], dtype=">i4"), {"dtype": "int32", "py/object": "numpy.ndarray", "values": [1, 2]}),
    (np.dtype("float32"), {"dtype": "float32", "py/object": "numpy.dtypes.Float32DType"}),
    ({"json://x": 1}, {'json://"json://x"': 1}),
])
def test_flatten_matches_jsonpickle_for_other_values(value: object, expected: object) -> None:
    assert flatten(value) == expected


def test_flatten_writes_large_arrays_and_views_as_value_lists() -> None:
    view = np.arange(20).reshape(4, 5)
    assert flatten(view) == {"dtype": "int64", "py/object": "numpy.ndarray", "values": view.tolist()}


def test_flatten_timezone_aware_datetime_keeps_the_tzinfo() -> None:
    value = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    utc = {"py/reduce": [{"py/type": "datetime.timezone"},
                         {"py/tuple": [{"py/reduce": [{"py/type": "datetime.timedelta"}, {"py/tuple": [0, 0, 0]}]}]}]}
    assert flatten(value)["__reduce__"][1] == ["B+gBAgAAAAAAAA==", utc]


def test_dumps_keeps_nan_and_infinity_as_bare_floats() -> None:
    assert dumps({"a": math.nan, "b": -math.inf}) == '{\n  "a": NaN,\n  "b": -Infinity\n}'


def test_dumps_escapes_non_ascii_and_has_no_trailing_newline() -> None:
    assert dumps({"é": "ü"}) == '{\n  "\\u00e9": "\\u00fc"\n}'


def test_flatten_returns_plain_json_data_unchanged() -> None:
    data = {"a": [1, 2.5, {"b": None, "c": "x"}], "d": True}
    assert flatten(data) is data


def test_flatten_copies_only_what_changes() -> None:
    inner = {"x": 1}
    data = {"keep": inner, "change": (1,)}
    result = flatten(data)
    assert result == {"keep": {"x": 1}, "change": {"py/tuple": [1]}}
    assert result is not data and result["keep"] is inner
    assert data["change"] == (1,)


def test_flatten_turns_dict_and_list_subclasses_into_plain_containers() -> None:
    class Items(list):
        pass

    result = flatten({"od": collections.OrderedDict(a=Items([1, (2,)]))})
    assert type(result["od"]) is dict and type(result["od"]["a"]) is list
    assert result["od"] == {"a": [1, {"py/tuple": [2]}]}


def test_flatten_survives_cycles() -> None:
    looped: list = [1]
    looped.append(looped)
    result = flatten({"l": looped})
    assert result["l"][0] == 1
    assert result["l"][1] == {"py/object": "builtins.list", "py/repr": "<cycle>"}
    json.dumps(result)


def test_flatten_survives_very_deep_nesting() -> None:
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["n"] = {}
        node = node["n"]
    json.dumps(flatten(deep))


def test_flatten_unknown_object_falls_back_to_its_repr() -> None:
    class Opaque:
        __slots__ = ()

        def __reduce_ex__(self, protocol: object) -> object:
            raise TypeError("cannot pickle")

        def __repr__(self) -> str:
            return "<opaque thing>"

    assert flatten(Opaque()) == {"py/object": f"{__name__}.{Opaque.__qualname__}", "py/repr": "<opaque thing>"}


def test_flatten_never_raises_on_broken_repr() -> None:
    class Broken:
        def __reduce_ex__(self, protocol: object) -> object:
            raise RuntimeError("no")

        def __repr__(self) -> str:
            raise RuntimeError("no repr either")

    result = flatten([Broken()])
    assert result[0]["py/repr"] == f"<{__name__}.{Broken.__qualname__} object>"


def test_flatten_does_not_import_numpy() -> None:
    code = ("import sys, core.config.values as v; "
            "print(v.dumps({'a': (1, {2}), 'b': b'x'})); print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


# --- restore --------------------------------------------------------------------------------------------

def test_restore_undoes_safe_tags() -> None:
    value = {"t": (1, (2, 3)), "s": {1, 2}, "b": b"\x00\xff", 1: "int key", (1, 2): "tuple key", "json://x": 3}
    assert restore(flatten(value)) == value


def test_restore_leaves_object_tags_as_dicts() -> None:
    data = {"f": {"py/function": "os.system"}, "o": {"py/object": "os.Foo", "a": 1},
            "r": {"py/reduce": [{"py/type": "os.system"}, {"py/tuple": ["echo"]}]}}
    restored = restore(data)
    assert restored["f"] == {"py/function": "os.system"}
    assert restored["o"] == {"py/object": "os.Foo", "a": 1}
    assert restored["r"] == {"py/reduce": [{"py/type": "os.system"}, ("echo",)]}


def test_restore_keeps_malformed_tags() -> None:
    assert restore({"py/tuple": [1], "x": 2}) == {"py/tuple": [1], "x": 2}
    assert restore({"py/set": [[1]]}) == {"py/set": [[1]]}
    assert restore({"py/b64": "not base64!"}) == {"py/b64": "not base64!"}
    assert restore({"json://[1": 1}) == {"json://[1": 1}


# --- normalize, comparison, types ----------------------------------------------------------------------

def test_normalize_makes_lists_and_python_scalars() -> None:
    array = np.arange(2)
    value = {"t": (1, (np.float32(0.5), np.int64(2))), "b": np.bool_(False), "s": {1}, "a": array}
    result = normalize(value)
    assert result == {"t": [1, [0.5, 2]], "b": False, "s": {1}, "a": array}
    assert type(result["t"][1][1]) is int and type(result["b"]) is bool
    assert result["a"] is array


def test_values_equal_is_numpy_aware() -> None:
    assert values_equal(np.array([1, 2]), np.array([1, 2]))
    assert not values_equal(np.array([1, 2]), np.array([1, 2, 3]))
    assert not values_equal(np.array([1, 2]), "x")
    assert values_equal({"a": [np.array([1.0, math.nan])]}, {"a": (np.array([1.0, math.nan]),)})
    assert not values_equal({"a": np.array([1])}, {"a": np.array([2])})
    assert values_equal(math.nan, math.nan)
    assert values_equal(np.float64(0.5), 0.5)
    assert not values_equal({"a": 1}, {"a": 1, "b": 2})


def test_values_equal_never_raises() -> None:
    class Angry:
        def __eq__(self, other: object) -> bool:
            raise ValueError("no comparisons")

    assert not values_equal(Angry(), 1)


@pytest.mark.parametrize(("value", "expected"), [
    ((1, 2), list), ([1], list), (np.float32(1), float), (np.int8(1), int), (np.bool_(True), bool),
    (1.5, float), (None, type(None)), ({"a": 1}, dict), (collections.OrderedDict(), dict), ({1}, set),
])
def test_normalized_type(value: object, expected: type) -> None:
    assert normalized_type(value) is expected


# --- key validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "message"), [
    ("a.b", 'Invalid key "a.b". Config keys cannot contain "." or start with "$".'),
    ("$a", 'Invalid key "$a". Config keys cannot contain "." or start with "$".'),
    ("a=b", 'Invalid key "a=b". Config keys cannot contain "=".'),
    ("", 'Invalid key "". Config keys cannot be empty.'),
])
def test_validate_key_rejects_with_clear_message(key: str, message: str) -> None:
    with pytest.raises(InvalidConfigError) as info:
        validate_key(key)
    assert str(info.value) == message


@pytest.mark.parametrize("key", ["py/object", "py/tuple", "json://1"])
def test_validate_key_rejects_jsonpickle_tags(key: str) -> None:
    with pytest.raises(InvalidConfigError, match="reserved jsonpickle tag"):
        validate_key(key)


def test_validate_key_accepts_ordinary_keys() -> None:
    for key in ("lr", "__doc__", "1abc", "with space", 3, None):
        validate_key(key)


def test_validate_key_honours_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SETTINGS.CONFIG, "ENFORCE_KEYS_MONGO_COMPATIBLE", False)
    monkeypatch.setitem(SETTINGS.CONFIG, "ENFORCE_KEYS_NO_EQUALS", False)
    validate_key("a.b")
    validate_key("a=b")
    monkeypatch.setitem(SETTINGS.CONFIG, "ENFORCE_STRING_KEYS", True)
    with pytest.raises(InvalidConfigError, match="Config keys must be strings, but this one is int"):
        validate_key(3)
    monkeypatch.setitem(SETTINGS.CONFIG, "ENFORCE_VALID_PYTHON_IDENTIFIER_KEYS", True)
    with pytest.raises(InvalidConfigError, match="valid Python identifiers"):
        validate_key("1abc")


def test_validate_keys_names_the_location() -> None:
    with pytest.raises(InvalidConfigError) as info:
        validate_keys({"opts": {"ok": 1, "layers": [{"bad.key": 1}]}})
    assert str(info.value).startswith('Invalid key "bad.key" (in "opts.layers[0]").')
