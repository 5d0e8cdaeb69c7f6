"""Provides ``assemble_config``: from ingredients, named configs and updates to one final config.

Order (low to high precedence): config scopes and dicts (in definition order) < config hooks < named
configs (in the order given) < explicit updates. Each ingredient's config lives under its path.
"""
from __future__ import annotations

import copy
import logging
import os
import random
from dataclasses import dataclass, field
from typing import Any

from core.config.summary import ConfigSummary, prefixed
from core.config.updates import (convert_to_nested_dict, get_by_dotted_path, iterate_flattened,
                                 path_prefixes, recursive_update, set_by_dotted_path)
from core.errors import ConfigAddedError, ConfigFileNotFoundError, InvalidConfigError, NamedConfigNotFoundError


@dataclass
class Scaffold:
    """One ingredient's part of the config while it is being assembled."""

    ingredient: Any
    path: str
    depth: int
    explicit: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    summary: ConfigSummary = field(default_factory=ConfigSummary)
    subs: list["Scaffold"] = field(default_factory=list)
    logger: logging.Logger = field(default_factory=logging.getLogger)

    @property
    def updates(self) -> dict:
        """Named-config values overridden by explicit updates, in Sacred's key order: the explicit updates
        first, then what the named configs add (sorted), as a dict's order decides where new keys go."""
        updates = copy.deepcopy(self.explicit)
        for key, value in iterate_flattened(self.named):
            if not _reaches_explicit(self.explicit, key):
                set_by_dotted_path(updates, key, copy.deepcopy(value))
        return updates

    def relative_path(self, sub: "Scaffold") -> str:
        if self.path and sub.path.startswith(self.path + "."):
            return sub.path[len(self.path) + 1:]
        return sub.path


@dataclass
class AssembledConfig:
    """The outcome: the final config, its summary, and the per-ingredient scaffolds."""

    config: dict
    summary: ConfigSummary
    scaffolds: list[Scaffold]
    root: Scaffold

    def function_config(self, scaffold: Scaffold) -> dict:
        """The config a captured function of ``scaffold``'s ingredient sees."""
        if scaffold is self.root:
            return self.config
        own = copy.copy(get_by_dotted_path(self.config, scaffold.path, {}) or {})
        for sub in _transitive_subs(scaffold):
            rel = scaffold.relative_path(sub)
            if get_by_dotted_path(own, rel) is None:
                set_by_dotted_path(own, rel, sub.config)
        return own


def _reaches_explicit(explicit: dict, dotted_key: str) -> bool:
    """Whether an explicit update sets ``dotted_key`` or a non-dict on its way (the explicit update wins)."""
    node: Any = explicit
    for part in dotted_key.split("."):
        if not isinstance(node, dict):
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def _transitive_subs(scaffold: Scaffold) -> list[Scaffold]:
    result = []
    for sub in scaffold.subs:
        result.append(sub)
        result.extend(_transitive_subs(sub))
    return result


def build_scaffolds(experiment: Any) -> tuple[Scaffold, dict[str, Scaffold]]:
    """One scaffold per ingredient (paths must be unique), linked to their sub-ingredients."""
    by_ingredient: dict[int, Scaffold] = {}
    by_path: dict[str, Scaffold] = {}
    for ingredient, depth in experiment.traverse_ingredients():
        if id(ingredient) in by_ingredient:
            by_ingredient[id(ingredient)].depth = max(by_ingredient[id(ingredient)].depth, depth)
            continue
        path = ingredient.path_for(experiment)
        if path in by_path:
            raise ValueError(f'Two ingredients share the path "{path}"; ingredient paths must be unique.')
        scaffold = Scaffold(ingredient, path, depth)
        by_ingredient[id(ingredient)] = scaffold
        by_path[path] = scaffold
    for scaffold in by_path.values():
        scaffold.subs = [by_ingredient[id(sub)] for sub in scaffold.ingredient.ingredients]
    return by_path[""], by_path


def _route(by_path: dict[str, Scaffold], dotted_key: str) -> tuple[Scaffold, str]:
    """The scaffold owning ``dotted_key`` (longest matching ingredient path) and the key relative to it."""
    best = by_path[""]
    for path, scaffold in by_path.items():
        if path and (dotted_key.startswith(path + ".")) and len(path) > len(best.path):
            best = scaffold
    return best, dotted_key[len(best.path) + 1:] if best.path else dotted_key


