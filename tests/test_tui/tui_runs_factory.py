"""Writes run folders in Sacred's FileStorageObserver format for the runs-table tests."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REFERENCE_RUNS = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


def utc_iso(moment: datetime) -> str:
    """Sacred's timestamp form: naive UTC isoformat."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def ago(seconds: float) -> str:
    """The timestamp of ``seconds`` ago."""
    return utc_iso(datetime.now(timezone.utc) - timedelta(seconds=seconds))


def copy_reference_runs(target: Path) -> Path:
    """Copy the real Sacred 0.8.7 runs into ``target`` and return it."""
    shutil.copytree(REFERENCE_RUNS, target)
    return target


def write_run(
    root: Path,
    run_id: str,
    *,
    status: str = "COMPLETED",
    experiment: str = "exp",
    command: str = "main",
    started: str | None = "2026-01-01T10:00:00",
    stopped: str | None = "2026-01-01T10:05:00",
    heartbeat: str | None = None,
    config: dict[str, Any] | None = None,
    metrics: dict[str, list[float]] | None = None,
    result: Any = None,
    named_configs: list[str] | None = None,
    comment: str | None = None,
    options: dict[str, Any] | None = None,
    hostname: str = "vm",
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write run.json, config.json, metrics.json and cout.txt of one run; returns its folder."""
    folder = root / run_id
    folder.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"command": command, "named_configs": named_configs or [],
                            "config_updates": {}, "options": options or {}}
    if comment is not None:
        meta["comment"] = comment
    run: dict[str, Any] = {
        "artifacts": [], "command": command, "resources": [], "status": status,
        "experiment": {"name": experiment, "base_dir": "/tmp", "mainfile": "exp.py",
                       "dependencies": [], "repositories": [], "sources": []},
        "host": {"hostname": hostname, "os": ["Linux", "x"], "python_version": "3.11", "cpu": "x",
                 "ENV": {}},
        "meta": meta, "heartbeat": heartbeat, "start_time": started, "result": result,
    }
    if stopped is not None:
        run["stop_time"] = stopped
    run.update(extra or {})
    (folder / "run.json").write_text(json.dumps(run, sort_keys=True, indent=2))
    (folder / "config.json").write_text(json.dumps(config or {"seed": 1}, sort_keys=True, indent=2))
    series = {name: {"steps": list(range(len(values))), "values": values,
                     "timestamps": ["2026-01-01T10:00:00"] * len(values)}
              for name, values in (metrics or {}).items()}
    (folder / "metrics.json").write_text(json.dumps(series, sort_keys=True, indent=2))
    (folder / "cout.txt").write_text("")
    return folder
