"""Tests for ConfigDict (``add_config({...})``) and ConfigResult."""
from __future__ import annotations

import numpy as np
import pytest

from core.config.config_dict import ConfigDict, ConfigResult
from core.config.scope import ConfigDict as ReExported
from core.errors import ConfigError, InvalidConfigError


def test_config_dict_fixed_values_win_and_merge_deeply():
    conf = ConfigDict({"a": 1, "opts": {"lr": 0.1, "inner": {"x": 1}}, "b": "keep"})
    result = conf(fixed={"a": 2, "opts": {"inner": {"y": 2}}, "new": 5})
    assert result == {"a": 2, "opts": {"lr": 0.1, "inner": {"x": 1, "y": 2}}, "b": "keep", "new": 5}
    assert result.added == {"opts.inner.y", "new"}
    assert result.modified == {"a"}
    assert result.typechanged == {} and result.docs == {}
    assert isinstance(result, ConfigResult)


def test_config_dict_typechanged_and_preset_fill_in():
    conf = ConfigDict({"a": 1, "opts": {"x": 1}})
    result = conf(fixed={"a": "text"}, preset={"opts": {"y": 2}, "earlier": 3, "a": 0})
    assert result == {"a": "text", "opts": {"x": 1, "y": 2}, "earlier": 3}
    assert result.typechanged == {"a": (int, str)}


def test_config_dict_normalizes_at_construction_and_results_do_not_share_state():
    source = {"t": (1, 2), "f": np.float64(1.5), "arr": np.arange(2), "nested": {"l": [1]}}
    conf = ConfigDict(source)
    first = conf()
    assert first["t"] == [1, 2] and type(first["f"]) is float and isinstance(first["arr"], np.ndarray)
    first["nested"]["l"].append(2)
    source["nested"]["l"].append(3)
    assert conf()["nested"] == {"l": [1]}


def test_config_dict_validates_keys_immediately():
    with pytest.raises(InvalidConfigError, match='Invalid key "a.b"'):
        ConfigDict({"a.b": 1})
    with pytest.raises(InvalidConfigError, match=r'Invalid key "\$x"'):
        ConfigDict({"ok": {"$x": 1}})


def test_config_dict_refuses_non_dicts():
    with pytest.raises(ConfigError, match=r"A config dict must be a dict, got int: 3\."):
        ConfigDict(3)  # type: ignore[arg-type]


def test_config_dict_as_named_config_and_reexport():
    named = ReExported({"layers": [64], "__doc__": "A named dict."})
    assert named.doc == "A named dict." and named.__doc__ is None  # Sacred shows no doc for a dict
    assert named(fixed={"layers": [1]}) == {"layers": [1], "__doc__": "A named dict."}
    assert repr(ConfigDict({"a": 1})) == "ConfigDict({'a': 1})"


def test_config_result_repr_and_defaults():
    result = ConfigResult({"a": 1}, added={"b"})
    assert result == {"a": 1} and result.added == {"b"} and result.modified == set()
    assert repr(result) == "ConfigResult({'a': 1}, added=['b'], modified=[], typechanged={})"
