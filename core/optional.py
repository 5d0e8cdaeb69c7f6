"""Sacred's ``sacred.optional``: which optional packages are installed, found without importing them.

``has_numpy`` and friends are answered on first use; ``np``, ``yaml`` and ``pandas`` import the package when
first read (Sacred imports them all up front, which is most of its start-up time).
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["get_tensorflow", "module_exists", "modules_exist", "optional_import"]

_FLAGS = {"has_numpy": ("numpy",), "has_yaml": ("yaml",), "has_pandas": ("pandas",),
          "has_sqlalchemy": ("sqlalchemy",), "has_mako": ("mako",),
          "has_tinydb": ("tinydb", "tinydb_serialization", "hashfs"), "has_tensorflow": ("tensorflow",)}
_MODULES = {"np": "numpy", "yaml": "yaml", "pandas": "pandas"}


def module_exists(modname: str) -> bool:
    """Whether ``modname`` can be imported (found without importing it)."""
    import importlib.util
    try:
        return importlib.util.find_spec(modname) is not None
    except (ImportError, ValueError):
        return False


def modules_exist(*modnames: str) -> bool:
    return all(module_exists(name) for name in modnames)


def optional_import(*package_names: str) -> tuple[bool, Any]:
    """``(True, first package)`` if all packages import, else ``(False, None)``."""
    try:
        packages = [importlib.import_module(name) for name in package_names]
    except ImportError:
        return False, None
    return True, packages[0]


def get_tensorflow() -> Any:
    """TensorFlow's v1 API (``tensorflow.compat.v1``) for TensorFlow 1.13 and newer, else ``tensorflow``."""
    try:
        return importlib.import_module("tensorflow.compat.v1")
    except ImportError:
        return importlib.import_module("tensorflow")


def __getattr__(name: str) -> Any:
    if name in _FLAGS:
        value: Any = modules_exist(*_FLAGS[name])
    elif name in _MODULES:
        value = optional_import(_MODULES[name])[1]
    elif name == "libc":
        value = _libc()
    else:
        raise AttributeError(f"module 'core.optional' has no attribute {name!r}")
    globals()[name] = value
    return value


def _libc() -> Any:
    try:
        import ctypes
        import ctypes.util
        return ctypes.cdll.LoadLibrary(ctypes.util.find_library("c"))
    except (ImportError, OSError, TypeError):
        return None
