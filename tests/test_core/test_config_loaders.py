"""Tests for core.config.loaders: reading and writing config files."""
from __future__ import annotations

import json
import math
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import yaml

from core.config.loaders import is_config_file_name, load_config_file, save_config_file
from core.config.readonly import make_read_only
from core.errors import InvalidConfigError

CONFIG = {"lr": 0.1, "layers": [16, 8], "opts": {"momentum": 0.9, "nested": {"flag": True}}, "name": "exp"}


@pytest.mark.parametrize("extension", [".json", ".yaml", ".yml", ".pickle", ".JSON"])
def test_save_then_load_round_trips(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"config{extension}"
    save_config_file(CONFIG, path)
    assert load_config_file(path) == CONFIG


def test_json_is_written_like_sacred(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    save_config_file({"b": (1, 2), "a": np.float64(0.5), "n": math.nan}, str(path))
    assert path.read_text() == (
        '{\n  "a": {\n    "dtype": "float64",\n    "py/object": "numpy.float64",\n    "value": 0.5\n  },\n'
        '  "b": {\n    "py/tuple": [\n      1,\n      2\n    ]\n  },\n  "n": NaN\n}')


def test_json_load_restores_only_safe_tags(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"t": {"py/tuple": [1, 2]}, "s": {"py/set": [3]},
                                "f": {"py/function": "os.system"}, "json://1": "one"}))
    assert load_config_file(path) == {"t": (1, 2), "s": {3}, "f": {"py/function": "os.system"}, 1: "one"}


def test_yaml_is_block_style_and_flattened(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save_config_file(make_read_only({"b": [1, 2], "a": {"c": (3,)}}), path)
    assert path.read_text() == "a:\n  c:\n    py/tuple:\n    - 3\nb:\n- 1\n- 2\n"


def test_yaml_load_never_constructs_objects(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InvalidConfigError, match='Cannot parse config file ".*c.yaml" as YAML: .*line 1'):
        load_config_file(path)


def test_empty_yaml_is_an_empty_config(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("# nothing here\n")
    assert load_config_file(path) == {}


def test_pickle_keeps_python_objects(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    save_config_file(make_read_only({"t": (1, [2]), "s": {3}}), path)
    loaded = load_config_file(path)
    assert loaded == {"t": (1, [2]), "s": {3}} and type(loaded["t"][1]) is list


def test_pickle_falls_back_to_json_form_for_unpicklable_values(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    save_config_file({"f": lambda x: x, "n": 1}, path)
    loaded = load_config_file(path)
    assert loaded == {"n": 1}  # the JSON form leaves a lambda out, as jsonpickle does


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigError) as info:
        load_config_file(tmp_path / "x.json")
    assert str(info.value) == f'Config file "{tmp_path / "x.json"}" does not exist.'


def test_unsupported_extension_names_the_allowed_ones(tmp_path: Path) -> None:
    path = tmp_path / "upd.txt"
    path.write_text("a=1")
    with pytest.raises(InvalidConfigError) as info:
        load_config_file(path)
    assert isinstance(info.value, ValueError)  # as Sacred's
    assert str(info.value) == (f'Configuration file "{path}" has invalid or unsupported extension ".txt". '
                               "Supported extensions are: .json, .pickle, .yaml, .yml.")
    with pytest.raises(InvalidConfigError, match='unsupported extension ""'):
        save_config_file({}, tmp_path / "noext")


@pytest.mark.parametrize(("name", "content", "holds"), [
    ("list.json", "[1, 2]", "a list"), ("scalar.yaml", "5\n", "a int"), ("none.json", "null", "nothing"),
])
def test_top_level_must_be_a_dict(tmp_path: Path, name: str, content: str, holds: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidConfigError, match=f"must hold a mapping .* but it holds {holds}\\."):
        load_config_file(path)


def test_json_parse_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1\n  "b": 2\n}')
    with pytest.raises(InvalidConfigError) as info:
        load_config_file(path)
    assert str(info.value) == (f'Cannot parse config file "{path}" as JSON: Expecting \',\' delimiter '
                               "(line 3, column 3).")


def test_yaml_parse_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: [1, 2\n")
    with pytest.raises(InvalidConfigError, match=r'as YAML: .*\(line \d+, column \d+\)\.'):
        load_config_file(path)


def test_broken_pickle_and_binary_json(tmp_path: Path) -> None:
    (tmp_path / "bad.pickle").write_bytes(b"not a pickle")
    with pytest.raises(InvalidConfigError, match="as a pickle: UnpicklingError"):
        load_config_file(tmp_path / "bad.pickle")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(InvalidConfigError, match="not UTF-8 text"):
        load_config_file(tmp_path / "bad.json")


def test_directory_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(InvalidConfigError, match="is a directory"):
        load_config_file(tmp_path / "dir.json")


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("old")
    save_config_file({"a": 1}, path)
    assert json.loads(path.read_text()) == {"a": 1}
    assert os.listdir(tmp_path) == ["c.json"]
    assert (path.stat().st_mode & 0o777) == (0o666 & ~_umask())


def test_unpicklable_values_and_unwritable_paths(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    path.write_bytes(pickle.dumps({"old": 1}))

    class Exploding:
        def __reduce__(self) -> tuple:
            raise RuntimeError("boom")

        def __repr__(self) -> str:
            raise RuntimeError("boom")

    save_config_file({"x": Exploding()}, path)  # falls back to the JSON form, never half a file
    assert set(load_config_file(path)) == {"x"}
    with pytest.raises(InvalidConfigError, match="Cannot write config file"):
        save_config_file({"a": 1}, tmp_path / "missing_dir" / "c.json")
    assert sorted(os.listdir(tmp_path)) == ["c.pickle"]


def test_is_config_file_name() -> None:
    assert is_config_file_name("a.json") and is_config_file_name("dir/b.YML") and is_config_file_name(Path("c.pickle"))
    assert not is_config_file_name("variant1") and not is_config_file_name("x.txt")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_yaml_module_round_trip_of_nan(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save_config_file({"n": math.nan}, path)
    assert math.isnan(yaml.safe_load(path.read_text())["n"])
