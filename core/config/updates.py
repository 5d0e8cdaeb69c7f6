"""Provides parsing of ``with KEY=VALUE`` updates and the dotted-path helpers used on nested configs.

Values are read with ``ast.literal_eval`` only: a command line can never construct arbitrary objects
(jsonpickle tags in a value stay plain dicts, unlike Sacred).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from core.config.values import validate_key
from core.errors import CommandLineError, InvalidConfigError

__all__ = [
    "PATHCHANGE", "PATH_CHANGE", "convert_to_nested_dict", "get_by_dotted_path", "is_prefix",
    "iterate_flattened", "iterate_flattened_separately", "join_paths", "parse_updates", "parse_value",
    "path_prefixes", "recursive_update", "set_by_dotted_path",
]


class _PathChange:
    """Marks, in ``iterate_flattened_separately``, that the following keys belong to a new sub-dict."""

    _instance: _PathChange | None = None

    def __new__(cls) -> _PathChange:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "PATH_CHANGE"

    def __reduce__(self) -> str:
        return "PATH_CHANGE"


PATH_CHANGE = _PathChange()
PATHCHANGE = PATH_CHANGE
"""Sacred's spelling of the same sentinel."""


# --- parsing ------------------------------------------------------------------------------------------

def _literal(text: str) -> tuple[bool, Any]:
    """``(True, value)`` if ``text`` is a Python literal, else ``(False, None)``."""
    try:
        return True, ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def parse_value(text: str) -> Any:
    """Read one update value: a Python literal if it is one, otherwise the (stripped) text itself.

    ``1e3`` -> 1000.0, ``'1'`` -> the string ``1``, ``abc`` -> ``"abc"``, ``2**3`` -> ``"2**3"``.
    """
    stripped = text.strip()
    is_literal, value = _literal(stripped)
    return value if is_literal else stripped


def _check_update_key(key: str, word: str) -> None:
    if not key:
        raise CommandLineError(
            f'Invalid config update "{word}": the key before "=" is empty. Write updates as KEY=VALUE, '
            f"e.g. lr=0.1 or opts.momentum=0.9.")
    for part in key.split("."):
        if not part:
            raise CommandLineError(
                f'Invalid config update "{word}": the key "{key}" has an empty part. Dotted keys name '
                f'nested entries, e.g. "opts.momentum".')
        try:
            validate_key(part)
        except InvalidConfigError as error:
            raise CommandLineError(f'Invalid config update "{word}": {error}') from None


def _strict_value(raw: str, key: str, word: str) -> Any:
    from core.settings import SETTINGS

    stripped = raw.strip()
    is_literal, value = _literal(stripped)
    if is_literal:
        return value
    if SETTINGS.COMMAND_LINE.STRICT_PARSING:
        raise CommandLineError(
            f'Invalid config update "{word}": the value {stripped!r} is not a Python literal and strict '
            f"parsing is on. Quote text values, e.g. {key}=\"'{stripped}'\".")
    return stripped


def parse_updates(words: Iterable[str]) -> tuple[dict, list[str]]:
    """Split ``with`` arguments into nested config updates and named configs (or config files).

    ``KEY=VALUE`` words set ``KEY`` in order, as Sacred does: dotted keys nest, and a later word replaces
    what an earlier one set at the same key (``model.units=3 model={...}`` keeps only the dict). Other
    words are names, kept in order. Empty words are skipped.
    """
    updates: dict = {}
    names: list[str] = []
    for word in words:
        text = word.strip()
        if not text:
            continue
        key, equals, raw = text.partition("=")
        if not equals:
            names.append(text)
            continue
        key = key.strip()
        _check_update_key(key, word)
        set_by_dotted_path(updates, key, as_json_data(_strict_value(raw, key, word)))
    return updates, names


def as_json_data(value: Any) -> Any:
    """A command-line value as Sacred reads it: through JSON, so tuples become lists and dict keys strings.

    Sets, complex numbers and bytes stay what they are (Sacred crashes on them).
    """
    if isinstance(value, (list, tuple)):
        return [as_json_data(item) for item in value]
    if isinstance(value, dict):
        return {_json_key(key): as_json_data(item) for key, item in value.items()}
    return value


