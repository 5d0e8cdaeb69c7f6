"""Tests for what a ConfigScope can read: parameters from preset/fixed/fallback, module and enclosing names."""
from __future__ import annotations

import logging

import pytest

from core.config.scope import ConfigScope, ScopeArgumentError
from core.errors import ConfigError

MODULE_CONSTANT = 7


def test_config_scope_parameters_from_preset_fixed_and_fallback():
    def cfg(a, dataset, _log):
        b = a * 2
        n = dataset["n"] + 1
        _log.info("b is %s", b)

    log = logging.getLogger("scope-test")
    scope = ConfigScope(cfg)
    result = scope(preset={"a": 3, "other": {"x": 1}}, fallback={"dataset": {"n": 4}, "_log": log})
    assert result == {"b": 6, "n": 5, "a": 3, "other": {"x": 1}}
    assert scope(fixed={"a": 10}, preset={"a": 3}, fallback={"dataset": {"n": 0}, "_log": log})["b"] == 20
    assert scope(fixed={"a": 1}, fallback={"dataset": {"n": 0}, "_log": log})["b"] == 2


def test_config_scope_missing_parameter_names_available_values():
    def cfg(a):
        b = a

    with pytest.raises(ScopeArgumentError) as info:
        ConfigScope(cfg)(preset={"x": 1}, fallback={"_log": None})
    message = str(info.value)
    assert message.startswith("\"a\" not in preset for ConfigScope \"cfg\". Available: ['_log', 'x']")
    assert "test_config_scope_inputs.py" in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, ConfigError)


def test_config_scope_preset_is_readable_and_filled_in_deeply():
    def cfg():
        b = a + 1  # noqa: F821 - a comes from an earlier scope
        opts = {"x": 1}

    result = ConfigScope(cfg)(preset={"a": 1, "opts": {"x": 0, "y": 2}, "c": [1]})
    assert result == {"b": 2, "opts": {"x": 1, "y": 2}, "a": 1, "c": [1]}


def test_config_scope_does_not_change_preset_or_fallback():
    def cfg(opts, sub):
        opts["x"] = 2
        sub["y"] = 3

    preset = {"opts": {"x": 1}}
    result = ConfigScope(cfg)(preset=preset, fallback={"sub": {"y": 1}})
    assert result == {"opts": {"x": 2}} and preset == {"opts": {"x": 1}}


def test_config_scope_assigning_a_fallback_name_is_ignored_with_warning(caplog):
    def cfg():
        dataset = {"n": 1}
        seen = dataset["n"]

    with caplog.at_level(logging.WARNING):
        result = ConfigScope(cfg)(fallback={"dataset": {"n": 5}})
    assert result == {"seen": 5}
    assert 'Ignored attempt to set value of "dataset", because it is an ingredient.' in caplog.text


def test_config_scope_reads_module_globals_without_leaking_names():
    def cfg():
        global leaked
        leaked = 1
        value = MODULE_CONSTANT * 2
        MODULE_CONSTANT_COPY = MODULE_CONSTANT

    result = ConfigScope(cfg)()
    assert result == {"value": 14, "MODULE_CONSTANT_COPY": 7}
    assert "leaked" not in globals() and "value" not in globals()


def test_config_scope_reads_enclosing_function_variables():
    base = 40

    def cfg():
        a = base + 2

    assert ConfigScope(cfg)() == {"a": 42}


def test_config_scope_calls_are_independent():
    def cfg():
        opts = {"a": 1}
        opts["b"] = 2

    scope = ConfigScope(cfg)
    assert scope(fixed={"opts": {"a": 5}}) == {"opts": {"a": 5, "b": 2}}
    again = scope()
    assert again == {"opts": {"a": 1, "b": 2}} and again.modified == set() and again.added == set()
