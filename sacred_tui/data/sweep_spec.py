"""Provides SweepSpec: a grid of runs (values per key × named-config alternatives × seeds) as launch specs.

A sweep is written as axes, each ``KEY=VALUES``:

- a list ``lr=0.01,0.1,1`` (commas inside brackets or quotes belong to the value: ``layers=[16,8],[32]``),
- a range ``steps=10..50:5`` (5 evenly spaced values, both ends included; integers when the ends are
  integers and the spacing is whole; ``n=1..4`` counts 1, 2, 3, 4),
- a log range ``lr=1e-4..1e-1:4log`` (4 values spaced evenly on a log scale: 0.0001, 0.001, 0.01, 0.1);

named-config alternatives ``big,quick`` (``+`` joins configs used together, an empty item means none:
``,big+hard``), and N seeds. Every run is an ordinary :class:`LaunchSpec` whose updates end in
``seed=S``: the seeds are chosen once and recorded, so the same sweep can be run again exactly.
"""
from __future__ import annotations

import ast
import itertools
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sacred_tui.data.launch_spec import LaunchSpec, check_word

__all__ = [
    "MAX_RUNS", "SEED_RANGE", "SweepAxis", "SweepError", "SweepPoint", "SweepSpec", "choose_seeds",
    "parse_alternatives", "parse_axis", "split_values",
]

MAX_RUNS = 10_000
"""A sweep larger than this is refused (a typo such as ``1..100000`` should not queue 100,000 runs)."""

SEED_RANGE = (1, 10**9)
"""Seeds are drawn from the range Sacred draws its own seeds from."""

_RANGE = re.compile(r"^(?P<start>[^:]+?)\.\.(?P<stop>[^:]+?)(?::(?P<count>\d+)(?P<log>log)?)?$")
_OPEN = {"[": "]", "(": ")", "{": "}"}


class SweepError(ValueError):
    """A sweep that cannot be expanded; the message says what was wrong and what is allowed."""


def split_values(text: str) -> list[str]:
    """Split ``a,b,c`` at the commas that are not inside brackets or quotes."""
    parts: list[str] = []
    depth: list[str] = []
    quote = ""
    current = []
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in _OPEN:
            depth.append(_OPEN[char])
        elif depth and char == depth[-1]:
            depth.pop()
        elif char == "," and not depth:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def _number(text: str) -> int | float | None:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _clean(value: float) -> float:
    """Round away binary noise (0.30000000000000004 -> 0.3) so values read as typed."""
    return float(f"{value:.12g}")


def _range_values(text: str, key: str) -> list[str] | None:
    found = _RANGE.match(text.strip())
    if not found:
        return None
    start, stop = _number(found["start"]), _number(found["stop"])
    if start is None or stop is None:
        return None
    count_text, log = found["count"], bool(found["log"])
    if count_text is None:
        if not (isinstance(start, int) and isinstance(stop, int)):
            raise SweepError(f"{key}={text}: a range without a count needs whole numbers (e.g. 1..5); "
                             f"give the number of values for decimals, e.g. {text}:5")
        if stop < start:
            raise SweepError(f"{key}={text}: the range runs backwards; write {stop}..{start}")
        if stop - start + 1 > MAX_RUNS:
            raise SweepError(f"{key}={text}: {stop - start + 1} values, at most {MAX_RUNS}")
        return [repr(value) for value in range(start, stop + 1)]
    count = int(count_text)
    if not 1 <= count <= MAX_RUNS:
        raise SweepError(f"{key}={text}: the number of values must be 1 to {MAX_RUNS}, got {count}")
    if count == 1:
        return [repr(start)]
    if log:
        if start <= 0 or stop <= 0:
            raise SweepError(f"{key}={text}: a log range needs both ends above 0")
        low, high = math.log10(start), math.log10(stop)
        return [repr(_clean(10 ** (low + (high - low) * i / (count - 1)))) for i in range(count)]
    step = (stop - start) / (count - 1)
    if isinstance(start, int) and isinstance(stop, int) and (stop - start) % (count - 1) == 0:
        whole = (stop - start) // (count - 1)
        return [repr(start + whole * i) for i in range(count)]
    return [repr(_clean(start + step * i)) for i in range(count)]


