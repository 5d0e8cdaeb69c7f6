"""The experiment API in-process: named configs, config files and dicts, ingredients, config hooks."""
from __future__ import annotations

import json
import logging
import pickle

import pytest

from core import Experiment, Ingredient
from core.errors import NamedConfigNotFoundError




def test_named_configs_apply_in_order_and_explicit_updates_win():
    ex = Experiment("named")

    @ex.config
    def cfg():
        a = 1
        b = a * 10

    @ex.named_config
    def variant1():
        """First variant."""
        a = 100

    @ex.named_config
    def variant2():
        a = 200

    ex.add_named_config("as_dict", {"a": 7})

    @ex.main
    def main(a, b):
        return a, b

    assert ex.run(named_configs=["variant1"]).result == (100, 1000)
    assert ex.run(named_configs=["variant1", "variant2"]).result == (200, 2000)
    assert ex.run(named_configs=["variant2", "variant1"]).result == (100, 1000)
    assert ex.run(named_configs=["variant1"], config_updates={"a": 23}).result == (23, 230)
    assert ex.run(named_configs=["as_dict"]).result == (7, 70)
    run = ex.run(named_configs=["variant1"])
    assert run.meta_info["named_configs"] == ["variant1"]
    assert "a" in run.config_modifications.modified


def test_unknown_named_config_lists_available_with_suggestion():
    ex = Experiment("unknown")

    @ex.named_config
    def variant1():
        a = 1

    @ex.main
    def main():
        pass

    with pytest.raises(NamedConfigNotFoundError) as info:
        ex.run(named_configs=["varient1"])
    text = str(info.value)
    assert "varient1" in text and "variant1" in text and "Did you mean" in text


def test_add_config_forms(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"from_json": 1}))
    (tmp_path / "c.yaml").write_text("from_yaml: 2\n")
    with open(tmp_path / "c.pickle", "wb") as f:
        pickle.dump({"from_pickle": 3}, f)
    ex = Experiment("forms")
    ex.add_config({"from_dict": 0})
    ex.add_config(from_kwargs=4)
    for name in ("c.json", "c.yaml", "c.pickle"):
        ex.add_config(str(tmp_path / name))

    @ex.main
    def main(_config):
        return {k: v for k, v in _config.items() if k != "seed"}

    assert ex.run().result == {"from_dict": 0, "from_kwargs": 4, "from_json": 1, "from_yaml": 2, "from_pickle": 3}
    with pytest.raises(ValueError):
        ex.add_config({"a": 1}, b=2)
    with pytest.raises(ValueError):
        ex.add_config()
    with pytest.raises(TypeError):
        ex.add_config(12)


def test_ingredients_nest_config_and_have_named_configs_and_commands():
    data = Ingredient("data")

    @data.config
    def data_cfg():
        path = "train.csv"
        n = 3

    @data.named_config
    def small():
        n = 1

    @data.capture
    def load(path, n):
        return f"{path}:{n}"

    @data.command
    def stats(n):
        """Print statistics."""
        return n * 2

    ex = Experiment("ing", ingredients=[data])

    @ex.main
    def main():
        return load()

    run = ex.run()
    assert run.config["data"] == {"path": "train.csv", "n": 3}
    assert run.result == "train.csv:3"
    assert ex.run(named_configs=["data.small"]).result == "train.csv:1"
    assert ex.run(config_updates={"data.path": "x"}).result == "x:3"
    assert ex.run("data.stats").result == 6
    assert "data.stats" in dict(ex.gather_commands())
    assert "data.small" in dict(ex.gather_named_configs())


def test_config_hook_result_is_merged():
    ex = Experiment("hooks")

    @ex.config
    def cfg():
        a = 1

    @ex.config_hook
    def hook(config, command_name, logger):
        return {"b": config["a"] + 1, "cmd": command_name}

    @ex.main
    def main(a, b, cmd):
        return a, b, cmd

    assert ex.run().result == (1, 2, "main")
    with pytest.raises(ValueError, match="Wrong signature"):
        ex.config_hook(lambda cfg, cmd, log: {})


def test_ingredient_function_sees_own_config_and_logger_name(capsys):
    data = Ingredient("dataset")

    @data.config
    def cfg():
        path = "x.csv"

    @data.capture
    def load(path, _log, _config):
        _log.warning("loading %s", path)
        return dict(_config)

    ex = Experiment("logs", ingredients=[data])

    @ex.main
    def main():
        return load()

    assert ex.run().result == {"path": "x.csv"}
    assert "WARNING - dataset.load - loading x.csv" in capsys.readouterr().err
