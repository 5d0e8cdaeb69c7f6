"""Provides the checks of a filter's config keys and metric names against those the folder's runs have.

Without them a misspelt key (``config.lrr``) or metric is a filter that silently matches nothing.
Each check returns what is wrong, for the parser to report at the field's position, or None.
"""
from __future__ import annotations

import difflib
from collections.abc import Collection


def metric_problem(field: str, known: Collection[str]) -> str | None:
    """``field`` is ``NAME.STAT`` of ``metric.NAME.STAT``; ``metric.loss.foo`` is not ``metric.loss`` + a stat."""
    name = field.rpartition(".")[0]
    if name in known:
        return None
    head, _, last = name.rpartition(".")
    if head in known:
        return f"{last!r} is not a statistic of metric {head!r}: use metric.{head}.last, .min or .max"
    listed = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
    return f"no run logged a metric {name!r}" + (f"; metrics: {listed}" if known else "")


def config_problem(key: str, known: Collection[str]) -> str | None:
    """``key`` is ``KEY`` of ``config.KEY``; ``known`` holds the flattened keys of every run."""
    if key in known:
        return None
    prefix = key + "."
    inside = sorted(name for name in known if name.startswith(prefix))
    if inside:  # rows hold flattened keys: a dict of keys has no value of its own to compare
        listed = ", ".join(f"config.{name}" for name in inside[:3]) + (" …" if len(inside) > 3 else "")
        return f"config.{key} is a dict of keys: compare one of them ({listed})"
    close = difflib.get_close_matches(key, list(known), n=3)
    hint = f"; did you mean {', '.join(f'config.{name}' for name in close)}?" if close else ""
    return f"no run has a config key {key!r}{hint}"
