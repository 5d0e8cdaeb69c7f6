"""Tests for core.config.updates: `with` parsing and dotted-path helpers."""
from __future__ import annotations

import pickle

import pytest

from core.config.updates import (
    PATH_CHANGE, PATHCHANGE, convert_to_nested_dict, get_by_dotted_path, is_prefix, iterate_flattened,
    iterate_flattened_separately, join_paths, parse_updates, parse_value, path_prefixes, recursive_update,
    set_by_dotted_path,
)
from core.errors import CommandLineError
from core.settings import SETTINGS


@pytest.mark.parametrize(("text", "expected"), [
    ("1e3", 1000.0), ("0x10", 16), ("1_000", 1000), ("-.5", -0.5), ("True", True), ("None", None),
    ("[1, 2]", [1, 2]), ("{'x': 1}", {"x": 1}), ('"hi"', "hi"), ("'\"1\"'", '"1"'), ("\"'1'\"", "'1'"),
    ("abc", "abc"), ("[1,abc]", "[1,abc]"), ("2**3", "2**3"), ("inf", "inf"), ("nan", "nan"), ("", ""),
    ("  5  ", 5), ("(1, 2)", (1, 2)), ("{1, 2}", {1, 2}), ("1+2j", 1 + 2j), ("b'x'", b"x"),
    ("hello world", "hello world"), ("__import__('os')", "__import__('os')"), ("[" * 200, "[" * 200),
])
def test_parse_value(text: str, expected: object) -> None:
    value = parse_value(text)
    assert value == expected and type(value) is type(expected)


def test_parse_value_does_not_honour_jsonpickle_tags() -> None:
    assert parse_value('{"py/tuple": [1, 2]}') == {"py/tuple": [1, 2]}
    assert parse_value('{"py/object": "os.system"}') == {"py/object": "os.system"}


def test_parse_updates_nests_dotted_keys_and_keeps_names_in_order() -> None:
    updates, names = parse_updates(["big", "d.new.deep=1", "", "lr=0.1", "other.json", "  "])
    assert updates == {"d": {"new": {"deep": 1}}, "lr": 0.1}
    assert names == ["big", "other.json"]


def test_parse_updates_splits_at_first_equals_and_strips() -> None:
    updates, _ = parse_updates(["a=b=c", " k = 5 ", "e="])
    assert updates == {"a": "b=c", "k": 5, "e": ""}


def test_parse_updates_later_words_win() -> None:
    assert parse_updates(["a=1", "a=2"])[0] == {"a": 2}
    assert parse_updates(["a.b=1", "a=3"])[0] == {"a": 3}
    assert parse_updates(["a=3", "a.b=1"])[0] == {"a": {"b": 1}}


def test_parse_updates_in_order_a_later_dict_replaces_earlier_keys_as_in_sacred() -> None:
    updates, _ = parse_updates(["opts.nested.flag=False", 'opts={"momentum": 1, "nested": {"x": 2}}'])
    assert updates == {"opts": {"momentum": 1, "nested": {"x": 2}}}
    updates, _ = parse_updates(['opts={"a": 1}', "opts.b=2"])
    assert updates == {"opts": {"a": 1, "b": 2}}
    updates, _ = parse_updates(['opts={"a": 1}', "opts.b=2", 'opts={"c": 3}'])
    assert updates == {"opts": {"c": 3}}


def test_parse_updates_reads_values_through_json_like_sacred() -> None:
    updates, _ = parse_updates(["shape=(64,64)", "d={1: 'a', 2.5: (1, (2,)), None: 1, False: 0}", "s={1, 2}"])
    assert updates == {"shape": [64, 64], "d": {"1": "a", "2.5": [1, [2]], "null": 1, "false": 0}, "s": {1, 2}}


