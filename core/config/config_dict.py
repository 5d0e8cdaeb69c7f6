"""Provides ``ConfigDict`` (``ex.add_config({...})``) and ``ConfigResult``, what every config source returns.

A config source is called as ``source(fixed=..., preset=..., fallback=...)``: ``fixed`` holds values that
win (updates, named configs), ``preset`` the values of earlier sources, ``fallback`` read-only names
(sub-ingredient configs, ``_log``). The result is the source's config plus a summary relative to ``fixed``.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from core.config.fixing import FixedValues
from core.config.values import normalize, validate_keys
from core.errors import ConfigError


class ConfigResult(dict):  # type: ignore[type-arg]
    """A config (a plain dict) with its summary relative to the fixed values it was evaluated with.

    Attributes:
        added: dotted keys of fixed values the source did not produce (parents of such keys included).
        modified: dotted keys the source produced whose fixed value differs.
        typechanged: dotted key -> (type the source gave, type of the fixed value); not from None.
        docs: dotted key -> the comment documenting it.
    """

    def __init__(self, entries: Mapping[str, Any] = (), added: set[str] | None = None,  # type: ignore[assignment]
                 modified: set[str] | None = None, typechanged: dict[str, tuple[type, type]] | None = None,
                 docs: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None) -> None:
        super().__init__(entries)
        self.added: set[str] = set(added or ())
        self.modified: set[str] = set(modified or ())
        self.typechanged: dict[str, tuple[type, type]] = dict(typechanged or {})
        self._docs_source = docs
        self._docs: dict[str, str] | None = None

    @property
    def docs(self) -> dict[str, str]:
        """Read on first use: extracting comment docs means tokenizing the scope's source."""
        if self._docs is None:
            source = self._docs_source
            found = source() if callable(source) else source
            self._docs = {key: doc for key, doc in (found or {}).items() if key in self or key == "seed"}
        return self._docs

    def __repr__(self) -> str:
        return (f"ConfigResult({dict.__repr__(self)}, added={sorted(self.added)}, "
                f"modified={sorted(self.modified)}, typechanged={self.typechanged})")


class ConfigDict:
    # No class docstring: print_named_configs shows ``__doc__``, and a dict has none to show, as in Sacred.

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise ConfigError(f"A config dict must be a dict, got {type(config).__name__}: {config!r}.",
                              print_traceback=False)
        validate_keys(dict(config))
        self._config: dict[str, Any] = normalize(dict(config))
        self.doc = self._config.get("__doc__") if isinstance(self._config.get("__doc__"), str) else None
        """A ``__doc__`` entry of the dict (shown by our machine-readable output; Sacred shows none)."""

    def __call__(self, fixed: Mapping[str, Any] | None = None, preset: Mapping[str, Any] | None = None,
                 fallback: Mapping[str, Any] | None = None) -> ConfigResult:
        """This dict with ``fixed`` values winning (dicts merged deeply) and ``preset`` filled in."""
        fixing = FixedValues(fixed, fallback, preset)
        entries = {key: fixing.fix(key, value) for key, value in self._config.items()}
        return finish_result(entries, fixing, preset or {}, {})

    def __repr__(self) -> str:
        return f"ConfigDict({self._config!r})"


def finish_result(entries: dict[str, Any], fixing: FixedValues, preset: Mapping[str, Any],
                  docs: Mapping[str, str] | Callable[[], Mapping[str, str]],
                  fixed_views: Mapping[str, Any] | None = None) -> ConfigResult:
    """Complete a source's entries into its result.

    Adds the fixed keys the source never produced (from ``fixed_views``, the copies the source could read,
    else fresh ones), drops fallback names, normalises values (tuples -> lists, numpy scalars -> Python,
    plain dicts and lists), fills in ``preset`` values the source did not set (deeply), validates keys.
    """
    views = fixed_views if fixed_views is not None else fixing.views()
    for name, value in views.items():
        entries.setdefault(name, value)
    for name in fixing.fallback:
        if name in entries and name not in fixing.fixed and name not in preset:
            del entries[name]
    config = normalize(entries)
    _fill_in(config, preset)
    validate_keys(config)
    added, modified, typechanged = fixing.summary()
    return ConfigResult(config, added, modified, typechanged, docs)


def _fill_in(config: dict[Any, Any], preset: Mapping[str, Any]) -> None:
    """Set each key of ``preset`` that ``config`` lacks, descending into dicts both have."""
    for key, value in preset.items():
        if key not in config:
            config[key] = normalize(value)
        elif isinstance(config[key], dict) and isinstance(value, Mapping):
            _fill_in(config[key], value)
