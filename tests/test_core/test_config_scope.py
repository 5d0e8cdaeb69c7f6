"""Tests for ConfigScope evaluation: entries, fixed values, preset/fallback, closures and tracebacks."""
from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest

from core.config.scope import ConfigScope
from core.errors import InvalidConfigError

DATA = Path(__file__).parent.parent / "data" / "config_scope"
MODULE_CONSTANT = 7


def _load_reference_scopes():
    spec = importlib.util.spec_from_file_location("ref_scopes_for_tests", DATA / "ref_scopes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def module_level_scope():
    """Module docstring of the scope."""
    a = 1
    b = a + MODULE_CONSTANT
    _private = 2
    __dunder = 3


def test_config_scope_entries_in_assignment_order_with_docstring():
    result = ConfigScope(module_level_scope)()
    assert list(result) == ["__doc__", "a", "b", "_private", "__dunder"]
    assert result == {"__doc__": "Module docstring of the scope.", "a": 1, "b": 8, "_private": 2, "__dunder": 3}
    assert type(result) is not dict and isinstance(result, dict)


def test_config_scope_matches_real_sacred_run_configs():
    scopes = _load_reference_scopes()
    cfg = ConfigScope(scopes.cfg)
    run1 = cfg(fixed={"lr": 0.02, "opts": {"momentum": 0.5}})
    expected1 = json.loads((DATA / "run1_config.json").read_text())
    del expected1["seed"], expected1["dataset"]
    assert run1 == expected1
    assert run1.modified == {"lr", "opts.momentum"} and run1.added == set() and run1.typechanged == {}
    assert run1.docs == {"lr": "learning rate", "epochs": "number of epochs",
                         "mode": "one of ok|fail|interrupt|timeout|custom|sleep",
                         "progress_delay": "seconds between progress-bar updates",
                         "seed": "the random seed for this experiment"}
    big = ConfigScope(scopes.big)()
    run6 = cfg(fixed=dict(big))
    expected6 = json.loads((DATA / "run6_config.json").read_text())
    del expected6["seed"], expected6["dataset"]
    assert run6 == expected6
    assert ConfigScope(scopes.data_cfg)() == {"path": "data/input.txt", "n_items": 3}


def test_config_scope_keeps_modules_functions_lambdas_classes_and_objects_as_entries_like_sacred():
    def cfg():
        import os.path
        from math import pi
        f = lambda x: x  # noqa: E731

        def helper():
            return 1

        class Thing:
            pass

        builtin = len
        instance = Thing()
        value = helper()
        _private = 2

    result = ConfigScope(cfg)()
    assert set(result) == {"os", "pi", "f", "helper", "Thing", "builtin", "instance", "value", "_private"}
    assert result["os"] is os and result["builtin"] is len and result["f"](3) == 3
    assert result["pi"] == math.pi and result["value"] == 1
    assert type(result["instance"]) is result["Thing"]


def test_what_a_scope_defines_is_named_as_at_module_level():
    def cfg():
        f = lambda x: x  # noqa: E731

        def helper():
            def inner():
                return 1
            return inner

        class Thing:
            def method(self):
                return 2

    result = ConfigScope(cfg)()
    assert result["f"].__qualname__ == "<lambda>" and repr(result["f"]).startswith("<function <lambda> at ")
    assert result["helper"].__qualname__ == "helper" and result["helper"]().__qualname__ == "helper.<locals>.inner"
    assert result["Thing"].__qualname__ == "Thing" and result["Thing"].method.__qualname__ == "Thing.method"


def test_config_scope_comprehensions_generators_lambdas_and_nested_defs_see_entries():
    def cfg():
        a = 2
        n = 3
        squares = [a * i for i in range(n)]
        by_key = {f"k{i}": a + i for i in range(n)}
        odd = {a * i for i in range(n) if i % 2}
        total = sum(a * i for i in range(n))
        scale = lambda x: a * x  # noqa: E731
        scaled = scale(5)

        def triple():
            return [a * 3 for _ in range(1)][0]

        tripled = triple()
        nested = [[a * i * j for j in range(2)] for i in range(2)]

    result = ConfigScope(cfg)()
    assert result["squares"] == [0, 2, 4]
    assert result["by_key"] == {"k0": 2, "k1": 3, "k2": 4}
    assert result["odd"] == {2}
    assert result["total"] == 6
    assert result["scaled"] == 10 and result["tripled"] == 6
    assert result["nested"] == [[0, 0], [0, 2]]
    assert callable(result["scale"]) and callable(result["triple"]) and "i" not in result


def test_config_scope_comprehensions_see_fixed_values():
    def cfg():
        a = 2
        squares = [a * i for i in range(3)]
        total = sum(a * i for i in range(3))
        scaled = (lambda x: a * x)(5)

    result = ConfigScope(cfg)(fixed={"a": 10})
    assert result["squares"] == [0, 10, 20] and result["total"] == 30 and result["scaled"] == 50


def test_config_scope_fixed_value_wins_and_derived_values_use_it():
    def cfg():
        a = 1
        b = 3 * a
        a = 2

    result = ConfigScope(cfg)(fixed={"a": 5})
    assert result == {"a": 5, "b": 15}
    assert result.modified == {"a"} and result.added == set()


def test_config_scope_reads_fixed_value_before_assignment_and_fixed_only_keys():
    def cfg():
        b = 3 * a  # noqa: F821 - a is fixed
        c = d + 1  # noqa: F821 - d is only fixed
        a = 1

    result = ConfigScope(cfg)(fixed={"a": 4, "d": 10})
    assert result == {"b": 12, "c": 11, "a": 4, "d": 10}
    assert result.added == {"d"} and result.modified == {"a"}


def test_config_scope_fixed_dict_merges_deeply_and_survives_item_assignment():
    def cfg():
        opts = {"lr": 0.1, "inner": {"x": 1, "y": 2}, "keep": True}
        opts["lr"] = 0.3
        opts.update(keep=False)
        opts["extra"] = "e"
        del opts["inner"]
        lr_used = opts["lr"]

    fixed = {"opts": {"lr": 0.5, "inner": {"y": 20, "z": 30}}}
    result = ConfigScope(cfg)(fixed=fixed)
    assert result["opts"] == {"lr": 0.5, "inner": {"x": 1, "y": 20, "z": 30}, "keep": False, "extra": "e"}
    assert result["lr_used"] == 0.5
    assert result.added == {"opts.inner.z"}
    assert result.modified == {"opts.lr", "opts.inner.y"}
    assert fixed == {"opts": {"lr": 0.5, "inner": {"y": 20, "z": 30}}}  # the caller's updates are untouched
    assert type(result["opts"]) is dict and type(result["opts"]["inner"]) is dict


def test_config_scope_fixed_list_ignores_mutation_and_refuses_pop():
    def cfg():
        layers = [1, 2]
        layers.append(3)
        layers += [4]
        size = len(layers)

    result = ConfigScope(cfg)(fixed={"layers": [7]})
    assert result["layers"] == [7] and result["size"] == 1 and type(result["layers"]) is list

    def popping():
        layers = [1, 2]
        layers.pop()

    with pytest.raises(TypeError, match="Cannot pop from a list that is fixed"):
        ConfigScope(popping)(fixed={"layers": [7]})


def test_config_scope_summary_added_modified_typechanged():
    def cfg():
        same = 1
        num = 1
        text = "a"
        nothing = None
        arr = np.zeros(2)
        sub = {"k": 1}

    result = ConfigScope(cfg)(fixed={"same": 1, "num": 2.5, "text": 3, "nothing": "now", "arr": np.zeros(2),
                                     "sub": {"k": 1, "new": {"deep": 1}}, "other": {"x": 1}})
    assert result.added == {"sub.new", "sub.new.deep", "other", "other.x"}
    assert result.modified == {"num", "text", "nothing"}
    assert result.typechanged == {"num": (int, float), "text": (str, int)}


def test_config_scope_dict_replaced_by_fixed_scalar_is_a_type_change():
    def cfg():
        opts = {"a": 1}
        flag = 1

    result = ConfigScope(cfg)(fixed={"opts": 3, "flag": {"on": True}})
    assert result == {"opts": 3, "flag": {"on": True}}
    assert result.typechanged == {"opts": (dict, int), "flag": (int, dict)}
    assert result.added == {"flag.on"}


def test_config_scope_named_config_docstring_replaces_doc():
    result = ConfigScope(module_level_scope)(fixed={"__doc__": "A named config."})
    assert result["__doc__"] == "A named config." and "__doc__" not in result.added


def test_config_scope_loop_with_walrus_and_match_bindings_are_fixed():
    def cfg():
        for step in range(3):
            last = step
        if (w := 1) > 0:
            seen_w = w
        (v := 2)
        match [1, 2]:
            case [first, *rest]:
                pass

    result = ConfigScope(cfg)(fixed={"step": 9, "w": 5, "v": 6, "first": 0})
    assert result["last"] == 9 and result["step"] == 9
    assert result["seen_w"] == 5 and result["w"] == 5 and result["v"] == 6
    assert result["first"] == 0 and result["rest"] == [2]


def test_config_scope_with_and_except_names_are_entries_or_not_as_python_binds_them():
    def cfg():
        import contextlib
        with contextlib.nullcontext(3) as ctx:
            inside = ctx
        try:
            raise ValueError("x")
        except ValueError as error:
            message = str(error)

    result = ConfigScope(cfg)()
    assert result == {"contextlib": contextlib, "ctx": 3, "inside": 3, "message": "x"}


def test_config_scope_annotated_assignment():
    def cfg():
        a: int = 3  # the a
        b: float

    scope = ConfigScope(cfg)
    assert scope() == {"a": 3}
    assert scope(fixed={"a": 4}) == {"a": 4}
    assert scope.docs == {"a": "the a"}


def test_config_scope_exception_traceback_points_at_user_line():
    def cfg():
        a = 1
        b = a / 0

    line = cfg.__code__.co_firstlineno + 2
    with pytest.raises(ZeroDivisionError) as info:
        ConfigScope(cfg)()
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert (last.filename, last.lineno, last.name) == (__file__, line, "cfg")
    assert last.line == "b = a / 0"


def test_config_scope_name_error_propagates_unchanged():
    def cfg():
        a = undefined_name  # noqa: F821

    with pytest.raises(NameError, match="undefined_name"):
        ConfigScope(cfg)()


def test_config_scope_normalizes_values_and_keeps_arrays():
    def cfg():
        t = (1, (2, 3))
        f = np.float64(2.5)
        i = np.int32(3)
        flag = np.bool_(True)
        arr = np.arange(3)
        nested = {"x": np.float32(0.5), "y": (np.int64(1),)}

    result = ConfigScope(cfg)()
    assert result["t"] == [1, [2, 3]]
    assert type(result["f"]) is float and result["f"] == 2.5
    assert type(result["i"]) is int and type(result["flag"]) is bool
    assert isinstance(result["arr"], np.ndarray) and result["arr"].tolist() == [0, 1, 2]
    assert result["nested"] == {"x": 0.5, "y": [1]} and type(result["nested"]["y"][0]) is int


def test_config_scope_validates_keys():
    def cfg():
        d = {"a.b": 1}

    with pytest.raises(InvalidConfigError, match='Invalid key "a.b"'):
        ConfigScope(cfg)()


def test_config_scope_metadata_and_repr():
    def cfg(a, b):
        """Documented scope."""
        c = a + b

    scope = ConfigScope(cfg)
    assert scope.arg_names == ["a", "b"]
    assert scope.__doc__ == "Documented scope."
    assert scope.__name__ == "cfg" and scope.func is cfg
    assert repr(scope) == f"<ConfigScope cfg(a, b) at test_config_scope.py:{cfg.__code__.co_firstlineno}>"


class ScopesInAClass:
    def indented(self):
        # a doc above a string at column 0
        text = """
not indented
"""
        n = len(text)


def test_config_scope_indented_with_string_at_column_zero():
    scope = ConfigScope(ScopesInAClass.indented)
    assert scope(preset={"self": None}) == {"text": "\nnot indented\n", "n": 14, "self": None}
    assert scope.docs == {"text": "a doc above a string at column 0"}


def test_config_scope_does_not_import_numpy_itself(tmp_path):
    script = tmp_path / "plain_exp.py"
    script.write_text("def cfg():\n    a = (1, 2)\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import plain_exp; "
            "from core.config.scope import ConfigScope; "
            "assert ConfigScope(plain_exp.cfg)() == {'a': [1, 2]}; "
            "assert 'numpy' not in sys.modules, 'numpy was imported'")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)


def test_config_scope_keeps_the_modules_future_imports():
    def cfg():
        def typed(x: NotDefinedAnywhere) -> int:  # noqa: F821 - lazy under "from __future__ import annotations"
            return 1

        value = typed(0)

    assert ConfigScope(cfg)()["value"] == 1


def test_config_scope_fixed_dict_keeps_fixed_keys_through_dict_methods():
    def cfg():
        opts = {"lr": 0.1, "free": 1, "other": 2}
        popped = opts.pop("lr")
        default = opts.setdefault("lr", 9)
        opts.popitem()
        opts |= {"lr": 0.7, "added": 3}
        kept = dict(opts)
        opts.clear()

    result = ConfigScope(cfg)(fixed={"opts": {"lr": 0.5}})
    assert result["popped"] == 0.5 and result["default"] == 0.5
    assert result["kept"] == {"lr": 0.5, "free": 1, "added": 3}
    assert result["opts"] == {"lr": 0.5}
