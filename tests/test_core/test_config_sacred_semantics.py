"""Config values as Sacred 0.8.7 makes them: objects as entries, merged parameters, update order, JSON-read
updates, empty ingredients, key errors, docs in print_config and named-config docstrings."""
from __future__ import annotations

import json
from collections import OrderedDict

import pytest

from core import Experiment, Ingredient
from core.commands import format_config, format_named_configs
from core.config.values import dumps


def _run(ex, **kwargs):
    return ex.run(**kwargs)


def test_functions_classes_and_lambdas_are_entries_passed_to_functions_and_stored_as_sacred_stores_them():
    ex = Experiment("objects")

    @ex.config
    def cfg():
        container_cls = dict
        post = lambda x: x * 2  # noqa: E731

    @ex.named_config
    def ordered():
        net_cls = OrderedDict

    @ex.config_hook
    def hook(config, command_name, logger):
        return {"seen": config["container_cls"].__name__}

    @ex.main
    def main(container_cls, post, net_cls, seen):
        return container_cls.__name__, post(2), net_cls.__name__, seen

    run = _run(ex, named_configs=["ordered"])
    assert run.result == ("dict", 4, "OrderedDict", "dict")
    stored = json.loads(dumps(run.config))
    assert stored["container_cls"] == {"py/type": "builtins.dict"}
    assert stored["net_cls"] == {"py/type": "collections.OrderedDict"}
    assert "post" not in stored  # jsonpickle leaves lambdas out, so Sacred's config.json has no such key
    text = format_config(run.config_modifications, colour=False)
    assert "container_cls = <class 'dict'>" in text and "post = <function <lambda> at 0x" in text


def test_a_scope_may_take_log_and_a_parameter_sees_the_merged_dict():
    ex = Experiment("merged")
    ex.add_config({"shared": {"x": 1, "y": 2}})

    @ex.config
    def cfg(_log, shared):
        keys = sorted(shared)
        _log.info("scope ran")

    ex.main(lambda keys, shared: (keys, shared["y"]))
    assert _run(ex, config_updates={"shared": {"y": 5}}).result == (["x", "y"], 5)


def test_updates_apply_in_order_and_are_read_through_json():
    from core.config.updates import parse_updates
    ex = Experiment("order")

    @ex.config
    def cfg():
        model = {"units": 64, "act": "relu"}

    ex.main(lambda model, shape=None: (sorted(model.items()), shape))
    updates, _ = parse_updates(["model.units=32", 'model={"act": "gelu"}', "shape=(64,64)"])
    run = _run(ex, config_updates=updates)
    assert run.result == ([("act", "gelu"), ("units", 64)], [64, 64])
    assert run.meta_info["config_updates"]["shape"] == [64, 64]


def test_an_ingredient_without_config_is_not_in_the_config():
    empty = Ingredient("empty")
    empty.capture(lambda: None)
    full = Ingredient("full")
    full.add_config(n=1)
    ex = Experiment("parts", ingredients=[empty, full])
    ex.main(lambda: None)
    config = _run(ex).config
    assert "empty" not in config and config["full"] == {"n": 1}


def test_bad_keys_are_key_errors_and_bad_versions_value_errors():
    ex = Experiment("errors")
    with pytest.raises(KeyError):
        ex.add_config({"a.b": 1})
    with pytest.raises(ValueError, match="Invalid Version"):
        ex.add_package_dependency("flask", "foobar")
    ex.add_package_dependency("flask", "2.0rc1")


def test_print_config_shows_the_doc_of_a_dict_on_its_header_line():
    ex = Experiment("docs")

    @ex.config
    def cfg():
        opt = {"m": 0.9}  # optimiser settings

    ex.main(lambda: None)
    lines = format_config(_run(ex, config_updates={"opt": {"m": 0.5}}).config_modifications, colour=False)
    assert "  opt:                               # optimiser settings" in lines.splitlines()


def test_named_config_docstrings_as_sacred_shows_and_stores_them(capsys):
    ex = Experiment("named")

    @ex.config
    def cfg():
        lr = 0.1

    @ex.named_config
    def big():
        """A bigger network.

        Uses more layers.
        """
        lr = 1.0

    ex.main(lambda: None)
    run = _run(ex, named_configs=["big"])
    assert run.config["__doc__"].startswith("A bigger network.\n\nUses more layers.")  # body dedented
    assert 'WARNING - root - Added new config entry: "__doc__"' in capsys.readouterr().err
    text = format_named_configs(ex.gather_named_configs(), colour=False)
    raw = big.__doc__  # as Python keeps it (indented before 3.13); Sacred prints it so
    assert text == 'Named Configurations (doc):\n  big\n    """' + raw.replace("\n", "\n  ") + '"""'