def _json_key(key: Any) -> Any:
    if isinstance(key, str) or not isinstance(key, (int, float, type(None))):
        return key
    import json
    return json.dumps(key)


# --- dotted paths -------------------------------------------------------------------------------------

def join_paths(*parts: Any) -> str:
    """Join path parts with dots, skipping empty ones: ``join_paths("", "a", "b.c")`` -> ``"a.b.c"``."""
    pieces = (str(part).strip(".") for part in parts if part is not None and part != "")
    return ".".join(piece for piece in pieces if piece)


def path_prefixes(path: str) -> list[str]:
    """The proper prefixes of a dotted path: ``"a.b.c"`` -> ``["a", "a.b"]``."""
    parts = path.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def is_prefix(prefix: str, path: str) -> bool:
    """Whether ``prefix`` names a dict that contains ``path`` (the empty prefix contains everything)."""
    prefix = prefix.strip(".")
    return not prefix or path.strip(".").startswith(prefix + ".")


def get_by_dotted_path(d: Mapping, path: str, default: Any = None) -> Any:
    """``d["a"]["b"]`` for ``"a.b"``; ``default`` when a part is missing or not a dict; ``d`` for ``""``."""
    if not path:
        return d
    node: Any = d
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def set_by_dotted_path(d: dict, path: str, value: Any) -> None:
    """Set ``d["a"]["b"] = value`` for ``"a.b"``, creating dicts (and replacing non-dicts) on the way."""
    if not path:
        raise ValueError("set_by_dotted_path needs a non-empty path, e.g. 'opts.momentum'.")
    *parents, last = path.split(".")
    node = d
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def recursive_update(d: dict, u: Mapping) -> dict:
    """Deep-merge ``u`` into ``d`` (``u`` wins; dicts in both are merged) and return ``d``."""
    for key, value in u.items():
        if isinstance(value, Mapping):
            current = d.get(key)
            if isinstance(current, dict):
                recursive_update(current, value)
            else:
                d[key] = recursive_update({}, value)
        else:
            d[key] = value
    return d


def _sorted_keys(d: Mapping) -> list:
    try:
        return sorted(d)
    except TypeError:  # keys of mixed types
        return sorted(d, key=repr)


def _leaves(d: Mapping, prefix: str, sort: bool) -> Iterator[tuple[str, Any]]:
    for key in (_sorted_keys(d) if sort else d):
        value = d[key]
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path, sort)
        else:
            yield path, value


def iterate_flattened(d: Mapping) -> Iterator[tuple[str, Any]]:
    """``(dotted_key, value)`` for every leaf (non-dict or empty dict), keys sorted at each level."""
    return _leaves(d, "", sort=True)


def iterate_flattened_separately(d: Mapping, manually_sorted_keys: Iterable[str] = ()
                                 ) -> Iterator[tuple[str, Any]]:
    """Sacred's print order: at each level ``manually_sorted_keys`` first, then leaves sorted, then
    sub-dicts sorted, each sub-dict as ``(path, PATH_CHANGE)`` followed by its own entries."""
    first = list(manually_sorted_keys)
    yield from _separately(d, "", first)


def _separately(d: Mapping, prefix: str, first: list[str]) -> Iterator[tuple[str, Any]]:
    def full(key: Any) -> str:
        return f"{prefix}.{key}" if prefix else str(key)

    for key in first:
        if key in d:
            yield full(key), d[key]
    rest = [key for key in _sorted_keys(d) if key not in first]
    nested = [key for key in rest if isinstance(d[key], Mapping) and d[key]]
    nested_set = set(nested)
    for key in rest:
        if key not in nested_set:
            yield full(key), d[key]
    for key in nested:
        yield full(key), PATH_CHANGE
        yield from _separately(d[key], full(key), first)


def convert_to_nested_dict(dotted: Mapping) -> dict:
    """``{"a.b": 1, "c": {"d.e": 2}}`` -> ``{"a": {"b": 1}, "c": {"d": {"e": 2}}}``."""
    nested: dict = {}
    for key, value in _leaves(dotted, "", sort=False):
        set_by_dotted_path(nested, key, value)
    return nested
