"""Provides the encoders behind ``values.flatten`` for everything that is not plain JSON data.

Each encoder reproduces the shape jsonpickle 4 (with its numpy handlers) gives the same value, so files
stay readable by Sacred's tools. numpy is never imported here: it is used only when the user imported it.
"""
from __future__ import annotations

import base64
import sys
import types
from typing import Any, Protocol

JSON_KEY_PREFIX = "json://"
"""Prefix of a dict key that holds the JSON encoding of a non-string key (``{1: "a"}`` -> ``"json://1"``)."""

_REPR_LIMIT = 10_000
_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType)
_ALL_FUNCTION_TYPES = frozenset((types.FunctionType, types.MethodType, types.LambdaType,
                                 types.BuiltinFunctionType, types.BuiltinMethodType))


def is_unnamed_function(obj: Any) -> bool:
    """A lambda or a bound method: jsonpickle (so Sacred) leaves these out of a dict and writes null elsewhere."""
    if type(obj) not in _ALL_FUNCTION_TYPES:
        return False
    return not isinstance(obj, _FUNCTION_TYPES) or getattr(obj, "__name__", None) == "<lambda>"
_DATETIME_CLASSES = ("datetime", "date", "time")


class Walker(Protocol):
    """The recursive part of ``flatten``, handed to the encoders."""

    def value(self, obj: Any) -> Any: ...

    def key(self, key: Any) -> str: ...


def type_name(cls: type) -> str:
    """``module.qualname`` of a class or function, as jsonpickle names it."""
    module = getattr(cls, "__module__", None) or "builtins"
    return f"{module}.{getattr(cls, '__qualname__', None) or cls.__name__}"


def opaque(obj: Any, cls: type) -> dict:
    """A readable stand-in for a value that has no JSON shape: its class and its repr."""
    try:
        text = repr(obj)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break writing a run
        text = f"<{type_name(cls)} object>"
    if len(text) > _REPR_LIMIT:
        text = text[:_REPR_LIMIT] + "..."
    return {"py/object": type_name(cls), "py/repr": text}


def flatten_set(walk: Walker, items: Any) -> list:
    """Items of a set, sorted when they are comparable so equal sets give equal files."""
    try:
        ordered = sorted(items)
    except Exception:  # noqa: BLE001 - mixed or unorderable items keep the set's own order
        ordered = list(items)
    return [walk.value(item) for item in ordered]


def flatten_object(walk: Walker, obj: Any, cls: type) -> Any:
    """Encode any value other than dict, list, tuple, set, bytes and JSON scalars. Never raises
    (except RecursionError, which the caller handles by walking again with cycle detection)."""
    try:
        return _flatten_object(walk, obj, cls)
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - unknown objects get a readable fallback
        return opaque(obj, cls)


def _flatten_object(walk: Walker, obj: Any, cls: type) -> Any:
    module = getattr(cls, "__module__", None) or ""
    if module == "numpy" or module.startswith("numpy."):
        encoded = _flatten_numpy(walk, obj, cls)
        if encoded is not None:
            return encoded
    if module == "datetime" and cls.__name__ in _DATETIME_CLASSES:
        return _flatten_datetime(walk, obj, cls)
    if module == "uuid" and cls.__name__ == "UUID":
        return {"hex": obj.hex, "py/object": "uuid.UUID"}
    if cls is complex:
        return {"py/newargs": {"py/tuple": [obj.real, obj.imag]}, "py/object": "builtins.complex"}
    if isinstance(obj, tuple):
        return {"py/tuple": [walk.value(item) for item in obj]}
    if cls is frozenset:
        return {"py/reduce": [{"py/type": "builtins.frozenset"}, {"py/tuple": [flatten_set(walk, obj)]}]}
    if isinstance(obj, (set, frozenset)):
        return {"py/set": flatten_set(walk, obj)}
    if isinstance(obj, (bytes, bytearray)):
        return {"py/b64": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, _FUNCTION_TYPES) or cls in _ALL_FUNCTION_TYPES:
        return _flatten_function(obj, cls)
    if isinstance(obj, types.ModuleType):
        return {"py/mod": f"{obj.__name__}/{obj.__name__}"}
    if isinstance(obj, type):
        return {"py/type": type_name(obj)}
    pathlib = sys.modules.get("pathlib")
    if pathlib is not None and isinstance(obj, pathlib.PurePath):
        name = f"pathlib.{cls.__name__}" if module.startswith("pathlib") else type_name(cls)
        return {"py/reduce": [{"py/type": name}, {"py/tuple": list(obj.parts)}]}
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, (np.ndarray, np.generic)):
        return _flatten_numpy(walk, obj, cls)
    return _flatten_reduced(walk, obj, cls)


