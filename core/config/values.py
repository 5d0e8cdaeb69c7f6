"""Provides JSON encoding of config and run values in Sacred's exact file shapes, plus value checks.

Sacred writes every JSON file through jsonpickle (``keys=True``, numpy handlers registered). ``flatten``
produces the same tagged shapes without jsonpickle, so our files are interchangeable with Sacred's, and
``restore`` undoes only the tags that cannot construct arbitrary objects. Deliberate differences: shared
references are written out in full instead of as ``{"py/id": n}``, numpy arrays are always written as
value lists (never as compressed binary or as views of a base array), sets are written sorted when their
items are comparable, and objects jsonpickle cannot encode become ``{"py/object": ..., "py/repr": ...}``.
Like jsonpickle, lambdas and bound methods are left out of dicts and written as null elsewhere.
"""
from __future__ import annotations

import base64
import json
import math
import re
import sys
from itertools import islice
from typing import Any

from core.config._encoders import (JSON_KEY_PREFIX, flatten_object, flatten_set, is_unnamed_function,
                                   type_name)
from core.errors import InvalidConfigError, InvalidConfigKeyError

__all__ = [
    "JSON_KEY_PREFIX", "RESERVED_TAGS", "dumps", "flatten", "normalize", "normalized_type", "restore",
    "validate_key", "validate_keys", "values_equal",
]

RESERVED_TAGS = frozenset((
    "py/bytes", "py/function", "py/id", "py/initargs", "py/iterator", "py/mod", "py/newargs",
    "py/newargsex", "py/newobj", "py/object", "py/property", "py/reduce", "py/ref", "py/repr", "py/seq",
    "py/set", "py/state", "py/tuple", "py/type",
))
"""Keys jsonpickle treats as type tags; a config key may not be one of them."""

_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_MAX_SAFE_DEPTH = 100


class _Walk:
    """State of one ``flatten`` call. ``stack`` is None on the fast path (no cycle bookkeeping)."""

    __slots__ = ("stack",)

    def __init__(self, track_cycles: bool) -> None:
        self.stack: dict[int, None] | None = {} if track_cycles else None

    def value(self, obj: Any) -> Any:
        cls = type(obj)
        if cls in _PLAIN_TYPES:
            return obj
        if self.stack is not None:
            return self.tracked(obj, cls, self.stack)
        if cls is dict:
            return self.mapping(obj, copy=False)
        if cls is list:
            return self.sequence(obj, copy=False)
        return self.other(obj, cls)

    def tracked(self, obj: Any, cls: type, stack: dict[int, None]) -> Any:
        """``value`` with cycle and depth checks (the slow path)."""
        marker = id(obj)
        if marker in stack:
            return {"py/object": type_name(cls), "py/repr": "<cycle>"}
        if len(stack) >= _MAX_SAFE_DEPTH:
            return {"py/object": type_name(cls), "py/repr": "<nested too deeply>"}
        stack[marker] = None
        try:
            if cls is dict:
                return self.mapping(obj, copy=False)
            if cls is list:
                return self.sequence(obj, copy=False)
            return self.other(obj, cls)
        finally:
            del stack[marker]

    def other(self, obj: Any, cls: type) -> Any:
        if cls is tuple:
            return {"py/tuple": [self.value(item) for item in obj]}
        if cls is set:
            return {"py/set": flatten_set(self, obj)}
        if cls is bytes:
            return {"py/b64": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, dict):
            return self.mapping(obj, copy=True)
        if isinstance(obj, list):
            return self.sequence(obj, copy=True)
        return flatten_object(self, obj, cls)

    def key(self, key: Any) -> str:
        if type(key) is str:
            if key.startswith(JSON_KEY_PREFIX):
                return JSON_KEY_PREFIX + json.dumps(key)
            return key
        if isinstance(key, str):
            return self.key(str(key))
        return JSON_KEY_PREFIX + json.dumps(self.value(key))

    def mapping(self, obj: dict, copy: bool) -> dict:
        """Flatten a dict, returning ``obj`` itself when no key or value needed a change."""
        out: dict | None = {} if copy else None
        plain = _PLAIN_TYPES
        index = 0
        for key, value in obj.items():
            if type(value) not in plain and is_unnamed_function(value):
                if out is None:
                    out = dict(islice(obj.items(), index))
                index += 1
                continue  # jsonpickle leaves lambdas and bound methods out of a dict
            new_value = value if type(value) in plain else self.value(value)
            if type(key) is str and not key.startswith(JSON_KEY_PREFIX):
                new_key = key
            else:
                new_key = self.key(key)
            if out is None and (new_value is not value or new_key is not key):
                out = dict(islice(obj.items(), index))
            if out is not None:
                out[new_key] = new_value
            index += 1
        return obj if out is None else out

    def sequence(self, obj: list, copy: bool) -> list:
        """Flatten a list, returning ``obj`` itself when no item needed a change."""
        out: list | None = [] if copy else None
        plain = _PLAIN_TYPES
        for index, item in enumerate(obj):
            new_item = item if type(item) in plain else self.value(item)
            if out is None and new_item is not item:
                out = obj[:index]
            if out is not None:
                out.append(new_item)
        return obj if out is None else out


