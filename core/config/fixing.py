"""Provides ``FixedValues``: applies fixed values (updates, named configs) while a config is built.

An assignment to a fixed key keeps the fixed value; assigning a dict to a fixed dict merges the fixed
sub-keys into it, deeply. While the body runs, fixed dicts and lists are guarded containers, so later item
assignments (``opts["lr"] = 0.1``) and list mutations cannot undo an update either. ``FixedValues`` also
records what the body produced, which yields the added / modified / typechanged summary.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Iterator, Mapping

from core.config.values import normalized_type, values_equal

logger = logging.getLogger(__name__)

_IMMUTABLE = (str, int, float, bool, bytes, type(None))


class FixedValues:
    """The fixed values of one evaluation and what the evaluated body did with them."""

    def __init__(self, fixed: Mapping[str, Any] | None, fallback: Mapping[str, Any] | None = None,
                 preset: Mapping[str, Any] | None = None) -> None:
        self.fixed: dict[str, Any] = dict(fixed or {})
        self.fallback = fallback or {}
        self.preset = preset or {}
        self.order: dict[str, None] = {}
        """Names in the order the body first bound them."""
        self.produced: set[str] = set()
        """Dotted paths of fixed keys the body assigned."""
        self.assigned: dict[str, Any] = {}
        """Dotted path -> the value the body last tried to put where a fixed value won."""

    def fix(self, name: str, value: Any) -> Any:
        """The value ``name`` really gets when the body binds it to ``value``."""
        self.order.setdefault(name, None)
        if name in self.fixed:
            return self.apply(name, value, self.fixed[name])
        if name in self.fallback and name not in self.preset:
            logger.warning('Ignored attempt to set value of "%s", because it is an ingredient.', name)
            return self.fallback[name]
        return value

    def apply(self, path: str, value: Any, fixed_value: Any) -> Any:
        """Assign ``value`` where ``fixed_value`` is fixed: merge dicts, else keep the fixed value."""
        self.produced.add(path)
        if isinstance(value, dict) and isinstance(fixed_value, dict):
            return FixedDict(self, path, fixed_value, value)
        self.assigned[path] = value
        return self.guarded(path, fixed_value)

    def guarded(self, path: str, fixed_value: Any) -> Any:
        """A fresh copy of ``fixed_value`` whose fixed parts the body cannot change."""
        if isinstance(fixed_value, dict):
            return FixedDict(self, path, fixed_value, {})
        if isinstance(fixed_value, list):
            return FixedList(_copied(item) for item in fixed_value)
        return _copied(fixed_value)

    def views(self) -> dict[str, Any]:
        """Guarded copies of all fixed values, for the body to read before (or without) assigning them."""
        return {name: self.guarded(name, value) for name, value in self.fixed.items()}

    def summary(self) -> tuple[set[str], set[str], dict[str, tuple[type, type]]]:
        """(added, modified, typechanged) relative to the fixed values, keyed by dotted path."""
        added = {path for path, _ in _paths(self.fixed) if path not in self.produced}
        modified: set[str] = set()
        typechanged: dict[str, tuple[type, type]] = {}
        values = dict(_paths(self.fixed))
        for path, value in self.assigned.items():
            fixed_value = values[path]
            if not values_equal(value, fixed_value):
                modified.add(path)
            old, new = normalized_type(value), normalized_type(fixed_value)
            if value is not None and old is not new:
                typechanged[path] = (old, new)
        return added, modified, typechanged


class FixedDict(dict):  # type: ignore[type-arg]
    """A dict some of whose keys are fixed: assigning, deleting or popping them does not change them."""

    def __init__(self, owner: FixedValues, path: str, fixed: dict[Any, Any], initial: Mapping[Any, Any]) -> None:
        super().__init__()
        self._owner = owner
        self._path = path
        self._fixed = fixed
        for key, value in initial.items():
            self[key] = value
        for key, value in fixed.items():
            if not dict.__contains__(self, key):
                dict.__setitem__(self, key, owner.guarded(self._sub_path(key), value))

    def _sub_path(self, key: Any) -> str:
        return f"{self._path}.{key}"

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self._fixed:
            value = self._owner.apply(self._sub_path(key), value, self._fixed[key])
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        if key not in self._fixed:
            dict.__delitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> FixedDict:  # type: ignore[misc]
        self.update(other)
        return self

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self._fixed:
            return self[key]
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        for key in reversed(list(self)):
            if key not in self._fixed:
                return key, dict.pop(self, key)
        raise KeyError("popitem(): every remaining key is fixed by a config update")

    def clear(self) -> None:
        for key in [key for key in self if key not in self._fixed]:
            dict.__delitem__(self, key)


class FixedList(list):  # type: ignore[type-arg]
    """A list fixed by an update: in-place changes are ignored while the config is built."""

    def _ignore(self, *args: Any, **kwargs: Any) -> None:
        return None

    append = extend = insert = remove = reverse = sort = clear = _ignore
    __setitem__ = __delitem__ = _ignore

    def __iadd__(self, other: Any) -> FixedList:  # type: ignore[misc]
        return self

    def __imul__(self, other: Any) -> FixedList:  # type: ignore[misc]
        return self

    def pop(self, index: Any = -1) -> Any:
        raise TypeError("Cannot pop from a list that is fixed by a config update.")


def _copied(value: Any) -> Any:
    """A deep copy of a mutable value (so the body never changes the caller's update), else the value."""
    if isinstance(value, _IMMUTABLE):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an object that cannot be copied is shared instead
        return value


def _paths(config: Mapping[Any, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every key of ``config`` and of its nested dicts, parents first."""
    for key, value in config.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path, value
        if isinstance(value, dict):
            yield from _paths(value, path)
