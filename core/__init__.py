"""Sacred-compatible experiment library: ``from core import Experiment`` runs a Sacred script unchanged.

Importing this package is cheap: no host probes, no dependency scans, no numpy import.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__author__ = "the sacred-tui authors"
__author_email__ = ""
__url__ = ""

_LAZY = {
    "Experiment": "core.experiment",
    "Ingredient": "core.ingredient",
    "Run": "core.run",
    "SETTINGS": "core.settings",
    "cli_option": "core.commandline",
    "host_info_gatherer": "core.host",
    "host_info_getter": "core.host_info",
    "apply_backspaces_and_linefeeds": "core.capture_output",
}
_ERRORS = ("SacredError", "ConfigError", "ConfigAddedError", "MissingConfigError", "NamedConfigNotFoundError",
           "CommandLineError", "SignatureError", "CircularDependencyError", "SacredInterrupt", "TimeoutInterrupt",
           "InvalidConfigError", "ReadOnlyConfigError")

__all__ = sorted([*_LAZY, *_ERRORS, "observers", "__version__", "__author__", "__author_email__", "__url__"])


def __getattr__(name: str) -> Any:
    import importlib
    if name == "observers":
        return importlib.import_module("core.observers")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _ERRORS:
        return getattr(importlib.import_module("core.errors"), name)
    raise AttributeError(f"module 'core' has no attribute {name!r}")
