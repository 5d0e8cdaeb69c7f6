"""Provides the read-only config (``ReadOnlyDict``/``ReadOnlyList``) that captured functions receive.

Changing the config inside a captured function would silently diverge from what was recorded, so every
mutator raises ``ReadOnlyConfigError``. Copies (``copy.copy``/``copy.deepcopy``/``dict(...)``) and
pickled round trips are plain, mutable dicts and lists, so multiprocessing and deliberate edits work.
"""
from __future__ import annotations

import copy
import sys
from typing import Any, NoReturn

from core.errors import ReadOnlyConfigError

__all__ = ["ReadOnlyDict", "ReadOnlyList", "make_plain", "make_read_only"]


def _refuse(action: str) -> NoReturn:
    raise ReadOnlyConfigError(
        f"The configuration is read-only in a captured function! Tried to {action}. "
        f"Make a copy first (copy.deepcopy or dict(...)).")


class ReadOnlyDict(dict):
    """A dict whose mutators raise ReadOnlyConfigError; copies and unpickled values are plain dicts."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        _refuse(f"set {key!r}")

    def __delitem__(self, key: Any) -> NoReturn:
        _refuse(f"delete {key!r}")

    def __ior__(self, other: Any) -> NoReturn:
        _refuse("update the dict with |=")

    def clear(self) -> NoReturn:
        _refuse("clear the dict")

    def pop(self, key: Any, *default: Any) -> NoReturn:
        _refuse(f"pop {key!r}")

    def popitem(self) -> NoReturn:
        _refuse("call popitem()")

    def setdefault(self, key: Any, default: Any = None) -> NoReturn:
        _refuse(f"set {key!r} with setdefault()")

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        keys = [repr(key) for arg in args if isinstance(arg, dict) for key in arg] + [repr(k) for k in kwargs]
        _refuse(f"update {', '.join(keys)}" if keys else "call update()")

    def __copy__(self) -> dict:
        return dict(self)

    def __deepcopy__(self, memo: dict) -> dict:
        result: dict = {}
        memo[id(self)] = result
        for key, value in self.items():
            result[copy.deepcopy(key, memo)] = copy.deepcopy(value, memo)
        return result

    def __reduce__(self) -> tuple:
        return dict, (dict(self),)


class ReadOnlyList(list):
    """A list whose mutators raise ReadOnlyConfigError; copies and unpickled values are plain lists."""

    __slots__ = ()

    def __setitem__(self, index: Any, value: Any) -> NoReturn:
        _refuse(f"set item {index!r} of a list")

    def __delitem__(self, index: Any) -> NoReturn:
        _refuse(f"delete item {index!r} of a list")

    def __iadd__(self, other: Any) -> NoReturn:
        _refuse("extend a list with +=")

    def __imul__(self, other: Any) -> NoReturn:
        _refuse("repeat a list with *=")

    def append(self, value: Any) -> NoReturn:
        _refuse(f"append {value!r} to a list")

    def extend(self, values: Any) -> NoReturn:
        _refuse("extend a list")

    def insert(self, index: Any, value: Any) -> NoReturn:
        _refuse(f"insert {value!r} into a list")

    def pop(self, index: Any = -1) -> NoReturn:
        _refuse("pop from a list")

    def remove(self, value: Any) -> NoReturn:
        _refuse(f"remove {value!r} from a list")

    def clear(self) -> NoReturn:
        _refuse("clear a list")

    def reverse(self) -> NoReturn:
        _refuse("reverse a list")

    def sort(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("sort a list")

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo: dict) -> list:
        result: list = []
        memo[id(self)] = result
        result.extend(copy.deepcopy(item, memo) for item in self)
        return result

    def __reduce__(self) -> tuple:
        return list, (list(self),)


_yaml_registered = False


def _register_yaml() -> None:
    """Let ``yaml.safe_dump`` write read-only values, once PyYAML is loaded (never imported here)."""
    global _yaml_registered
    yaml = sys.modules.get("yaml")
    if _yaml_registered or yaml is None or not hasattr(yaml, "SafeDumper"):
        return
    for dumper in {yaml.SafeDumper, yaml.Dumper, getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                   getattr(yaml, "CDumper", yaml.Dumper)}:
        dumper.add_representer(ReadOnlyDict, yaml.representer.SafeRepresenter.represent_dict)
        dumper.add_representer(ReadOnlyList, yaml.representer.SafeRepresenter.represent_list)
    _yaml_registered = True


def make_read_only(obj: Any) -> Any:
    """A read-only version of ``obj``: dicts and lists recursively, tuples rebuilt with read-only items."""
    if not _yaml_registered:
        _register_yaml()
    return _read_only(obj)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _read_only(obj: Any) -> Any:
    scalars = _SCALARS
    if isinstance(obj, dict):
        return ReadOnlyDict({key: value if type(value) in scalars else _read_only(value)
                             for key, value in obj.items()})
    if isinstance(obj, list):
        return ReadOnlyList(item if type(item) in scalars else _read_only(item) for item in obj)
    if isinstance(obj, tuple):
        return _rebuild_tuple(obj, [_read_only(item) for item in obj])
    return obj


def _rebuild_tuple(original: tuple, items: list) -> tuple:
    cls = type(original)
    if cls is tuple:
        return tuple(items)
    make = getattr(cls, "_make", None)  # named tuples
    return make(items) if callable(make) else original


def make_plain(obj: Any) -> Any:
    """The inverse of ``make_read_only``: plain dicts and lists (new ones), recursively."""
    if isinstance(obj, dict):
        return {key: make_plain(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [make_plain(item) for item in obj]
    if isinstance(obj, tuple):
        return _rebuild_tuple(obj, [make_plain(item) for item in obj])
    return obj


_register_yaml()
