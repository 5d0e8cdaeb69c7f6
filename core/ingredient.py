"""Provides ``Ingredient``: a reusable part of an experiment with its own config, functions and commands.

Decorators only register things: no I/O, no probes, so importing a script stays cheap.
"""
from __future__ import annotations

import inspect
import os
import re
import sys
from collections import OrderedDict
from typing import Any, Callable, Iterator

from core.capture import capture as make_captured
from core.errors import CircularDependencyError


_PEP440_VERSION = re.compile(r"(\d+!)?\d[\d.]*(?<=\d)((a|b|c|rc)\d+)?(\.post\d+)?(\.dev\d+)?\Z")
"""The versions Sacred accepts for ``add_package_dependency``: epoch, release, pre, post and dev parts."""


def _caller_globals(depth: int) -> dict:
    frame = sys._getframe(depth + 1)
    return frame.f_globals


class Ingredient:
    """A named component holding config scopes, named configs, captured functions and commands."""

    def __init__(self, path: str, ingredients: tuple | list = (), interactive: bool = False,
                 base_dir: str | None = None, save_git_info: bool = True, _caller_depth: int = 1) -> None:
        self.path = path
        self.ingredients = list(ingredients)
        self.interactive = interactive
        self.save_git_info = save_git_info
        self.configurations: list[Any] = []
        self.named_configs: dict[str, Any] = OrderedDict()
        self.captured_functions: list[Callable] = []
        self.commands: dict[str, Callable] = OrderedDict()
        self.pre_run_hooks: list[Callable] = []
        self.post_run_hooks: list[Callable] = []
        self.config_hooks: list[Callable] = []
        self.extra_sources: set[str] = set()
        self.extra_dependencies: dict[str, str] = {}
        caller_globals = _caller_globals(_caller_depth)
        # What the defining module had imported by now decides the sources and dependencies, as in Sacred
        # (which scans right here); a shallow copy is cheap, the scan itself waits until a run needs it.
        self._caller_globals = dict(caller_globals)
        self.doc = caller_globals.get("__doc__")
        main_file = caller_globals.get("__file__")
        if main_file is None and not interactive:
            raise RuntimeError("No main-file found. Are you running in interactive mode? "
                               "If so please provide a name and set interactive=True.")
        self.mainfile_abs = os.path.abspath(main_file) if main_file else None
        if base_dir is None:
            base_dir = os.path.dirname(self.mainfile_abs) if self.mainfile_abs else os.getcwd()
        self.base_dir = os.path.abspath(base_dir)
        self.mainfile = (os.path.relpath(self.mainfile_abs, self.base_dir) if self.mainfile_abs else None)

    # ------------------------------------------------------------------ decorators
    def capture(self, function: Callable | None = None, prefix: str | None = None) -> Callable:
        """Decorator: fill the function's missing arguments from this ingredient's config."""
        if function is None:
            return lambda f: self.capture(f, prefix=prefix)
        if function in self.captured_functions:
            return function
        captured = make_captured(function, prefix=prefix)
        if captured not in self.captured_functions:
            self.captured_functions.append(captured)
        return captured

    def pre_run_hook(self, func: Callable | None = None, prefix: str | None = None) -> Callable:
        """Decorator: run this captured function before the command (in definition order)."""
        if func is None:
            return lambda f: self.pre_run_hook(f, prefix=prefix)
        captured = self.capture(func, prefix=prefix)
        self.pre_run_hooks.append(captured)
        return captured

    def post_run_hook(self, func: Callable | None = None, prefix: str | None = None) -> Callable:
        """Decorator: run this captured function after the command returned."""
        if func is None:
            return lambda f: self.post_run_hook(f, prefix=prefix)
        captured = self.capture(func, prefix=prefix)
        self.post_run_hooks.append(captured)
        return captured

    def command(self, function: Callable | None = None, prefix: str | None = None,
                unobserved: bool = False) -> Callable:
        """Decorator: make the function a command runnable as ``script.py NAME``."""
        if function is None:
            return lambda f: self.command(f, prefix=prefix, unobserved=unobserved)
        captured = self.capture(function, prefix=prefix)
        captured.unobserved = unobserved  # type: ignore[attr-defined]
        self.commands[function.__name__] = captured
        return captured

    def config(self, function: Callable) -> Any:
        """Decorator: a config scope; every local variable of its body becomes a config entry."""
        from core.config.scope import ConfigScope
        scope = ConfigScope(function)
        self.configurations.append(scope)
        return scope

    def named_config(self, func: Callable) -> Any:
        """Decorator: a config scope applied only when named (``with NAME``)."""
        from core.config.scope import ConfigScope
        scope = ConfigScope(func)
        self._add_named_config(func.__name__, scope)
        return scope

    def config_hook(self, func: Callable) -> Callable:
        """Decorator: ``hook(config, command_name, logger) -> dict`` merged into this ingredient's config."""
        argspec = inspect.getfullargspec(func)
        if argspec.args != ["config", "command_name", "logger"] or argspec.defaults:
            raise ValueError("Wrong signature for config_hook. Expected: (config, command_name, logger)")
        self.config_hooks.append(func)
        return func

    # ------------------------------------------------------------------ config sources
    def add_config(self, cfg_or_file: Any = None, **kw_conf: Any) -> None:
        """Add a config dict, keyword entries, or a config file (.json, .yaml/.yml, .pickle)."""
        self.configurations.append(_create_config_dict(cfg_or_file, kw_conf))

    def add_named_config(self, name: str, cfg_or_file: Any = None, **kw_conf: Any) -> None:
        """Add a named config from a dict, keyword entries, or a config file."""
        self._add_named_config(name, _create_config_dict(cfg_or_file, kw_conf))

    def _add_named_config(self, name: str, conf: Any) -> None:
        if name in self.named_configs:
            raise KeyError(f'Configuration name "{name}" already in use!')
        self.named_configs[name] = conf

    def add_source_file(self, filename: str) -> None:
        """Record an extra source file for every run."""
        if not os.path.isfile(filename):
            raise ValueError(f'invalid filename or file not found "{filename}"')
        self.extra_sources.add(os.path.abspath(filename))

    def add_package_dependency(self, package_name: str, version: str) -> None:
        """Record an extra package dependency for every run."""
        if not isinstance(version, str) or not _PEP440_VERSION.match(version):
            raise ValueError(f'Invalid Version: "{version}" (expected a PEP 440 version such as 1.2, 2.0rc1, '
                             '1.0.post2 or 1.0.dev3)')
        self.extra_dependencies[package_name] = version

    # ------------------------------------------------------------------ traversal
    def traverse_ingredients(self) -> Iterator[tuple["Ingredient", int]]:
        """Yield ``(ingredient, depth)`` pre-order, this ingredient first; detects cycles."""
        yield from self._traverse((), 0)

    def _traverse(self, seen: tuple, depth: int) -> Iterator[tuple["Ingredient", int]]:
        if self in seen:
            chain = "->".join(i.path for i in seen + (self,))
            raise CircularDependencyError(f"Circular dependency detected:{chain}")
        yield self, depth
        for ingredient in self.ingredients:
            yield from ingredient._traverse(seen + (self,), depth + 1)

    def gather_commands(self) -> Iterator[tuple[str, Callable]]:
        """Yield ``(full dotted name, function)`` for the commands of this ingredient and its sub-ingredients."""
        for ingredient, _ in self.traverse_ingredients():
            for name, func in ingredient.commands.items():
                yield self.post_process_name(_join(ingredient.path, name), ingredient), func

    def gather_named_configs(self) -> Iterator[tuple[str, Any]]:
        """Yield ``(full dotted name, config)`` for the named configs of this ingredient and its sub-ingredients."""
        for ingredient, _ in self.traverse_ingredients():
            for name, conf in ingredient.named_configs.items():
                yield self.post_process_name(_join(ingredient.path, name), ingredient), conf

    def post_process_name(self, name: str, ingredient: "Ingredient") -> str:
        """Override to change how gathered commands and named configs are named (Sacred's hook)."""
        return name

    def path_for(self, root: "Ingredient") -> str:
        """The path under which this ingredient's config lives (the root experiment has ``""``)."""
        return "" if self is root else self.path

    @property
    def sources(self) -> set:
        """The ingredient's source files (``Source`` objects), found when read."""
        from core import host
        found, _ = host.gather_sources_and_dependencies(self._caller_globals, self.base_dir, self.mainfile_abs)
        return set(found) | {host.Source.create(name, save_git_info=False) for name in self.extra_sources}

    @property
    def dependencies(self) -> set:
        """The packages the ingredient uses (``PackageDependency`` objects), found when read."""
        from core import host
        _, found = host.gather_sources_and_dependencies(self._caller_globals, self.base_dir, self.mainfile_abs)
        return set(found) | {host.PackageDependency(name, version)
                             for name, version in self.extra_dependencies.items()}

    def get_experiment_info(self) -> dict:
        """Sacred's ``experiment`` record: name, base_dir, mainfile, sources, dependencies, repositories."""
        from core.run_info import experiment_info_for
        return experiment_info_for(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path!r}>"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _create_config_dict(config: Any, kw_config: dict) -> Any:
    from core.config.scope import ConfigDict
    if config is not None and kw_config:
        raise ValueError("cannot combine keyword config with positional argument")
    if config is None:
        if not kw_config:
            raise ValueError("attempted to add empty config")
        return ConfigDict(kw_config)
    if isinstance(config, dict):
        return ConfigDict(config)
    if isinstance(config, (str, os.PathLike)):
        from core.config.loaders import load_config_file
        if not os.path.exists(config):
            raise OSError(f"File not found {config}")
        return ConfigDict(load_config_file(config))
    raise TypeError(f"Invalid argument type {type(config)}")