def _flatten_function(obj: Any, cls: type) -> dict | None:
    """A named function as ``{"py/function": "module.qualname"}``, as jsonpickle names it; None if unnamed."""
    if is_unnamed_function(obj):
        return None
    name = getattr(obj, "__qualname__", None) or obj.__name__
    module = getattr(obj, "__module__", None)
    if not module:  # a method of a built-in object, e.g. [].append
        owner = getattr(obj, "__self__", None)
        module = getattr(owner, "__module__", None) or type(owner).__module__
    return {"py/function": f"{module}.{name}"}


def _dtype_text(dtype: Any) -> str:
    text = str(dtype)
    prefix = "(numpy.record, "
    if text.startswith(prefix):
        text = text[len(prefix):-1]
    return text


def _flatten_numpy(walk: Walker, obj: Any, cls: type) -> dict | None:
    np = sys.modules.get("numpy")
    if np is None:
        return None
    if isinstance(obj, np.generic):
        value = obj.tolist()
        if type(value) is cls:  # extended precision scalars have no Python equivalent
            value = _python_scalar(value)
        return {"dtype": _dtype_text(obj.dtype), "py/object": type_name(cls), "value": walk.value(value)}
    if isinstance(obj, np.ndarray):
        return _flatten_array(walk, obj, cls)
    if isinstance(obj, np.dtype):
        return {"dtype": _dtype_text(obj), "py/object": type_name(cls)}
    return None


def _python_scalar(value: Any) -> Any:
    for convert in (float, complex):
        try:
            return convert(value)
        except (TypeError, ValueError):
            continue
    return str(value)


def _flatten_array(walk: Walker, array: Any, cls: type) -> dict:
    """An array as its value list (jsonpickle's text form), whatever its size or memory layout."""
    try:
        dtype = array.dtype.newbyteorder("N")
    except Exception:  # noqa: BLE001 - dtypes without a byte order
        dtype = array.dtype
    data: dict[str, Any] = {"dtype": _dtype_text(dtype), "py/object": type_name(cls)}
    flags = array.flags
    if not flags.writeable:
        data["writeable"] = False
    if array.base is None and flags.f_contiguous and not flags.c_contiguous:
        data["order"] = "F"
    data["values"] = walk.value(array.tolist())
    if 0 in array.shape:
        data["shape"] = list(array.shape)
    return data


def _flatten_datetime(walk: Walker, obj: Any, cls: type) -> dict:
    """datetime/date/time as their pickle state bytes (base64) plus the tzinfo, if any."""
    factory, args = obj.__reduce__()[:2]
    payload = base64.b64encode(args[0]).decode("ascii")
    rest = [walk.value(arg) for arg in args[1:]]
    return {"__reduce__": [walk.value(factory), [payload, *rest]], "py/object": type_name(cls)}


def _state_attributes(state: Any) -> dict | None:
    """The attributes in a pickle state (``__dict__`` and/or slots), or None if it is something else."""
    if state is None:
        return {}
    if type(state) is dict:
        return state
    if type(state) is tuple and len(state) == 2 and all(part is None or type(part) is dict for part in state):
        return {**(state[0] or {}), **(state[1] or {})}
    return None


def _flatten_reduced(walk: Walker, obj: Any, cls: type) -> dict:
    """Objects through their pickle protocol: class + attributes, or class + constructor arguments."""
    reduced = obj.__reduce_ex__(2)
    if type(reduced) is not tuple or len(reduced) < 2:
        return opaque(obj, cls)
    factory, args = reduced[0], tuple(reduced[1] or ())
    state = reduced[2] if len(reduced) > 2 else None
    if getattr(factory, "__name__", None) == "__newobj__" and args and isinstance(args[0], type):
        data: dict[str, Any] = {"py/object": type_name(args[0])}
        if len(args) > 1:
            data["py/newargs"] = {"py/tuple": [walk.value(arg) for arg in args[1:]]}
        attributes = _state_attributes(state)
        if attributes is None:
            data["py/state"] = walk.value(state)
        else:
            for key, value in attributes.items():
                data[walk.key(key)] = walk.value(value)
        return data
    if not isinstance(factory, type):
        return opaque(obj, cls)
    parts: list[Any] = [walk.value(factory), {"py/tuple": [walk.value(arg) for arg in args]}]
    extra = list(reduced[2:5])
    for index in (1, 2):  # list items and dict items come as iterators
        if index < len(extra) and extra[index] is not None:
            extra[index] = tuple(extra[index])
    while extra and extra[-1] is None:
        extra.pop()
    parts.extend(walk.value(item) for item in extra)
    return {"py/reduce": parts}
