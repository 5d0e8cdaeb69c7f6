"""Tests for what ConfigScope reads at decoration time: comment docs and refused function shapes."""
from __future__ import annotations

import pytest

from core.config.scope import ConfigScope
from core.errors import ConfigError
from core.settings import SETTINGS


def test_docs_inline_and_above_with_blank_lines():
    def cfg():
        a = 1  # inline doc

        # doc above, blank line between

        b = 2
        # doc directly above
        c = 3

    assert ConfigScope(cfg).docs == {"a": "inline doc", "b": "doc above, blank line between",
                                     "c": "doc directly above"}


def test_docs_code_line_stops_the_search():
    def cfg():
        # belongs to nothing below the code line
        x = 1
        y = 2

    assert ConfigScope(cfg).docs == {"x": "belongs to nothing below the code line"}


def test_docs_only_the_nearest_comment_line_is_used():
    def cfg():
        # first line
        # second line
        a = 1

    assert ConfigScope(cfg).docs == {"a": "second line"}


def test_docs_inside_compound_statements():
    def cfg():
        flag = True
        if flag:
            a = 1  # in if
        else:
            # in else
            b = 2
        for i in range(1):
            c = i  # in for
        try:
            d = 4  # in try
        except ValueError:
            e = 5  # in except
        with open(__file__) as handle:
            f = 6  # in with

    assert ConfigScope(cfg).docs == {"a": "in if", "b": "in else", "c": "in for", "d": "in try",
                                     "e": "in except", "f": "in with"}


def test_docs_tuple_chained_annotated_and_augmented_targets():
    def cfg():
        a, (b, *c) = 1, (2, 3)  # unpacked
        d = e = 0  # chained
        g: int = 1  # annotated

    assert ConfigScope(cfg).docs == {"a": "unpacked", "b": "unpacked", "c": "unpacked", "d": "chained",
                                     "e": "chained", "g": "annotated"}


def test_docs_first_documented_assignment_wins():
    def cfg():
        a = 1
        a = 2  # second
        a = 3  # third

    assert ConfigScope(cfg).docs == {"a": "second"}


def test_docs_skip_ignored_comments():
    def cfg():
        a = 1  # pylint: disable=invalid-name
        # real doc
        # noinspection PyUnusedLocal
        b = 2
        c = 3  # noinspection PyShadowingNames

    assert ConfigScope(cfg).docs == {"b": "real doc"}


def test_docs_follow_ignored_comments_setting(monkeypatch):
    monkeypatch.setitem(SETTINGS.CONFIG, "IGNORED_COMMENTS", ["^skip"])

    def cfg():
        a = 1  # skip me
        b = 2  # pylint: kept

    assert ConfigScope(cfg).docs == {"b": "pylint: kept"}


def test_docs_ignore_nested_functions_classes_and_the_def_line():
    def cfg(a,  # a comment on a parameter line
            b,):  # comment on the def line
        c = a + b

        def helper():
            d = 1  # not a config doc
            return d

        class Holder:
            e = 2  # not a config doc either

    scope = ConfigScope(cfg)
    assert scope.docs == {}
    result = scope(preset={"a": 1, "b": 2})
    assert {key: result[key] for key in ("a", "b", "c")} == {"c": 3, "a": 1, "b": 2}
    assert result.docs == {"seed": "the random seed for this experiment"}  # Sacred's doc of seed, always


def test_docs_of_entries_only_in_result():
    def cfg():
        # the mode
        mode = "x"
        import os  # a module: an entry, but an import is not an assignment with a doc
        # a helper function
        helper = len

    scope = ConfigScope(cfg)
    result = scope(fixed={"extra": 1})
    assert sorted(result) == ["extra", "helper", "mode", "os"]
    assert result.docs == {"mode": "the mode", "helper": "a helper function",
                           "seed": "the random seed for this experiment"}
    assert ConfigScope(cfg).docs == {"mode": "the mode", "helper": "a helper function"}


def test_docs_multiline_assignment_uses_first_line_and_hash_in_strings_is_not_a_comment():
    def cfg():
        opts = {  # options dict
            "a": 1,  # not a doc for opts
        }
        text = "# not a comment"
        after = 1

    assert ConfigScope(cfg).docs == {"opts": "options dict"}


@pytest.mark.parametrize("statement, word", [
    ("return 3", "return"),
    ("x = yield 1", "yield"),
    ("yield from []", "yield from"),
])
def test_return_and_yield_are_refused_with_file_and_line(tmp_path, monkeypatch, statement, word):
    module = tmp_path / "exp_with_return.py"
    module.write_text(f"\n\ndef cfg():\n    a = 1\n    if a:\n        {statement}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    imported = importlib.import_module("exp_with_return")
    try:
        with pytest.raises(ConfigError) as info:
            ConfigScope(imported.cfg)
    finally:
        import sys
        sys.modules.pop("exp_with_return", None)
    assert str(info.value) == (f"Config scope \"cfg\" (exp_with_return.py, line 6) must not contain '{word}': "
                               "a config scope's body is run as a block of statements.")


def test_return_inside_nested_function_and_lambda_is_allowed():
    def cfg():
        def helper():
            yield 1
            return 2

        values = list(helper())
        pick = (lambda: (yield))  # noqa: E731

    result = ConfigScope(cfg)()
    assert result["values"] == [1] and sorted(result) == ["helper", "pick", "values"]


def test_star_args_kwargs_and_defaults_are_refused():
    def with_args(*args):
        a = 1

    def with_kwargs(a, **options):
        b = 1

    def with_default(a, b=2, *, c=3):
        d = 1

    line = with_args.__code__.co_firstlineno
    with pytest.raises(ConfigError) as info:
        ConfigScope(with_args)
    assert str(info.value) == (f'Config scope "with_args" (test_config_scope_docs.py, line {line}) must not take '
                               '*args: its parameters are filled by name from earlier config entries. '
                               'Remove "*args".')
    with pytest.raises(ConfigError, match=r'must not take \*\*kwargs.*Remove "\*\*options"'):
        ConfigScope(with_kwargs)
    with pytest.raises(ConfigError, match=r"must not give its parameters default values \(given: b=2, c=3\)"):
        ConfigScope(with_default)


def test_not_a_def_function_is_refused():
    with pytest.raises(ConfigError, match=r'got a lambda'):
        ConfigScope(lambda: None)
    with pytest.raises(ConfigError, match=r"got dict: \{'a': 1\}\. Use add_config\(\) / add_named_config\(\)"):
        ConfigScope({"a": 1})  # type: ignore[arg-type]

    async def cfg():
        a = 1

    with pytest.raises(ConfigError, match=r'must be a plain "def" function, not "async def"'):
        ConfigScope(cfg)


def test_source_that_cannot_be_read_is_refused():
    namespace: dict = {}
    exec("def cfg():\n    a = 1\n", namespace)
    with pytest.raises(ConfigError, match=r'Cannot read the source code of config scope "cfg" \(<string>, line 1\)'):
        ConfigScope(namespace["cfg"])


def test_keyword_only_and_positional_only_parameters_are_filled_by_name():
    def cfg(a, /, b, *, c):
        total = a + b + c

    scope = ConfigScope(cfg)
    assert scope.arg_names == ["a", "b", "c"]
    assert scope(preset={"a": 1, "b": 2, "c": 3})["total"] == 6
