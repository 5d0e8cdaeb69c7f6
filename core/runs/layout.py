"""Provides the names of the files in a Sacred-format run directory and the shared folders."""
from __future__ import annotations

RUN_JSON = "run.json"
CONFIG_JSON = "config.json"
METRICS_JSON = "metrics.json"
METRICS_JSONL = "metrics.jsonl"
"""Append-only sidecar of metrics.json written by our observer (absent in real Sacred runs)."""
INFO_JSON = "info.json"
PROCESS_JSON = "process.json"
"""Extra file written by our observer at start: the run's pid and host (absent in real Sacred runs)."""
COUT_TXT = "cout.txt"

TRACKED_FILES: tuple[str, ...] = (RUN_JSON, CONFIG_JSON, METRICS_JSON, METRICS_JSONL, COUT_TXT, INFO_JSON)
"""Files whose (mtime_ns, size) a folder scan compares to find out what changed in a run."""

SOURCES_DIR = "_sources"
RESOURCES_DIR = "_resources"
