"""Provides ``ConfigScope``: what ``@ex.config`` / ``@ex.named_config`` turn a function into.

The function is never called: its body is read and checked at decoration time, compiled once when
first evaluated, and each evaluation runs that body with updates fixed. Every local the body leaves
becomes a config entry, as in Sacred: values, but also functions, lambdas, classes, objects and imported
modules. Unlike Sacred, comprehensions, generator expressions, lambdas and nested functions may use
earlier entries, because the body runs as a real function body.
"""
from __future__ import annotations

import ast
import os
import types
from functools import cached_property
from typing import Any, Callable, Mapping

from core.config.config_dict import ConfigDict, ConfigResult, finish_result
from core.config.fixing import FixedValues
from core.config.summary import SEED_DOC
from core.config.scope_compile import INTERNAL_NAMES, CompiledScope, compile_scope
from core.config.scope_docs import extract_docs
from core.config.scope_source import body_docstring, read_scope_source
from core.errors import ConfigError

__all__ = ["ConfigDict", "ConfigResult", "ConfigScope", "ScopeArgumentError"]

class ScopeArgumentError(ConfigError, KeyError):
    """A config scope's parameter has no value: nothing earlier, no update and no fallback provides it."""

    PRINT_TRACEBACK = False


class ConfigScope:
    """A config scope: a function whose body, run with updates fixed, defines config entries.

    Attributes:
        func: the decorated function (kept for its name, docstring and module globals).
        arg_names: the function's parameters, filled from fixed, preset or fallback values by name.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        source = read_scope_source(func)
        self._source = source
        self.func = func
        self.arg_names: list[str] = source.arg_names
        self.__name__ = func.__name__
        self.__qualname__ = getattr(func, "__qualname__", func.__name__)
        self.__module__ = getattr(func, "__module__", __name__)
        self.__doc__ = func.__doc__
        self._where = source.where()
        self._location = f"{os.path.basename(source.filename)}:{source.node.lineno}"
        self._has_docstring = _docstring(source.node.body) is not None

    @cached_property
    def docs(self) -> dict[str, str]:
        """Assigned name -> the comment documenting it (read on first use)."""
        return extract_docs(self._source)

    @cached_property
    def _docstring(self) -> str | None:
        """The ``__doc__`` entry: the docstring as Sacred reads it, from the body run as module code."""
        return body_docstring(self._source)

    @cached_property
    def _compiled(self) -> CompiledScope:
        """The rewritten body, compiled on first evaluation (unused named configs never pay for it)."""
        return compile_scope(self._source)

    def __call__(self, fixed: Mapping[str, Any] | None = None, preset: Mapping[str, Any] | None = None,
                 fallback: Mapping[str, Any] | None = None) -> ConfigResult:
        """Run the body and return its entries with the summary relative to ``fixed``.

        Args:
            fixed: values that win over what the body assigns (dicts are merged into, deeply).
            preset: values of earlier config sources: readable by name and filled in where the body is silent.
            fallback: read-only names (sub-ingredient configs, ``_log``); never entries themselves.

        Raises:
            ScopeArgumentError: a parameter of the function has no value anywhere.
        """
        preset = {key: _copy_containers(value) for key, value in (preset or {}).items()}
        fallback = dict(fallback or {})
        fixing = FixedValues(fixed, fallback, preset)
        views = fixing.views()
        arguments = {name: self._argument(name, fixing, views, preset, fallback) for name in self.arg_names}
        namespace = dict(self.func.__globals__)
        namespace.update(_closure_values(self.func))
        namespace.update(fallback)
        namespace.update(preset)
        namespace.update(views)
        body = types.FunctionType(self._compiled.code, namespace, self.__name__)
        local_values: dict[str, Any] = body(fixing.fix, {**preset, **views}, locals, **arguments)
        return finish_result(self._entries(local_values, fixing), fixing, preset, self._result_docs, views)

    def _result_docs(self) -> dict[str, str]:
        """The docs of an evaluation: the comment docs, and Sacred's doc for ``seed`` (whatever the comment)."""
        return {**self.docs, "seed": SEED_DOC}

    def _argument(self, name: str, fixing: FixedValues, views: dict[str, Any], preset: dict[str, Any],
                  fallback: dict[str, Any]) -> Any:
        """The value of parameter ``name``: the preset value with fixed values applied (a dict sees both),
        else the fixed value, else the fallback."""
        if name in preset:
            return fixing.fix(name, preset[name])
        for values in (views, fallback):
            if name in values:
                return values[name]
        available = sorted({*views, *preset, *fallback}, key=str)
        raise ScopeArgumentError(
            f'"{name}" not in preset for ConfigScope "{self.__name__}". Available: {available}. '
            f"A parameter of config scope {self._where} must be set by an earlier config of the same "
            "ingredient or by an update, or name a sub-ingredient or _log."
        )

    def _entries(self, local_values: dict[str, Any], fixing: FixedValues) -> dict[str, Any]:
        """The body's locals that are config entries, in the order the body first bound them."""
        entries: dict[str, Any] = {}
        if self._has_docstring and "__doc__" not in local_values:
            entries["__doc__"] = fixing.fix("__doc__", self._docstring)
        for name in [*fixing.order, *local_values]:
            if name in local_values and name not in entries and name not in INTERNAL_NAMES:
                entries[name] = local_values[name]
        return entries

    def __repr__(self) -> str:
        return f"<ConfigScope {self.__name__}({', '.join(self.arg_names)}) at {self._location}>"


def _docstring(body: list[ast.stmt]) -> str | None:
    """The body's leading string literal, as written."""
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.value.value
    return None


def _closure_values(func: Callable[..., Any]) -> dict[str, Any]:
    """Variables of enclosing functions the scope reads (a scope defined inside a function or a test)."""
    closure = getattr(func, "__closure__", None) or ()
    values = {}
    for name, cell in zip(func.__code__.co_freevars, closure):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # the enclosing function has not assigned it (yet)
            continue
    return values


def _copy_containers(value: Any) -> Any:
    """A copy of nested dicts and lists (so the body cannot change an earlier source's result)."""
    if isinstance(value, dict):
        return {key: _copy_containers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_containers(item) for item in value]
    return value
