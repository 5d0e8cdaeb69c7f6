"""Provides the read side of the Sacred runs-folder format: folders, runs, records and live tails.

Everything here uses the standard library only (and msgspec, where installed, to parse JSON
faster) and never raises for broken files in a runs folder: problems are reported as text
(``StoredRun.problems()``).
"""
from __future__ import annotations

from core.runs._decode import decode_pickled_datetime, parse_timestamp
from core.runs.folder import RunsFolder, RunStamp, ScanResult, numeric_run_id, sort_run_ids
from core.runs.follow import MetricsFollower, TextTail
from core.runs.layout import (CONFIG_JSON, COUT_TXT, INFO_JSON, METRICS_JSON, METRICS_JSONL,
                              RUN_JSON, TRACKED_FILES)
from core.runs.metrics import MetricSeries
from core.runs.record import HostInfo, Repository, RunRecord
from core.runs.stored import ArtifactEntry, ResourceEntry, SourceEntry, StoredRun

__all__ = [
    "CONFIG_JSON", "COUT_TXT", "INFO_JSON", "METRICS_JSON", "METRICS_JSONL", "RUN_JSON", "TRACKED_FILES",
    "ArtifactEntry", "HostInfo", "MetricSeries", "MetricsFollower", "Repository", "ResourceEntry",
    "RunRecord", "RunStamp", "RunsFolder", "ScanResult", "SourceEntry", "StoredRun", "TextTail",
    "decode_pickled_datetime", "numeric_run_id", "parse_timestamp", "sort_run_ids",
]