def flatten(obj: Any) -> Any:
    """Turn ``obj`` into JSON-able data in the shapes Sacred's files use; never raises.

    Plain JSON data is returned as it is (the same objects), so the common case costs one walk.
    """
    try:
        return _Walk(track_cycles=False).value(obj)
    except RecursionError:
        pass
    # A cycle or a very deep structure: walk again, remembering the containers on the path.
    try:
        return _Walk(track_cycles=True).value(obj)
    except RecursionError:
        return {"py/object": type_name(type(obj)), "py/repr": "<nested too deeply>"}


def dumps(obj: Any) -> str:
    """Encode ``obj`` exactly as Sacred writes its JSON files (sorted keys, indent 2, ASCII, no newline)."""
    return json.dumps(flatten(obj), sort_keys=True, indent=2)


def restore(obj: Any) -> Any:
    """Undo the tags that are safe to undo: ``py/tuple``, ``py/set``, ``py/b64`` and ``json://`` keys.

    Every other tag stays the plain dict it is: restoring never constructs arbitrary objects.
    """
    cls = type(obj)
    if cls is list:
        return [restore(item) for item in obj]
    if cls is not dict:
        return obj
    if len(obj) == 1:
        tag, payload = next(iter(obj.items()))
        if tag == "py/tuple" and type(payload) is list:
            return tuple(restore(item) for item in payload)
        if tag == "py/set" and type(payload) is list:
            items = [restore(item) for item in payload]
            try:
                return set(items)
            except TypeError:
                return {"py/set": items}
        if tag == "py/b64" and type(payload) is str:
            try:
                return base64.b64decode(payload.encode("ascii"), validate=True)
            except ValueError:
                return obj
    return {_restore_key(key): restore(value) for key, value in obj.items()}


def _restore_key(key: str) -> Any:
    if not key.startswith(JSON_KEY_PREFIX):
        return key
    try:
        value = restore(json.loads(key[len(JSON_KEY_PREFIX):]))
        hash(value)
    except (ValueError, TypeError):
        return key
    return value


def _numpy() -> Any:
    return sys.modules.get("numpy")


def normalize(value: Any) -> Any:
    """Return the value a config stores: tuples become lists and numpy scalars Python scalars, recursively.

    Dicts and lists are rebuilt as plain ones; sets, arrays and other objects are kept as they are.
    """
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    np = _numpy()
    if np is not None and isinstance(value, np.generic):
        try:
            return value.item()
        except (ValueError, TypeError):
            return value
    return value


