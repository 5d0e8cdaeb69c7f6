"""Provides seed groups: runs whose config is equal except for the seed (and other ignored keys).

A researcher runs one config with several seeds to tell a real improvement from luck. Grouping
puts those runs together and summarises every metric column of the group as count, mean, standard
deviation, min and max over its runs. The standard deviation is the population one (``ddof=0``,
numpy's default), so figures match ``numpy.std`` of the same values.

Two runs fall in one group when they belong to the same experiment and every config leaf that is
not ignored is equal (a key missing in one run differs from any value). Runs whose config is not
known (not read yet, or unreadable) stay alone: grouping them by an empty config would lie.
"""
from __future__ import annotations

import math
from functools import lru_cache
from operator import itemgetter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sacred_tui.data.fields import resolve_field
from sacred_tui.data.format import MISSING, format_number
from sacred_tui.data.rows import RunRow, run_id_sort_key

__all__ = ["DEFAULT_IGNORED", "SeedGroup", "Stats", "group_records", "group_runs", "numeric_value",
           "default_fields", "shared_config_text", "sort_groups", "stats_of", "stats_text", "varying_keys"]

DEFAULT_IGNORED: tuple[str, ...] = ("seed",)
"""Config keys ignored by default: Sacred's own ``seed`` entry."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Count, mean, population standard deviation, min and max of some numbers."""

    count: int
    mean: float
    std: float
    min: float
    max: float

    def spread(self, use_range: bool) -> tuple[float, float]:
        """The band around the mean: ``mean ± std``, or ``min .. max`` with ``use_range``."""
        if use_range:
            return self.min, self.max
        return self.mean - self.std, self.mean + self.std


def stats_of(values: Iterable[float]) -> Stats | None:
    """Summarise finite numbers (None when there are none).

    Uses Welford's update, which stays exact for values far from zero (a sum of squares does not).
    """
    count = 0
    mean = m2 = 0.0
    low = high = math.nan
    for value in values:
        count += 1
        delta = value - mean
        mean += delta / count
        m2 += delta * (value - mean)
        if count == 1 or value < low:
            low = value
        if count == 1 or value > high:
            high = value
    if count == 0:
        return None
    return Stats(count, mean, math.sqrt(max(m2, 0.0) / count), low, high)


def numeric_value(value: Any) -> float | None:
    """The value as a finite float, or None (booleans, texts, NaN and infinities are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@dataclass(slots=True)
class SeedGroup:
    """Runs with one config (ignored keys aside), oldest run first."""

    key: tuple[Any, ...]
    experiment: str
    config: dict[str, Any]
    """The config leaves the runs share (ignored keys left out)."""
    rows: list[RunRow] = field(default_factory=list)
    _stats: dict[str, Stats | None] = field(default_factory=dict, repr=False, compare=False)

    @property
    def group_id(self) -> str:
        """A short stable name: the group's first run id (``g12`` for runs 12, 15, 18)."""
        return f"g{self.rows[0].run_id}" if self.rows else "g?"

    @property
    def run_ids(self) -> list[str]:
        """Ids of the runs in the group."""
        return [row.run_id for row in self.rows]

    def values(self, field_name: str, now: float = 0.0) -> list[float]:
        """The finite numeric values of a field (``metric.loss.min``, ``result``, ...) over its runs."""
        get = _row_value(field_name)
        if get is None:
            return []
        numbers = []
        for row in self.rows:
            value = get(row, now)
            if type(value) is float:  # the common case, checked without a call
                if math.isfinite(value):
                    numbers.append(value)
            elif value is not None:
                number = numeric_value(value)
                if number is not None:
                    numbers.append(number)
        return numbers

    def stats(self, field_name: str, now: float = 0.0) -> Stats | None:
        """Statistics of a field over the runs that have a number for it (kept: a group's rows are fixed)."""
        if field_name not in self._stats:
            self._stats[field_name] = stats_of(self.values(field_name, now))
        return self._stats[field_name]

    def ignored_values(self, key: str) -> list[Any]:
        """The values an ignored key takes in the group's runs (the seeds, for ``seed``)."""
        return [row.config.get(key) for row in self.rows]


@lru_cache(maxsize=256)
def _row_value(name: str) -> Callable[[RunRow, float], Any] | None:
    """The getter of a field; metric summaries are read directly (they are most of the columns)."""
    found = resolve_field(name)
    if found is None:
        return None
    if found.name.startswith("metric."):
        metric, _, stat = found.name[len("metric."):].rpartition(".")
        if stat in ("last", "min", "max"):
            def metric_value(row: RunRow, now: float) -> Any:
                summary = row.metrics.get(metric)
                return None if summary is None else getattr(summary, stat)

            return metric_value
    return found.get


def group_runs(rows: Iterable[RunRow], ignore: Sequence[str] = DEFAULT_IGNORED) -> list[SeedGroup]:
    """Group runs by experiment and config, leaving out the ``ignore`` keys (and keys under them).

    Returns the groups ordered by their first run id; runs inside a group are in id order.
    Runs of one sweep share their config's key order, so the kept keys are worked out once per key
    order and each run costs one C-level lookup of its values (20,000 runs group in tens of ms).
    """
    ignored = frozenset(ignore)
    prefixes = tuple(f"{key}." for key in ignored)
    kept_by_names: dict[tuple[str, ...], tuple[tuple[str, ...], Callable[[Any], Any]]] = {}
    by_key: dict[Any, SeedGroup] = {}
    for row in sorted(rows, key=lambda row: run_id_sort_key(row.run_id)):
        config = row.config
        if not config:
            key: Any = ("\x00alone", row.run_id)
            kept: tuple[str, ...] = ()
        else:
            names = tuple(config)
            found = kept_by_names.get(names)
            if found is None:
                kept = tuple(sorted(name for name in names
                                    if name not in ignored and not name.startswith(prefixes)))
                found = kept_by_names[names] = (kept, _values_getter(kept))
            kept, values_of = found
            key = (row.experiment, kept, values_of(config))
        try:
            group = by_key.get(key)
        except TypeError:  # a list of dicts in the config: compare it by its text
            key = (key[0], key[1], tuple(_hashable(value) for value in key[2]))
            group = by_key.get(key)
        if group is None:
            shared = {name: config[name] for name in kept}
            group = by_key[key] = SeedGroup(key, row.experiment, shared)
        group.rows.append(row)
    return list(by_key.values())