def _distribute(by_path: dict[str, Scaffold], updates: dict, attribute: str, base: str = "") -> None:
    for key, value in iterate_flattened(updates):
        full = f"{base}.{key}" if base else key
        scaffold, rel = _route(by_path, full)
        set_by_dotted_path(getattr(scaffold, attribute), rel, value)


def _find_named_config(name: str, by_path: dict[str, Scaffold], experiment: Any) -> tuple[Scaffold, Any]:
    from core.config.loaders import is_config_file_name, load_config_file
    from core.config.scope import ConfigDict
    if os.path.isfile(name):
        return by_path[""], ConfigDict(load_config_file(name))
    path, _, conf_name = name.rpartition(".")
    scaffold = by_path.get(path)
    if scaffold is not None and conf_name in scaffold.ingredient.named_configs:
        return scaffold, scaffold.ingredient.named_configs[conf_name]
    if is_config_file_name(name):
        raise ConfigFileNotFoundError(f'Config file "{name}" does not exist (looked in {os.getcwd()}).')
    available = [n for n, _ in experiment.gather_named_configs()]
    import difflib
    close = difflib.get_close_matches(name, available, n=1)
    raise NamedConfigNotFoundError(name, available_named_configs=available, suggestion=close[0] if close else None)


def assemble_config(experiment: Any, command_name: str | None, config_updates: dict | None,
                    named_configs: list[str] | tuple = (), logger: logging.Logger | None = None,
                    force: bool = False) -> AssembledConfig:
    """Run every config source in precedence order; warn or raise about suspicious updates."""
    root, by_path = build_scaffolds(experiment)
    logger = logger or logging.getLogger()
    for scaffold in by_path.values():
        scaffold.logger = logger.getChild(scaffold.path) if scaffold.path else logger
    _distribute(by_path, convert_to_nested_dict(config_updates or {}), "explicit")
    for name in named_configs:
        scaffold, conf = _find_named_config(name, by_path, experiment)
        result = conf(fixed=scaffold.explicit, preset=scaffold.named, fallback={"_log": scaffold.logger})
        _distribute(by_path, dict(result), "named", base=scaffold.path)
    ordered = sorted(by_path.values(), key=lambda s: -s.depth)
    assembled = AssembledConfig({}, ConfigSummary(), ordered, root)
    hook_logger = logger.getChild(experiment.path)
    for scaffold in ordered:
        _set_up_scaffold(scaffold, assembled, command_name, hook_logger)
    _finish_root_seed(root)
    config = copy.copy(root.config)
    for scaffold in ordered:
        if scaffold is not root and scaffold.config:  # an ingredient without config is not shown as {}
            set_by_dotted_path(config, scaffold.path, scaffold.config)
    assembled.config = config
    summary = ConfigSummary(config=config)
    for scaffold in ordered:
        part = scaffold.summary
        summary.added |= prefixed(part.added, scaffold.path)
        summary.modified |= prefixed(part.modified, scaffold.path)
        summary.typechanged.update(prefixed(part.typechanged, scaffold.path))
        summary.doc_sources.append(lambda part=part, path=scaffold.path: _ingredient_docs(part.docs, path))
    assembled.summary = summary
    _check_updates(assembled, force)
    return assembled


def _set_up_scaffold(scaffold: Scaffold, assembled: AssembledConfig, command_name: str | None,
                     logger: logging.Logger) -> None:
    updates = scaffold.updates
    fallback: dict = {"_log": scaffold.logger}
    for sub in scaffold.subs:
        set_by_dotted_path(fallback, scaffold.relative_path(sub), sub.config)
    config: dict = {}
    results = []
    for conf in scaffold.ingredient.configurations:
        result = conf(fixed=updates, preset=config, fallback=fallback)
        results.append(result)
        config.update(result)  # a source's result holds the preset filled in: its dicts replace, keeping its order
    if not results:
        config = copy.deepcopy(updates)
    for hook in scaffold.ingredient.config_hooks:
        so_far = copy.deepcopy(_config_so_far(assembled, scaffold, config))
        hook_result = hook(config=so_far, command_name=command_name, logger=logger)
        if hook_result:
            config = recursive_update(config, hook_result)
            config = recursive_update(config, copy.deepcopy(updates))
    scaffold.config = config
    scaffold.summary = _combine_summaries(results, updates, config)


