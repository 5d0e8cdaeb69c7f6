"""Provides RunRecord, a typed and tolerant view over one run's run.json.

run.json comes from real Sacred, from our own writer, or from anything a user dropped in a runs
folder, so every field is read defensively: a missing key or a value of the wrong type becomes None
(or an empty container), never a KeyError or TypeError. The whole dict stays available as ``raw``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.runs._decode import as_pair, parse_timestamp


@dataclass(frozen=True, slots=True)
class HostInfo:
    """The ``host`` block: where the run executed. ``env`` holds the captured ``ENV`` variables."""

    hostname: str | None = None
    os: list[str] | None = None
    python_version: str | None = None
    cpu: str | None = None
    gpus: Any = None
    env: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Repository:
    """One ``experiment.repositories`` entry (Sacred records one per source file, duplicates kept)."""

    url: str | None
    commit: str | None
    dirty: bool | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """Parsed run.json. Timestamps are naive UTC; absent values are None or empty."""

    id: str
    status: str | None = None
    experiment_name: str | None = None
    command: str | None = None
    meta_command: str | None = None
    named_configs: list[str] = field(default_factory=list)
    config_updates: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    priority: float | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None
    heartbeat: datetime | None = None
    queue_time: datetime | None = None
    host: HostInfo = field(default_factory=HostInfo)
    result: Any = None
    has_result: bool = False
    fail_trace: str | None = None
    artifacts: list[str] = field(default_factory=list)
    resources: list[tuple[str, str]] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    repositories: list[Repository] = field(default_factory=list)
    base_dir: str | None = None
    mainfile: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> timedelta | None:
        """Time from start to stop, or None while either is unknown."""
        if self.start_time is None or self.stop_time is None:
            return None
        return self.stop_time - self.start_time

    @property
    def is_dirty(self) -> bool:
        """True when any recorded repository had uncommitted changes."""
        return any(repo.dirty for repo in self.repositories)

    @classmethod
    def from_json(cls, run_id: str, data: object) -> RunRecord:
        """Build a record from a parsed run.json; a non-dict gives an empty record."""
        if not isinstance(data, Mapping):
            return cls(id=run_id)
        raw = dict(data)
        experiment = _mapping(raw.get("experiment"))
        meta = _mapping(raw.get("meta"))
        return cls(
            id=run_id,
            status=_text(raw.get("status")),
            experiment_name=_text(experiment.get("name")),
            command=_text(raw.get("command")),
            meta_command=_text(meta.get("command")),
            named_configs=_texts(meta.get("named_configs")),
            config_updates=_dict_or_none(meta.get("config_updates")),
            options=dict(_mapping(meta.get("options"))),
            comment=_text(meta.get("comment")),
            priority=_number(meta.get("priority")),
            start_time=parse_timestamp(raw.get("start_time")),
            stop_time=parse_timestamp(raw.get("stop_time")),
            heartbeat=parse_timestamp(raw.get("heartbeat")),
            queue_time=parse_timestamp(meta.get("queue_time")),
            host=_host(raw.get("host")),
            result=raw.get("result"),
            has_result="result" in raw,
            fail_trace=_trace(raw.get("fail_trace")),
            artifacts=_texts(raw.get("artifacts")),
            resources=_pairs(raw.get("resources")),
            dependencies=_texts(experiment.get("dependencies")),
            sources=_pairs(experiment.get("sources")),
            repositories=_repositories(experiment.get("repositories")),
            base_dir=_text(experiment.get("base_dir")),
            mainfile=_text(experiment.get("mainfile")),
            raw=raw,
        )


_EMPTY: Mapping[str, Any] = {}


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else _EMPTY


def _dict_or_none(value: object) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range
        return None


def _pairs(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    pairs = (as_pair(item) for item in value)
    return [pair for pair in pairs if pair is not None]


def _trace(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(item for item in value if isinstance(item, str))
    return None


def _host(value: object) -> HostInfo:
    host = _mapping(value)
    os_info = host.get("os")
    return HostInfo(
        hostname=_text(host.get("hostname")),
        os=[str(part) for part in os_info] if isinstance(os_info, list) else None,
        python_version=_text(host.get("python_version")),
        cpu=_text(host.get("cpu")),
        gpus=host.get("gpus"),
        env=dict(_mapping(host.get("ENV"))),
    )


def _repositories(value: object) -> list[Repository]:
    if not isinstance(value, list):
        return []
    repos = []
    for item in value:
        if isinstance(item, Mapping):
            dirty = item.get("dirty")
            repos.append(Repository(url=_text(item.get("url")), commit=_text(item.get("commit")),
                                    dirty=dirty if isinstance(dirty, bool) else None))
    return repos