@dataclass(frozen=True)
class SweepAxis:
    """One swept key and its values (each the text after ``KEY=``, a Python literal or a word)."""

    key: str
    values: tuple[str, ...]
    source: str = ""
    """What the user wrote after ``KEY=`` (kept to show and to re-run the sweep)."""

    def words(self) -> list[str]:
        """The ``KEY=VALUE`` update of each value."""
        return [f"{self.key}={value}" for value in self.values]


def parse_axis(text: str) -> SweepAxis:
    """Read ``KEY=VALUES`` (a list, a range or a log range); SweepError says what is wrong."""
    key, equals, values_text = text.partition("=")
    key = key.strip()
    if not equals or not key:
        raise SweepError(f"{text!r} is not a swept key: write KEY=VALUES, e.g. lr=0.01,0.1 or "
                         "lr=1e-4..1e-1:4log")
    if not values_text.strip():
        raise SweepError(f"{key}=: no values given")
    values = _range_values(values_text, key)
    if values is None:
        values = split_values(values_text)
        if any(value == "" for value in values):
            raise SweepError(f"{key}={values_text}: an empty value between commas (write '' for an empty "
                             "string)")
    for value in values:
        why = check_word(f"{key}={value}", named=False)
        if why is not None:
            raise SweepError(f"{key}={value}: {why}")
    if len(set(values)) != len(values):
        raise SweepError(f"{key}={values_text}: a value is listed twice")
    return SweepAxis(key, tuple(values), values_text.strip())


def parse_alternatives(text: str) -> list[tuple[str, ...]]:
    """Read named-config alternatives: ``big,quick`` is two runs, ``big+hard`` one run with both.

    An empty item (``,big``) is the alternative without named configs.
    """
    alternatives: list[tuple[str, ...]] = []
    for item in text.split(","):
        names = tuple(name.strip() for name in item.split("+") if name.strip())
        for name in names:
            why = check_word(name, named=True)
            if why is not None:
                raise SweepError(f"Named config {name!r}: {why}")
        if names in alternatives:
            raise SweepError(f"The named-config alternative {'+'.join(names) or '(none)'} is listed twice")
        alternatives.append(names)
    return alternatives