def values_equal(a: Any, b: Any) -> bool:
    """Compare two values, element-wise for numpy arrays and recursively for containers; never raises."""
    if a is b:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    np = _numpy()
    if np is not None and (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        try:
            return bool(np.array_equal(a, b, equal_nan=_has_float_dtype(np, a, b)))
        except Exception:  # noqa: BLE001 - unequal shapes or types that numpy cannot compare
            return False
    try:
        if a == b:
            return True
    except Exception:  # noqa: BLE001 - an __eq__ that raises or returns something without a truth value
        return False
    return _both_nan(a, b)


def _has_float_dtype(np: Any, *values: Any) -> bool:
    """``equal_nan`` only works for float-like arrays; numpy raises for other dtypes."""
    try:
        return all(np.asarray(value).dtype.kind in "fc" for value in values)
    except Exception:  # noqa: BLE001
        return False


def _both_nan(a: Any, b: Any) -> bool:
    try:
        return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    except TypeError:
        return False


def normalized_type(value: Any) -> type:
    """The type used to detect a changed type: tuple -> list, numpy scalars -> Python scalars."""
    if isinstance(value, dict):
        return dict
    if isinstance(value, (list, tuple)):
        return list
    cls = type(value)
    if cls in _PLAIN_TYPES:
        return cls
    np = _numpy()
    if np is not None:
        if isinstance(value, np.bool_):
            return bool
        if isinstance(value, np.integer):
            return int
        if isinstance(value, np.floating):
            return float
    return cls


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def validate_key(key: Any, location: str = "") -> None:
    """Raise InvalidConfigKeyError (a KeyError) unless ``key`` may be stored, following ``SETTINGS.CONFIG``."""
    from core.settings import SETTINGS

    rules = SETTINGS["CONFIG"]  # item access: this runs for every key of every config
    where = f' (in "{location}")' if location else ""
    if not isinstance(key, str):
        if rules["ENFORCE_STRING_KEYS"]:
            raise InvalidConfigKeyError(
                f"Invalid key {key!r}{where}. Config keys must be strings, but this one is "
                f"{type(key).__name__}.")
        return
    if key == "":
        raise InvalidConfigKeyError(f'Invalid key ""{where}. Config keys cannot be empty.')
    if rules["ENFORCE_KEYS_MONGO_COMPATIBLE"] and ("." in key or key.startswith("$")):
        raise InvalidConfigKeyError(
            f'Invalid key "{key}"{where}. Config keys cannot contain "." or start with "$".')
    if rules["ENFORCE_KEYS_JSONPICKLE_COMPATIBLE"] and (key in RESERVED_TAGS or key.startswith(JSON_KEY_PREFIX)):
        raise InvalidConfigKeyError(
            f'Invalid key "{key}"{where}. Config keys cannot be a reserved jsonpickle tag '
            f'({", ".join(sorted(RESERVED_TAGS))}) or start with "{JSON_KEY_PREFIX}".')
    if rules["ENFORCE_VALID_PYTHON_IDENTIFIER_KEYS"] and not _IDENTIFIER.match(key):
        raise InvalidConfigKeyError(
            f'Invalid key "{key}"{where}. Config keys must be valid Python identifiers.')
    if rules["ENFORCE_KEYS_NO_EQUALS"] and "=" in key:
        raise InvalidConfigKeyError(f'Invalid key "{key}"{where}. Config keys cannot contain "=".')


def validate_keys(config: Any, location: str = "") -> None:
    """Validate every key of ``config``, descending into nested dicts and into lists and tuples."""
    if isinstance(config, dict):
        for key, value in config.items():
            validate_key(key, location)
            if isinstance(value, (dict, list, tuple)):
                validate_keys(value, f"{location}.{key}" if location else str(key))
    elif isinstance(config, (list, tuple)):
        for index, item in enumerate(config):
            if isinstance(item, (dict, list, tuple)):
                validate_keys(item, f"{location}[{index}]")
