"""The configuration machinery. Sacred's ``sacred.config`` names load on first use (imports stay cheap)."""
from __future__ import annotations

from typing import Any

__all__ = ["ConfigDict", "ConfigScope", "chain_evaluate_config_scopes", "create_captured_function",
           "load_config_file", "save_config_file"]

_LAZY = {"ConfigDict": "core.config.config_dict", "ConfigScope": "core.config.scope",
         "load_config_file": "core.config.loaders", "save_config_file": "core.config.loaders",
         "create_captured_function": "core.config.captured_function",
         "chain_evaluate_config_scopes": "core.config.utils"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'core.config' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