def _values_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A fast ``config -> tuple of values of names`` (operator.itemgetter returns a bare value for one)."""
    if not names:
        return lambda config: ()
    if len(names) == 1:
        only = names[0]
        return lambda config: (config[only],)
    return itemgetter(*names)


def varying_keys(groups: Sequence[SeedGroup]) -> list[str]:
    """Config keys whose value differs between groups: what tells the groups apart, sorted."""
    if len(groups) < 2:
        return []
    missing = object()
    keys: set[str] = set()
    for group in groups:
        keys.update(group.config)
    varying = []
    for key in sorted(keys):
        first = groups[0].config.get(key, missing)
        if any(group.config.get(key, missing) != first for group in groups[1:]):
            varying.append(key)
    return varying


def group_records(groups: Sequence[SeedGroup], fields: Sequence[str], config_keys: Sequence[str] = (),
                  now: float = 0.0,
                  formatter: Callable[[Any], Any] | None = None) -> list[dict[str, Any]]:
    """One plain record per group, for export: id, experiment, runs, config keys, field statistics.

    For each field ``F`` the record holds ``F.count``, ``F.mean``, ``F.std``, ``F.min`` and
    ``F.max`` (None when no run of the group has a number for it).
    """
    records = []
    for group in groups:
        record: dict[str, Any] = {"group": group.group_id, "experiment": group.experiment,
                                  "runs": " ".join(group.run_ids), "count": len(group.rows)}
        for key in config_keys:
            value = group.config.get(key)
            record[f"config.{key}"] = formatter(value) if formatter else value
        for name in fields:
            summary = group.stats(name, now)
            for part in ("count", "mean", "std", "min", "max"):
                record[f"{name}.{part}"] = getattr(summary, part) if summary is not None else (
                    0 if part == "count" else None)
        records.append(record)
    return records


def shared_config_text(group: SeedGroup, keys: Sequence[str], limit: int = 80) -> str:
    """``lr=0.01 optimizer=adam`` for the given keys of a group, cut to ``limit`` characters."""
    parts = [f"{key}={_short(group.config.get(key, '—'))}" for key in keys]
    text = " ".join(parts)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return "[" + ",".join(_short(item) for item in value) + "]"
    return str(value)



def stats_text(summary: Stats | None, use_range: bool = False) -> str:
    """A group cell: ``0.1157 ± 0.016``, or ``0.0937 … 0.127`` with ``use_range`` (``—`` for none).

    The standard deviation keeps two significant digits and the mean is shown to the same decimal
    place, as results are reported; a group of one run shows its value alone.
    """
    if summary is None:
        return MISSING
    if use_range:
        return f"{format_number(summary.min)} … {format_number(summary.max)}"
    if summary.count == 1 or summary.std == 0 or not math.isfinite(summary.std):
        return format_number(summary.mean) if summary.count == 1 else f"{format_number(summary.mean)} ± 0"
    return f"{rounded_like(summary.mean, summary.std)} ± {rounded_like(summary.std, summary.std)}"


def rounded_like(value: float, std: float) -> str:
    """``value`` rounded to the decimal place of the standard deviation's second significant digit."""
    exponent = math.floor(math.log10(abs(std))) - 1
    if abs(value) >= 1e9 or std < 1e-4:
        return f"{value:.3g}" if value != std else f"{value:.2g}"
    if exponent >= 0:
        return str(int(round(value, -exponent)))
    return f"{value:.{-exponent}f}"


def default_fields(table_fields: Sequence[str], metric_names: Sequence[str], limit: int = 8) -> list[str]:
    """Fields a groups table summarises: the table's metric columns, else the last value of each
    metric (at most ``limit``); Sacred's result comes first."""
    metrics = [name for name in table_fields if name.startswith("metric.")]
    if not metrics:
        metrics = [f"metric.{name}.last" for name in metric_names[:limit]]
    return ["result", *metrics]


def sort_groups(groups: Sequence[SeedGroup], column: str, reverse: bool = False,
                varying: Sequence[str] = ()) -> list[SeedGroup]:
    """Groups ordered by a groups-table column: ``group`` (first run id), ``runs`` (count),
    ``config`` (the varying keys' values) or a summarised field (by its mean). Groups without a
    value come last in either direction."""
    if column == "group":
        ordered = sorted(groups, key=lambda group: run_id_sort_key(group.rows[0].run_id) if group.rows
                         else (9, 0, ""), reverse=reverse)
        return ordered
    if column == "runs":
        return sorted(groups, key=lambda group: len(group.rows), reverse=reverse)
    if column == "config":
        return sorted(groups, key=lambda group: shared_config_text(group, varying, 1000), reverse=reverse)
    known = [group for group in groups if group.stats(column) is not None]
    missing = [group for group in groups if group.stats(column) is None]
    known.sort(key=lambda group: group.stats(column).mean, reverse=reverse)  # type: ignore[union-attr]
    return known + missing