@pytest.mark.parametrize(("word", "fragment"), [
    ("=5", 'Invalid config update "=5": the key before "=" is empty'),
    ("a..b=1", 'Invalid config update "a..b=1": the key "a..b" has an empty part'),
    (".a=1", "has an empty part"),
    ("$a=1", 'cannot contain "." or start with "$"'),
    ("py/object=1", "reserved jsonpickle tag"),
])
def test_parse_updates_rejects_bad_keys(word: str, fragment: str) -> None:
    with pytest.raises(CommandLineError) as info:
        parse_updates([word])
    assert fragment in str(info.value)


def test_parse_updates_strict_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SETTINGS.COMMAND_LINE, "STRICT_PARSING", True)
    assert parse_updates(["a='text'", "b=1"])[0] == {"a": "text", "b": 1}
    with pytest.raises(CommandLineError, match="is not a Python literal and strict parsing is on"):
        parse_updates(["a=text"])


def test_get_by_dotted_path() -> None:
    d = {"a": {"b": {"c": 1}}, "x": 5}
    assert get_by_dotted_path(d, "a.b.c") == 1
    assert get_by_dotted_path(d, "a.b") == {"c": 1}
    assert get_by_dotted_path(d, "") is d
    assert get_by_dotted_path(d, "a.z") is None
    assert get_by_dotted_path(d, "x.y", "dflt") == "dflt"


def test_set_by_dotted_path_creates_and_replaces() -> None:
    d: dict = {"x": 5}
    set_by_dotted_path(d, "a.b.c", 1)
    set_by_dotted_path(d, "x.y", 2)
    assert d == {"x": {"y": 2}, "a": {"b": {"c": 1}}}
    with pytest.raises(ValueError, match="non-empty path"):
        set_by_dotted_path(d, "", 1)


def test_iterate_flattened_yields_sorted_leaves_including_empty_dicts() -> None:
    d = {"b": 1, "a": {"y": {}, "x": [1]}, "c": {"d": {"e": None}}}
    assert list(iterate_flattened(d)) == [("a.x", [1]), ("a.y", {}), ("b", 1), ("c.d.e", None)]


def test_iterate_flattened_separately_prints_leaves_before_sub_dicts() -> None:
    d = {"b": 1, "a": {"x": {"y": 2}, "c": 3}, "__doc__": "doc", "e": {}, "seed": 4}
    assert list(iterate_flattened_separately(d, ["__doc__"])) == [
        ("__doc__", "doc"), ("b", 1), ("e", {}), ("seed", 4),
        ("a", PATH_CHANGE), ("a.c", 3), ("a.x", PATH_CHANGE), ("a.x.y", 2),
    ]
    assert PATHCHANGE is PATH_CHANGE and pickle.loads(pickle.dumps(PATH_CHANGE)) is PATH_CHANGE


def test_convert_to_nested_dict() -> None:
    assert convert_to_nested_dict({"a.b": 1, "c": {"d.e": 2}, "f": {}}) == {"a": {"b": 1}, "c": {"d": {"e": 2}}, "f": {}}


def test_recursive_update_merges_deeply_and_returns_target() -> None:
    target = {"a": {"b": 1, "c": 2}, "d": 1}
    source = {"a": {"c": 3, "e": {"f": 4}}, "d": {"g": 5}}
    result = recursive_update(target, source)
    assert result is target
    assert target == {"a": {"b": 1, "c": 3, "e": {"f": 4}}, "d": {"g": 5}}
    target["a"]["e"]["f"] = 99
    assert source["a"]["e"]["f"] == 4


def test_path_helpers() -> None:
    assert join_paths("", "a", None, "b.c") == "a.b.c"
    assert join_paths() == ""
    assert path_prefixes("a.b.c") == ["a", "a.b"]
    assert path_prefixes("a") == [] and path_prefixes("") == []
    assert is_prefix("a", "a.b") and is_prefix("", "a") and is_prefix("a.b", "a.b.c")
    assert not is_prefix("a", "ab.c") and not is_prefix("a", "a")