def _ingredient_docs(docs: dict[str, str], path: str) -> dict[str, str]:
    """Docs under the ingredient's path; the seed doc is the experiment's only (as in Sacred)."""
    if not path:
        return docs
    return prefixed({key: doc for key, doc in docs.items() if key != "seed"}, path)


def _config_so_far(assembled: AssembledConfig, current: Scaffold, config: dict) -> dict:
    result: dict = {}
    for scaffold in assembled.scaffolds:
        if scaffold is current:
            break
        set_by_dotted_path(result, scaffold.path, scaffold.config)
    if current.path:
        set_by_dotted_path(result, current.path, config)
    else:
        result = recursive_update(result, config)
    return result


def _combine_summaries(results: list, updates: dict, config: dict) -> ConfigSummary:
    summary = ConfigSummary(config=config, doc_sources=[lambda r=r: getattr(r, "docs", {}) for r in results])
    if results:
        added_sets = [set(getattr(r, "added", set())) for r in results]
        summary.added = set.intersection({key for key, _ in iterate_flattened(updates)}, *added_sets)
        for r in results:
            summary.modified |= set(getattr(r, "modified", set()))
            summary.typechanged.update(getattr(r, "typechanged", {}))
    else:
        summary.added = {key for key, _ in iterate_flattened(updates)}
    summary.modified -= summary.added
    return summary


def _finish_root_seed(root: Scaffold) -> None:
    config = root.config
    if "seed" not in config:
        config["seed"] = random.randint(1, 10**9)
    elif not isinstance(config["seed"], int) or isinstance(config["seed"], bool):
        raise InvalidConfigError(f"The config entry \"seed\" must be an integer, got {config['seed']!r}.",
                                 print_traceback=False)
    if "seed" in root.summary.added:
        root.summary.added.discard("seed")
        root.summary.modified.add("seed")


def _used_names(scaffold: Scaffold) -> tuple[set[str], bool]:
    """Dotted keys the ingredient's captured functions take (built-in commands included, as in Sacred),
    plus ``__doc__``; and whether one of them reads the whole config through ``_config``."""
    names: set[str] = {"__doc__"}
    reads_everything = False
    for func in scaffold.ingredient.captured_functions:
        prefix = getattr(func, "prefix", None)
        signature = getattr(func, "signature", None)
        if signature is None:
            continue
        if "_config" in signature.names and not getattr(func, "builtin", False):
            if prefix:
                names.add(prefix)
            else:
                reads_everything = True
        for name in signature.names:
            names.add(f"{prefix}.{name}" if prefix else name)
    return names, reads_everything


def _is_used(key: str, used: set[str]) -> bool:
    """Whether ``key`` or one of its parents is a parameter of a captured function (Sacred's rule)."""
    return key in used or any(prefix in used for prefix in path_prefixes(key))


def _check_updates(assembled: AssembledConfig, force: bool) -> None:
    """Sacred's warnings about suspicious updates, or the error for unused ones; nothing at all with force."""
    if force:
        return
    unused: list[str] = []
    for scaffold in assembled.scaffolds:
        used, reads_everything = _used_names(scaffold)
        for key in sorted(scaffold.summary.added):
            full = f"{scaffold.path}.{key}" if scaffold.path else key
            if reads_everything or _is_used(key, used):
                scaffold.logger.warning('Added new config entry: "%s"', key)
            else:
                unused.append(full)
        for key, (old, new) in sorted(scaffold.summary.typechanged.items()):
            if {old, new} <= {int, float}:
                continue
            scaffold.logger.warning('Changed type of config entry "%s" from %s to %s', key, old.__name__,
                                    new.__name__)
    if unused:
        raise _added_error(unused, assembled.config)


def _added_error(unused: list[str], config: dict) -> ConfigAddedError:
    import difflib
    known = [k for k, _ in iterate_flattened(config) if k not in unused]
    hints = []
    for key in unused:
        close = difflib.get_close_matches(key, known, n=1)
        if close:
            hints.append(f' For "{key}", did you mean "{close[0]}"?')
    message = "Added new config entry that is not used anywhere." + "".join(hints) + " (-f/--force adds it anyway)"
    return ConfigAddedError(message, conflicting_configs=unused, config=config)
