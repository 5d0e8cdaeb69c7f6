"""Sacred's ``sacred.config.utils``: key checks, normalising values, filling in presets, chaining scopes."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from core.config.values import normalize, validate_key, validate_keys

__all__ = ["assert_is_valid_key", "chain_evaluate_config_scopes", "normalize_or_die", "recursive_fill_in"]


def assert_is_valid_key(key: Any) -> None:
    """Raise a ``KeyError`` unless ``key`` may be a config key (see ``SETTINGS.CONFIG``)."""
    validate_key(key)


def normalize_or_die(obj: Any) -> Any:
    """``obj`` with tuples as lists and numpy scalars as Python numbers; keys are checked."""
    validate_keys(obj)
    return normalize(obj)


def recursive_fill_in(config: dict, preset: Mapping) -> None:
    """Set each key of ``preset`` that ``config`` lacks, descending into dicts both have."""
    for key, value in preset.items():
        if key not in config:
            config[key] = value
        elif isinstance(config[key], dict) and isinstance(value, dict):
            recursive_fill_in(config[key], value)


def chain_evaluate_config_scopes(config_scopes: Iterable[Any], fixed: dict | None = None,
                                 preset: dict | None = None, fallback: dict | None = None) -> tuple[dict, list]:
    """Evaluate config sources in order, each seeing the previous ones' values; ``(config, results)``."""
    final_config = dict(preset or {})
    results = []
    for scope in config_scopes:
        result = scope(fixed=fixed or {}, preset=final_config, fallback=fallback or {})
        results.append(result)
        final_config.update(result)
    if not results:
        final_config.update(fixed or {})
    return final_config, results
