"""Provides host info, source and dependency discovery, and git state for run.json.

Nothing here probes at import time; per-process facts (hostname, CPU, GPUs, package versions)
are cached after their first use.
"""
from __future__ import annotations

from core.host.distributions import distribution_for_module
from core.host.experiment_info import enforce_clean, format_dependencies, get_experiment_info
from core.host.machine import (
    DEFAULT_HOST_KEYS,
    HostInfoGatherer,
    IgnoreHostInfo,
    get_cpu_name,
    get_host_info,
    host_info_gatherer,
    parse_cpuinfo,
    parse_nvidia_smi_xml,
)
from core.host.sources import (
    PackageDependency,
    Source,
    gather_sources_and_dependencies,
    get_digest,
)

__all__ = [
    "DEFAULT_HOST_KEYS",
    "HostInfoGatherer",
    "IgnoreHostInfo",
    "PackageDependency",
    "Source",
    "distribution_for_module",
    "enforce_clean",
    "format_dependencies",
    "gather_sources_and_dependencies",
    "get_cpu_name",
    "get_digest",
    "get_experiment_info",
    "get_host_info",
    "host_info_gatherer",
    "parse_cpuinfo",
    "parse_nvidia_smi_xml",
]
