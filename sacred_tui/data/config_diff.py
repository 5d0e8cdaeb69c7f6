"""Provides diff_config: which config entries of a stored run differ from the experiment's defaults.

A runs folder does not store an experiment's defaults, only each run's final config and what was
asked for on the command line (`meta.config_updates`, `meta.named_configs`). The defaults are
asked of the script itself when it can answer (`diff_against_defaults`, see
sacred_tui.data.defaults_probe). When it cannot, `diff_config` falls back to this rule, stated so
the view can be trusted:

* Without a baseline, every dotted key given in `meta.config_updates` is *modified*. Keys set by
  named configs are unknown (the view says so) and nothing can be *added* or *type changed*.
* With a baseline (the config of another run of the same script started without updates and
  without named configs, ideally from the same source files), each key given in
  `meta.config_updates` is compared with the baseline, like Sacred's config summary does: absent
  there -> *added*; different type (tuple = list, numpy scalar = Python scalar, a change from
  None is no type change) -> *type changed*; different value -> *modified*; same value -> unchanged.
  If the run used named configs, every other key whose value differs from the baseline (except
  `seed`) is attributed to them and classified the same way.
* As in Sacred, every parent of a changed key is *modified*.

Docs are the `__doc__` entries of the config (a scope's docstring) plus any docs passed in (for
example from a machine-readable config summary of the script).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ChangeKind", "ConfigDiff", "LeafLookup", "diff_against_defaults", "diff_config", "flatten_config",
           "value_type_name"]

DOC_KEY = "__doc__"


class ChangeKind(enum.Enum):
    """How a config entry relates to the defaults (Sacred's print_config categories)."""

    UNCHANGED = "unchanged"
    MODIFIED = "modified"
    ADDED = "added"
    TYPECHANGED = "typechanged"


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """Result of diff_config: change kind per dotted key (changed keys only), docs, and the basis."""

    kinds: Mapping[str, ChangeKind] = field(default_factory=dict)
    type_changes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    docs: Mapping[str, str] = field(default_factory=dict)
    basis: str = ""
    unattributed_named_configs: tuple[str, ...] = ()
    named: Mapping[str, str] = field(default_factory=dict)
    """Keys set by named configs -> the named config(s) that set them."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Changed keys -> their default value (when the defaults are known)."""
    from_defaults: bool = False
    """True when the comparison is against the experiment's defaults (from the script)."""

    def kind(self, key: str) -> ChangeKind:
        """Change kind of a dotted key (UNCHANGED when the key is not listed)."""
        return self.kinds.get(key, ChangeKind.UNCHANGED)

    @property
    def changed(self) -> bool:
        """True if any key is marked."""
        return bool(self.kinds)


def is_encoded_leaf(value: Mapping[str, Any]) -> bool:
    """True for jsonpickle-encoded objects (numpy values, tuples, sets...): values, not sub-configs."""
    return any(isinstance(key, str) and key.startswith("py/") for key in value)


def flatten_config(config: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, value) for every leaf; `__doc__` entries are skipped, empty dicts are leaves."""
    for key, value in config.items():
        if key == DOC_KEY:
            continue
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not is_encoded_leaf(value):
            yield from flatten_config(value, dotted + ".")
        else:
            yield dotted, value


class LeafLookup:
    """The leaves of a config by dotted key, as ``dict(flatten_config(config))`` has them, found by
    walking the path instead: a diff of a few given keys costs nothing for a config of a million
    entries (Sacred's config keys hold no dots, so each dotted key has one path)."""

    _MISSING = object()

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def _find(self, mapping: Mapping[str, Any], dotted: str) -> Any:
        if dotted != DOC_KEY and dotted in mapping:
            value = mapping[dotted]
            if not (isinstance(value, Mapping) and value and not is_encoded_leaf(value)):
                return value
        position = dotted.find(".")
        while position >= 0:
            head = dotted[:position]
            value = mapping.get(head, self._MISSING) if head != DOC_KEY else self._MISSING
            if isinstance(value, Mapping) and value and not is_encoded_leaf(value):
                found = self._find(value, dotted[position + 1:])
                if found is not self._MISSING:
                    return found
            position = dotted.find(".", position + 1)
        return self._MISSING

    def __contains__(self, dotted: object) -> bool:
        return isinstance(dotted, str) and self._find(self.config, dotted) is not self._MISSING

    def __getitem__(self, dotted: str) -> Any:
        found = self._find(self.config, dotted)
        if found is self._MISSING:
            raise KeyError(dotted)
        return found


def collect_docs(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Map dotted keys to the `__doc__` strings found in the config ('' is the root's doc)."""
    docs: dict[str, str] = {}
    doc = config.get(DOC_KEY)
    if isinstance(doc, str) and doc.strip():
        docs[prefix[:-1]] = doc.strip()
    for key, value in config.items():
        if key != DOC_KEY and isinstance(value, Mapping) and not is_encoded_leaf(value):
            docs.update(collect_docs(value, f"{prefix}{key}."))
    return docs


_NUMPY_SCALARS = {"float": "float", "int": "int", "uint": "int", "bool": "bool", "complex": "complex"}


def value_type_name(value: Any) -> str:
    """Type name after Sacred's normalisation: tuple is list, numpy scalars are Python scalars."""
    if isinstance(value, Mapping) and is_encoded_leaf(value):
        if "py/tuple" in value:
            return "list"
        if "py/set" in value:
            return "set"
        encoded = str(value.get("py/object", ""))
        if encoded == "numpy.ndarray":
            return "list"
        if encoded.startswith("numpy."):
            stem = encoded[len("numpy."):].rstrip("0123456789_")
            return _NUMPY_SCALARS.get(stem, encoded)
        return encoded or next(iter(value))
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "dict"
    return type(value).__name__


def _type_changed(old: Any, new: Any) -> bool:
    return old is not None and value_type_name(old) != value_type_name(new)


def diff_config(
    config: Mapping[str, Any],
    config_updates: Mapping[str, Any] | None,
    named_configs: Sequence[str] = (),
    baseline: Mapping[str, Any] | None = None,
    baseline_label: str = "",
    docs: Mapping[str, str] | None = None,
) -> ConfigDiff:
    """Classify the run's config entries against the defaults (see the module docstring for the rule).

    Args:
        config: The run's final config (config.json).
        config_updates: `meta.config_updates` (nested, as stored); None or {} when none were given.
        named_configs: `meta.named_configs`, in order.
        baseline: The config of a run of the same script without updates or named configs.
        baseline_label: How to name the baseline in the explanation, e.g. "run 7".
        docs: Extra docs per dotted key; they win over `__doc__` entries.
    """
    whole_scan = baseline is not None and bool(named_configs)
    flat: Any = dict(flatten_config(config)) if whole_scan else LeafLookup(config)
    requested = [key for key, _ in flatten_config(config_updates or {}) if key in flat]
    all_docs = collect_docs(config)
    all_docs.update(docs or {})
    kinds: dict[str, ChangeKind] = {}
    type_changes: dict[str, tuple[str, str]] = {}
    unattributed: tuple[str, ...] = ()
    if baseline is None:
        for key in requested:
            kinds[key] = ChangeKind.MODIFIED
        unattributed = tuple(named_configs)
        basis = "keys given on the command line (no run without updates to compare with)"
    else:
        defaults: Any = dict(flatten_config(baseline)) if whole_scan else LeafLookup(baseline)
        candidates = list(requested)
        if named_configs:
            candidates += [key for key in flat if key != "seed" and key not in requested
                           and (key not in defaults or defaults[key] != flat[key])]
        for key in candidates:
            value = flat[key]
            if key not in defaults:
                kinds[key] = ChangeKind.ADDED
            elif _type_changed(defaults[key], value):
                kinds[key] = ChangeKind.TYPECHANGED
                type_changes[key] = (value_type_name(defaults[key]), value_type_name(value))
            elif defaults[key] != value:
                kinds[key] = ChangeKind.MODIFIED
        basis = f"compared with {baseline_label or 'a baseline run'} (same script, no updates)"
    for key in list(kinds):
        parts = key.split(".")
        for depth in range(1, len(parts)):
            kinds.setdefault(".".join(parts[:depth]), ChangeKind.MODIFIED)
    return ConfigDiff(kinds=kinds, type_changes=type_changes, docs=all_docs, basis=basis,
                      unattributed_named_configs=unattributed)


def _leaf_marks(preview_entries: Mapping[str, Any], flat: Mapping[str, Any]) -> set[str]:
    """Leaf keys a print_config answer marks as added, modified or type changed."""
    return {key for key, marks in preview_entries.items() if key in flat and key != "seed"
            and (getattr(marks, "added", False) or getattr(marks, "modified", False)
                 or getattr(marks, "typechanged", None))}


def diff_against_defaults(
    config: Mapping[str, Any],
    config_updates: Mapping[str, Any] | None,
    defaults: Mapping[str, Any],
    *,
    named_entries: Mapping[str, Mapping[str, Any]] | None = None,
    unattributed: Sequence[str] = (),
    docs: Mapping[str, str] | None = None,
    origin: str = "the script",
) -> ConfigDiff:
    """Classify a run's config against the experiment's defaults, as Sacred's print_config does.

    The keys given on the command line and the keys the run's named configs set (known from
    print_config with each named config alone: ``named_entries`` maps a name to its entries) are
    compared with the default config: absent there -> *added*, another type -> *type changed*,
    another value -> *modified*. ``seed`` counts only when it was given. Keys the config computes
    from others (``sizes = [n * 2 for n in layers]``) are not marked, as in Sacred.
    """
    flat = LeafLookup(config)
    defaults_flat = LeafLookup(defaults)
    requested = [key for key, _ in flatten_config(config_updates or {}) if key in flat]
    named: dict[str, list[str]] = {}
    for name, entries in (named_entries or {}).items():
        for key in sorted(_leaf_marks(entries, flat) - set(requested)):  # updates win
            named.setdefault(key, []).append(name)
    kinds: dict[str, ChangeKind] = {}
    type_changes: dict[str, tuple[str, str]] = {}
    default_values: dict[str, Any] = {}
    for key in dict.fromkeys([*requested, *named]):
        value = flat[key]
        if key not in defaults_flat:
            kinds[key] = ChangeKind.ADDED
            continue
        default = defaults_flat[key]
        if _type_changed(default, value):
            kinds[key] = ChangeKind.TYPECHANGED
            type_changes[key] = (value_type_name(default), value_type_name(value))
        elif default != value:
            kinds[key] = ChangeKind.MODIFIED
        else:
            continue
        default_values[key] = default
    for key in list(kinds):
        parts = key.split(".")
        for depth in range(1, len(parts)):
            kinds.setdefault(".".join(parts[:depth]), ChangeKind.MODIFIED)
    all_docs = collect_docs(config)
    all_docs.update(docs or {})
    return ConfigDiff(kinds=kinds, type_changes=type_changes, docs=all_docs,
                      basis=f"compared with the experiment's defaults (from {origin})",
                      unattributed_named_configs=tuple(unattributed),
                      named={key: ", ".join(names) for key, names in named.items() if key in kinds},
                      defaults=default_values, from_defaults=True)