def choose_seeds(count: int, rnd: random.Random | None = None) -> tuple[int, ...]:
    """``count`` distinct seeds from Sacred's seed range."""
    if count < 0 or count > MAX_RUNS:
        raise SweepError(f"The number of seeds must be 0 to {MAX_RUNS}, got {count}")
    rnd = rnd or random.SystemRandom()
    chosen: dict[int, None] = {}
    while len(chosen) < count:
        chosen[rnd.randint(*SEED_RANGE)] = None
    return tuple(chosen)


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: its position and what it runs."""

    index: int
    spec: LaunchSpec
    seed: int | None


@dataclass(frozen=True)
class SweepSpec:
    """A grid: the base launch × axes × named-config alternatives × seeds."""

    base: LaunchSpec
    """Script, command, named configs and updates every run shares, options, interpreter."""
    axes: tuple[SweepAxis, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ((),)
    """Named configs added after the base's, one tuple per alternative."""
    seeds: tuple[int, ...] = ()
    """Each combination runs once per seed (``seed=S`` last); empty: once, seeded by the script."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """What else the sweep was started with (target and its options), kept with its record."""

    def __len__(self) -> int:
        count = max(1, len(self.seeds)) * max(1, len(self.alternatives))
        for axis in self.axes:
            count *= len(axis.values)
        return count

    def problems(self) -> list[str]:
        """Everything that makes the sweep invalid, as sentences (empty when it can run)."""
        found = list(self.base.problems())
        keys = [axis.key for axis in self.axes]
        fixed = {word.partition("=")[0].strip() for word in self.base.updates}
        for key in sorted({key for key in keys if keys.count(key) > 1}):
            found.append(f"{key} is swept twice: give all its values in one place.")
        for key in sorted(set(keys) & fixed):
            found.append(f"{key} is both swept and set to one value: drop one of the two.")
        if self.seeds and ("seed" in fixed or "seed" in keys):
            found.append("seed is set while the sweep chooses seeds: drop seed= or the seeds.")
        if len(set(self.seeds)) != len(self.seeds):
            found.append("A seed is listed twice.")
        if not self.alternatives:
            found.append("No named-config alternative: use () for the base alone.")
        if len(self) > MAX_RUNS:
            found.append(f"The sweep has {len(self):,} runs; at most {MAX_RUNS:,} are allowed.")
        return found

    def points(self) -> list[SweepPoint]:
        """Every run, in order: alternatives outermost, then the axes (last fastest), then the seeds."""
        if len(self) > MAX_RUNS:
            raise SweepError(f"The sweep has {len(self):,} runs; at most {MAX_RUNS:,} are allowed.")
        seeds: Sequence[int | None] = self.seeds or (None,)
        points = []
        for named in self.alternatives or ((),):
            for values in itertools.product(*(axis.words() for axis in self.axes)):
                for seed in seeds:
                    updates = [*self.base.updates, *values]
                    if seed is not None:
                        updates.append(f"seed={seed}")
                    spec = self.base.with_changes(named_configs=(*self.base.named_configs, *named),
                                                  updates=tuple(updates))
                    points.append(SweepPoint(len(points), spec, seed))
        return points

    def to_json(self) -> dict[str, Any]:
        """The sweep as plain JSON data (what its record stores and the launcher remembers)."""
        return {
            "script": str(self.base.script), "command": self.base.command,
            "named_configs": list(self.base.named_configs), "updates": list(self.base.updates),
            "options": dict(self.base.options), "python": self.base.python,
            "axes": [{"key": axis.key, "values": list(axis.values), "source": axis.source} for axis in self.axes],
            "alternatives": [list(names) for names in self.alternatives],
            "seeds": list(self.seeds), "runs": len(self), "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SweepSpec:
        """Read :meth:`to_json` data back; SweepError when it is not such data."""
        try:
            base = LaunchSpec.create(Path(str(data["script"])), data.get("command"),
                                     data.get("named_configs") or (), data.get("updates") or (),
                                     data.get("options") or {}, data.get("python"))
            axes = tuple(SweepAxis(str(a["key"]), tuple(str(v) for v in a["values"]), str(a.get("source", "")))
                         for a in data.get("axes") or ())
            alternatives = tuple(tuple(str(n) for n in names) for names in data.get("alternatives") or [[]])
            seeds = tuple(int(seed) for seed in data.get("seeds") or ())
        except (KeyError, TypeError, ValueError) as exc:
            raise SweepError(f"Not a sweep record: {exc}") from None
        return cls(base, axes, alternatives, seeds, dict(data.get("extra") or {}))


def sweep_of(base: LaunchSpec, axes: Iterable[str] = (), alternatives: str | None = None,
             seeds: int | Sequence[int] = 0, extra: Mapping[str, Any] | None = None) -> SweepSpec:
    """Build a sweep from its written form (axes ``KEY=VALUES``, alternatives ``a,b+c``, a seed count or list)."""
    parsed_axes = tuple(parse_axis(text) for text in axes)
    parsed_alternatives = tuple(parse_alternatives(alternatives)) if alternatives is not None else ((),)
    chosen = choose_seeds(seeds) if isinstance(seeds, int) else tuple(int(seed) for seed in seeds)
    return SweepSpec(base, parsed_axes, parsed_alternatives, chosen, dict(extra or {}))
