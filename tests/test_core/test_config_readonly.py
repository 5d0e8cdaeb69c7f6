"""Tests for core.config.readonly: the read-only config seen by captured functions."""
from __future__ import annotations

import collections
import copy
import json
import pickle
import subprocess
import sys
from typing import Any, Callable

import pytest
import yaml

from core.config.readonly import ReadOnlyDict, ReadOnlyList, make_plain, make_read_only
from core.errors import ReadOnlyConfigError, SacredError

Pair = collections.namedtuple("Pair", "left right")


def config() -> Any:
    return make_read_only({"lr": 0.1, "opts": {"layers": [1, {"n": 2}]}, "pair": ({"a": 1}, [2]),
                           "named": Pair({"b": 1}, 2)})


def test_make_read_only_converts_recursively() -> None:
    cfg = config()
    assert type(cfg) is ReadOnlyDict and type(cfg["opts"]) is ReadOnlyDict
    assert type(cfg["opts"]["layers"]) is ReadOnlyList and type(cfg["opts"]["layers"][1]) is ReadOnlyDict
    assert type(cfg["pair"]) is tuple and type(cfg["pair"][0]) is ReadOnlyDict
    assert type(cfg["named"]) is Pair and type(cfg["named"].left) is ReadOnlyDict
    assert cfg == {"lr": 0.1, "opts": {"layers": [1, {"n": 2}]}, "pair": ({"a": 1}, [2]), "named": ({"b": 1}, 2)}


@pytest.mark.parametrize(("mutate", "action"), [
    (lambda c: c.__setitem__("lr", 1), "set 'lr'"),
    (lambda c: c.__delitem__("lr"), "delete 'lr'"),
    (lambda c: c.clear(), "clear the dict"),
    (lambda c: c.pop("lr"), "pop 'lr'"),
    (lambda c: c.popitem(), "call popitem()"),
    (lambda c: c.setdefault("new", 1), "set 'new' with setdefault()"),
    (lambda c: c.update({"lr": 2}, seed=3), "update 'lr', 'seed'"),
    (lambda c: c["opts"].__ior__({"x": 1}), "update the dict with |="),
    (lambda c: c["opts"]["layers"].append(3), "append 3 to a list"),
    (lambda c: c["opts"]["layers"].__setitem__(0, 5), "set item 0 of a list"),
    (lambda c: c["opts"]["layers"].extend([1]), "extend a list"),
    (lambda c: c["opts"]["layers"].insert(0, 1), "insert 1 into a list"),
    (lambda c: c["opts"]["layers"].pop(), "pop from a list"),
    (lambda c: c["opts"]["layers"].remove(1), "remove 1 from a list"),
    (lambda c: c["opts"]["layers"].reverse(), "reverse a list"),
    (lambda c: c["opts"]["layers"].sort(), "sort a list"),
    (lambda c: c["opts"]["layers"].clear(), "clear a list"),
    (lambda c: c["opts"]["layers"].__delitem__(0), "delete item 0 of a list"),
    (lambda c: c["opts"]["layers"].__iadd__([1]), "extend a list with +="),
    (lambda c: c["opts"]["layers"].__imul__(2), "repeat a list with *="),
    (lambda c: c["pair"][0].__setitem__("a", 2), "set 'a'"),
])
def test_every_mutator_raises_naming_the_operation(mutate: Callable[[Any], Any], action: str) -> None:
    cfg = config()
    with pytest.raises(ReadOnlyConfigError) as info:
        mutate(cfg)
    assert str(info.value) == (f"The configuration is read-only in a captured function! Tried to {action}. "
                               "Make a copy first (copy.deepcopy or dict(...)).")
    assert isinstance(info.value, SacredError) and isinstance(info.value, TypeError)
    assert cfg == config()


def test_augmented_assignment_on_an_entry_raises() -> None:
    cfg = config()
    with pytest.raises(ReadOnlyConfigError):
        cfg["opts"]["layers"] += [3]
    with pytest.raises(ReadOnlyConfigError):
        cfg["lr"] += 1


def test_copy_gives_plain_shallow_copy() -> None:
    cfg = config()
    shallow = copy.copy(cfg)
    assert type(shallow) is dict and shallow == cfg
    shallow["lr"] = 5
    assert type(shallow["opts"]) is ReadOnlyDict
    assert type(copy.copy(cfg["opts"]["layers"])) is list


def test_deepcopy_gives_plain_containers_all_the_way_down() -> None:
    deep = copy.deepcopy(config())
    assert type(deep) is dict and type(deep["opts"]["layers"]) is list
    assert type(deep["opts"]["layers"][1]) is dict and type(deep["pair"][0]) is dict
    deep["opts"]["layers"].append(3)
    assert deep["opts"]["layers"] == [1, {"n": 2}, 3]


def test_pickle_round_trip_gives_plain_values() -> None:
    restored = pickle.loads(pickle.dumps(config()))
    assert restored == config()
    assert type(restored) is dict and type(restored["opts"]["layers"]) is list
    assert type(restored["opts"]["layers"][1]) is dict


def test_json_and_yaml_can_write_read_only_values() -> None:
    cfg = make_read_only({"a": [1, {"b": 2}], "c": "x"})
    assert json.loads(json.dumps(cfg)) == {"a": [1, {"b": 2}], "c": "x"}
    assert yaml.safe_load(yaml.safe_dump(cfg)) == {"a": [1, {"b": 2}], "c": "x"}
    assert yaml.safe_load(yaml.dump(cfg)) == {"a": [1, {"b": 2}], "c": "x"}


def test_yaml_works_when_imported_after_the_module() -> None:
    code = ("import sys, core.config.readonly as r; assert 'yaml' not in sys.modules; import yaml; "
            "print(yaml.safe_dump(r.make_read_only({'a': [1]})).strip())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["a:", "- 1"]


def test_make_plain_is_the_inverse() -> None:
    plain = make_plain(config())
    assert type(plain) is dict and type(plain["opts"]["layers"]) is list
    assert type(plain["pair"][0]) is dict and type(plain["named"]) is Pair and type(plain["named"].left) is dict
    assert plain == config()


def test_reading_works_as_for_plain_containers() -> None:
    cfg = config()
    assert cfg.get("lr") == 0.1 and list(cfg) == ["lr", "opts", "pair", "named"]
    assert cfg["opts"]["layers"][:1] == [1] and len(cfg["opts"]["layers"]) == 2
    merged = cfg | {"lr": 1}
    assert type(merged) is dict and merged["lr"] == 1
