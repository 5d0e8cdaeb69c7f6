"""Sacred's ``sacred.metrics_logger``: the metrics buffer with Sacred's method names, and its entries."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from core.metrics import MetricsLogger as _Buffer

__all__ = ["MetricsLogger", "ScalarMetricLogEntry", "linearize_metrics"]


class ScalarMetricLogEntry:
    """One logged point."""

    def __init__(self, name: str, step: Any, timestamp: datetime, value: Any) -> None:
        self.name = name
        self.step = step
        self.timestamp = timestamp
        self.value = value


class MetricsLogger(_Buffer):
    """``log_scalar_metric`` records a point; ``get_last_metrics`` hands out the points since the last call."""

    def log_scalar_metric(self, metric_name: str, value: Any, step: Any = None) -> None:
        self.log_scalar(metric_name, value, step)

    def get_last_metrics(self) -> list[ScalarMetricLogEntry]:
        return [ScalarMetricLogEntry(name, step, timestamp, value)
                for name, series in self.drain().items()
                for step, value, timestamp in zip(series["steps"], series["values"], series["timestamps"])]


def linearize_metrics(logged_metrics: Iterable[ScalarMetricLogEntry]) -> dict:
    """``{name: {"steps": [...], "values": [...], "timestamps": [...]}}`` from entries, in their order."""
    metrics: dict = {}
    for entry in logged_metrics:
        series = metrics.setdefault(entry.name, {"steps": [], "values": [], "timestamps": []})
        series["steps"].append(entry.step)
        series["values"].append(entry.value)
        series["timestamps"].append(entry.timestamp)
    return metrics
