"""Provides quick_summaries: last/min/max of every metric of a finished run, read the cheap way;
and whole_summaries, the job that summarises huge metrics files in a child process.

A finished run's metrics.json holds all its points. The table needs only a summary per metric, so
the file is parsed once with the C JSON parser and reduced at once, without building the point
series (timestamps, steps) that the run's detail screen needs. Anything unusual (a torn or damaged
file, an entry of the wrong shape, a file too big to parse in one go without stalling the app)
returns None: the caller then takes the tolerant path, which words the problem.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping

from core.runs import METRICS_JSON, METRICS_JSONL, MetricsFollower, fast_json
from core.runs.metrics import to_float
from core.runs.safe_open import read_regular, regular_size
from sacred_tui.data.rows import MetricSummary

QUICK_LIMIT = 4 << 20
"""metrics.json files bigger than this (bytes) are not summarised here: parsing one holds the
interpreter for a long time, so they are read by the incremental reader instead."""


HUGE_LIMIT = QUICK_LIMIT
"""Metrics files bigger than this (bytes) are summarised in a child process (see :func:`is_huge`)."""


def is_huge(run_dir: str, *, following: bool) -> bool:
    """True when reading the metrics of ``run_dir`` here would hold the interpreter too long.

    A followed metrics.jsonl is read from where the previous read stopped (bounded by what was
    added); metrics.json is parsed whole at every change, and a first read reads everything.
    """
    sidecar = regular_size(f"{run_dir}/{METRICS_JSONL}")
    if sidecar is not None:
        return sidecar > HUGE_LIMIT and not following
    size = regular_size(f"{run_dir}/{METRICS_JSON}")
    return size is not None and size > HUGE_LIMIT


def whole_summaries(run_dir: str) -> tuple[dict[str, MetricSummary], str | None]:
    """Every metric's summary and the reading problem: the careful reader's answer, in one go.

    Meant for a child process (:class:`~sacred_tui.data.child_worker.ChildWorker`): it builds every
    point of a file that may hold millions.
    """
    follower = MetricsFollower(run_dir)
    series = follower.poll()
    return {str(name): MetricSummary.of(points.values) for name, points in series.items()}, follower.problem


_FLOATS_ONLY = {float}


def _summary(entry: object) -> MetricSummary | None:
    if not isinstance(entry, Mapping):
        return None
    steps, values = entry.get("steps"), entry.get("values")
    if not isinstance(steps, list) or not isinstance(values, list):
        return None
    if len(values) > len(steps):
        values = values[:len(steps)]
    if values and set(map(type, values)) == _FLOATS_ONLY and math.isfinite(sum(values)):
        # Every value finite: the builtins find the extremes without a Python loop.
        return MetricSummary(values[-1], min(values), max(values), len(values))
    return MetricSummary.of([to_float(value) for value in values])


def quick_summaries(run_dir: str) -> dict[str, MetricSummary] | None:
    """Return the summary of each metric in ``run_dir``/metrics.json ({} when there is none).

    None means "take the careful path" (see the module's docstring).
    """
    try:
        data = read_regular(f"{run_dir}/{METRICS_JSON}", QUICK_LIMIT + 1)
    except FileNotFoundError:
        # No metrics, unless they are only in the sidecar of a run our observer wrote.
        return None if os.path.lexists(f"{run_dir}/{METRICS_JSONL}") else {}
    except (OSError, ValueError):
        return None
    if len(data) > QUICK_LIMIT:
        return None
    sidecar = f"{run_dir}/{METRICS_JSONL}"
    if not os.access(sidecar, os.R_OK) and os.path.lexists(sidecar):
        return None  # a sidecar that cannot be read is a problem the careful path words
    try:
        document = fast_json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    summaries: dict[str, MetricSummary] = {}
    for name, entry in document.items():
        summary = _summary(entry)
        if summary is None:
            return None
        summaries[str(name)] = summary
    return summaries
