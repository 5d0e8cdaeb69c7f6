"""Provides the comparison of N runs' configs: one row per dotted key, cells classified against run 1.

The first compared run is the reference. Each other run's cell is classified the way Sacred's
print_config colours a config against its defaults:

* *modified*: same type, different value;
* *added*: the key is missing in the first run (also when the first run holds a sub-config there,
  which is a *type change* instead, see below);
* *type changed*: the value's type differs (tuple = list, numpy scalar = Python scalar, a change from
  or to None is no type change), or one run has a sub-config where the other has a plain value;
* *removed*: the key exists in the first run and not in this one.

A row *differs* when its values are not all equal across the runs (missing counts as a value), so
runs 2 and 3 that differ from each other show up even when one of them equals run 1. Values are
compared by their JSON text, so `1`, `1.0` and `true` are three different values, as they are
different config values.

This module also assigns each compared run a stable colour (by its position in the comparison).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.runs import sort_run_ids
from sacred_tui.data.config_diff import flatten_config, value_type_name

__all__ = [
    "MISSING", "RUN_COLORS", "CellKind", "ConfigComparison", "ConfigRow", "color_rgb",
    "compare_configs", "next_difference", "order_run_ids", "run_colors",
]


class _Missing:
    """Marker of a key a run's config does not have."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""Value of a cell whose run has no such key."""

RUN_COLORS: tuple[str, ...] = (
    "#f28e2b", "#4fc3f7", "#e15ccf", "#edc948", "#59c36a",
    "#b07aa1", "#ff9da7", "#c4a07a", "#a0e060", "#8fa9c8",
)
"""Colours of the compared runs, by position; readable on dark and light backgrounds.

They avoid the pure blue, green and red that mark modified, added and type-changed cells.
"""


class CellKind(enum.Enum):
    """How one run's value of a key relates to the first run's value."""

    BASE = "base"
    """The first run's own cell (the reference)."""
    SAME = "same"
    MODIFIED = "modified"
    ADDED = "added"
    TYPECHANGED = "typechanged"
    REMOVED = "removed"
    ABSENT = "absent"
    """Missing here and in the first run."""


@dataclass(frozen=True, slots=True)
class ConfigRow:
    """One dotted key across the runs: values (MISSING where absent) and their kinds."""

    key: str
    values: tuple[Any, ...]
    kinds: tuple[CellKind, ...]
    differs: bool
    type_names: tuple[str | None, ...]
    """Type name per run (None where the key is missing), to explain type changes."""


@dataclass(frozen=True, slots=True)
class ConfigComparison:
    """Rows of every dotted key found in any compared config, in key order."""

    rows: tuple[ConfigRow, ...]
    run_count: int

    def visible(self, only_changed: bool) -> list[ConfigRow]:
        """The rows to show: those that differ, or all of them."""
        return [row for row in self.rows if row.differs] if only_changed else list(self.rows)

    @property
    def changed_count(self) -> int:
        """How many keys differ between the runs."""
        return sum(1 for row in self.rows if row.differs)


def _canonical(value: Any) -> str:
    """JSON text of a value, keys sorted: equal text means equal config value and type."""
    try:
        return json.dumps(value, sort_keys=True, default=repr, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _key_order(key: str) -> tuple[str, ...]:
    return tuple(key.split("."))


def _branches(flat: Mapping[str, Any]) -> set[str]:
    """Dotted keys that are sub-configs (parents of some leaf)."""
    parents: set[str] = set()
    for key in flat:
        parts = key.split(".")
        for depth in range(1, len(parts)):
            parents.add(".".join(parts[:depth]))
    return parents


def _shape_changed(key: str, flat: Mapping[str, Any], branches: set[str]) -> bool:
    """True if the run has no leaf `key` because a sub-config or a leaf stands in its path."""
    if key in branches:
        return True
    parts = key.split(".")
    return any(".".join(parts[:depth]) in flat for depth in range(1, len(parts)))


def _type_changed(base: Any, value: Any) -> bool:
    if base is None or value is None:
        return False
    return value_type_name(base) != value_type_name(value)


def compare_configs(configs: Sequence[Mapping[str, Any]]) -> ConfigComparison:
    """Compare the configs of N runs (the first is the reference), key by dotted key.

    Args:
        configs: One config per run (as read from config.json; `{}` for a run without one).

    Returns:
        Every leaf key of any config, sorted by its dotted parts, with values and cell kinds.
    """
    flats = [dict(flatten_config(config)) for config in configs]
    branches = [_branches(flat) for flat in flats]
    keys: set[str] = set()
    for flat in flats:
        keys.update(flat)
    rows: list[ConfigRow] = []
    for key in sorted(keys, key=_key_order):
        values = tuple(flat.get(key, MISSING) for flat in flats)
        canon = [None if value is MISSING else _canonical(value) for value in values]
        base, base_canon = values[0], canon[0]
        kinds: list[CellKind] = [CellKind.BASE if base is not MISSING else CellKind.ABSENT]
        for index in range(1, len(values)):
            value = values[index]
            if value is MISSING:
                kinds.append(CellKind.ABSENT if base is MISSING else CellKind.REMOVED)
            elif base is MISSING:
                shape = _shape_changed(key, flats[0], branches[0])
                kinds.append(CellKind.TYPECHANGED if shape else CellKind.ADDED)
            elif canon[index] == base_canon:
                kinds.append(CellKind.SAME)
            elif _type_changed(base, value):
                kinds.append(CellKind.TYPECHANGED)
            else:
                kinds.append(CellKind.MODIFIED)
        type_names = tuple(None if value is MISSING else value_type_name(value) for value in values)
        rows.append(ConfigRow(key, values, tuple(kinds), len(set(canon)) > 1, type_names))
    return ConfigComparison(tuple(rows), len(configs))


def next_difference(rows: Sequence[ConfigRow], current: int | None, step: int = 1,
                    wrap: bool = True) -> int | None:
    """Index of the next (step=1) or previous (step=-1) row that differs, or None if none does.

    Args:
        rows: The rows as shown.
        current: Index of the row under the cursor; None starts before the first row (or after the
            last when going backwards).
        step: 1 for forward, -1 for backward.
        wrap: Continue from the other end when the end is reached.
    """
    if step not in (1, -1):
        raise ValueError(f"step must be 1 or -1, got {step!r}")
    count = len(rows)
    if count == 0:
        return None
    if current is None:
        current = -1 if step == 1 else count
    for offset in range(1, count + 1):
        index = current + offset * step
        if not 0 <= index < count:
            if not wrap:
                return None
            index %= count
        if rows[index].differs:
            return index
    return None


def run_colors(run_ids: Iterable[str]) -> dict[str, str]:
    """Colour per run by first position: the same run keeps its colour wherever it is drawn.

    More runs than colours reuse the palette from the start.
    """
    colors: dict[str, str] = {}
    for run_id in run_ids:
        if run_id not in colors:
            colors[run_id] = RUN_COLORS[len(colors) % len(RUN_COLORS)]
    return colors


def color_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' as an (r, g, b) tuple, the form plotext takes for exact colours."""
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"Expected a colour as '#rrggbb', got {color!r}")
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise ValueError(f"Expected a colour as '#rrggbb', got {color!r}") from None


def order_run_ids(run_ids: Iterable[str]) -> list[str]:
    """Distinct run ids, numeric ids by value first (2 before 10), then named ids alphabetically."""
    return sort_run_ids(list(set(run_ids)))
