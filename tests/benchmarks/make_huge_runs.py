#!/usr/bin/env python
"""Writes runs that are huge in one way each, for the run detail benchmark and trying the UI by hand.

Run: ``python tests/benchmarks/make_huge_runs.py FOLDER [--config-mb 20] [--string-mb 10] [--points 1000000]``.

* run 1: a nested config of about ``--config-mb`` MB (a 5,400-layer model section, a 400,000-word
  vocabulary, long lists), started with two config updates so that entries are coloured as modified;
* run 2: a small config with one string value of ``--string-mb`` MB;
* run 3: a killed core run (RUNNING, heartbeat long gone) with one metric of ``--points`` points in
  metrics.json (Sacred's shape, indent 2) and the metrics.jsonl sidecar core keeps beside it;
* run 4: a finished run as Sacred writes it: metrics.json only, two metrics of ``--points`` points.

The files have the shapes Sacred 0.8.7's FileStorageObserver writes (sorted keys, indent 2).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

START = datetime(2026, 11, 28, 1, 0, 0)


def _record(status: str, updates: dict[str, object], words: list[str]) -> dict[str, object]:
    record: dict[str, object] = {
        "artifacts": [], "command": "main", "resources": [], "status": status,
        "experiment": {"base_dir": "/home/researcher/project", "mainfile": "train.py", "name": "huge",
                       "dependencies": ["sacred==0.8.7"], "repositories": [], "sources": []},
        "host": {"ENV": {}, "cpu": "AMD EPYC", "hostname": "node1", "os": ["Linux", "Linux-6.8"],
                 "python_version": "3.11.7"},
        "meta": {"command": "main", "named_configs": [], "config_updates": updates,
                 "options": {"UPDATE": words, "COMMAND": None, "--file_storage": "runs"}},
        "start_time": START.isoformat(),
        "heartbeat": (START + timedelta(hours=3)).isoformat(),
    }
    if status != "RUNNING":
        record["stop_time"] = (START + timedelta(hours=3)).isoformat()
        record["result"] = None
    return record


def _write_run(folder: Path, run_id: str, record: dict[str, object], config: dict[str, object]) -> Path:
    run_dir = folder / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "run.json").write_text(json.dumps(record, sort_keys=True, indent=2))
    (run_dir / "config.json").write_text(json.dumps(config, sort_keys=True, indent=2))
    (run_dir / "cout.txt").write_text("INFO - huge - Running command 'main'\n")
    return run_dir


def big_config(megabytes: float) -> dict[str, object]:
    """A nested config of about ``megabytes`` MB once written with indent 2."""
    rng = random.Random(1)
    scale = max(megabytes / 7.4, 0.01)
    layers = {f"layer{i:05d}": {"units": 64 * (1 + i % 8), "activation": ["relu", "gelu", "tanh"][i % 3],
                                "dropout": round(rng.random() / 2, 3),
                                "init": {"kind": "normal", "scale": round(rng.random(), 6)},
                                "kernel": [round(rng.random(), 4) for _ in range(12)]}
              for i in range(int(2000 * scale))}
    vocab = {f"word{i:06d}": i for i in range(int(150_000 * scale))}
    return {
        "lr": 0.01, "seed": 42, "epochs": 10,
        "model": {"name": "deep", "layers": layers, "head": {"units": 10, "activation": "softmax"}},
        "vocab": vocab,
        "class_weights": [round(rng.random(), 6) for _ in range(int(200_000 * scale))],
        "notes": "a config too big to read whole",
    }


def write_metrics(run_dir: Path, names: list[str], points: int, jsonl: bool) -> None:
    """metrics.json of ``names`` x ``points`` points (and, with ``jsonl``, the metrics.jsonl sidecar)."""
    stamps = [(START + timedelta(milliseconds=7 * step + 0.123)).isoformat() for step in range(points)]
    steps = list(range(points))
    metrics = {}
    for number, name in enumerate(names):
        values = [math.exp(-step / points * 3) + 0.05 * math.sin(step / 500 + number) for step in steps]
        metrics[name] = {"steps": steps, "timestamps": stamps, "values": values}
    with open(run_dir / "metrics.json", "w") as handle:
        json.dump(metrics, handle, sort_keys=True, indent=2)
    if jsonl:
        with open(run_dir / "metrics.jsonl", "w") as handle:
            for start in range(0, points, 10_000):
                for name in names:
                    series = metrics[name]
                    handle.write("".join(
                        f'{{"name": "{name}", "step": {step}, "timestamp": "{stamps[step]}", '
                        f'"value": {series["values"][step]!r}}}\n'
                        for step in range(start, min(points, start + 10_000))))


def make_huge_runs(folder: Path, config_mb: float = 20, string_mb: float = 10,
                   points: int = 1_000_000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    updates = {"lr": 0.01, "model": {"layers": {"layer00007": {"units": 512}}}}
    config = big_config(config_mb)
    config["model"]["layers"]["layer00007"]["units"] = 512  # type: ignore[index]
    _write_run(folder, "1", _record("COMPLETED", updates, ["lr=0.01", "model.layers.layer00007.units=512"]),
               config)
    prompt = ("The quick brown fox jumps over the lazy dog. " * (int(string_mb * 1024 * 1024) // 45 + 1))
    _write_run(folder, "2", _record("COMPLETED", {}, []),
               {"lr": 0.1, "seed": 7, "prompt": prompt[: int(string_mb * 1024 * 1024)]})
    killed = _write_run(folder, "3", _record("RUNNING", {}, []), {"lr": 0.1, "seed": 3})
    write_metrics(killed, ["train.loss"], points, jsonl=True)
    stale = time.time() - 3 * 3600
    for name in os.listdir(killed):
        os.utime(killed / name, (stale, stale))
    finished = _write_run(folder, "4", _record("COMPLETED", {}, []), {"lr": 0.1, "seed": 4})
    write_metrics(finished, ["train.loss", "val.accuracy"], points, jsonl=False)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--config-mb", type=float, default=20)
    parser.add_argument("--string-mb", type=float, default=10)
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    make_huge_runs(args.folder, args.config_mb, args.string_mb, args.points)
    sizes = {path.relative_to(args.folder): path.stat().st_size / 1e6 for path in sorted(args.folder.rglob("*.json*"))}
    print(f"wrote {args.folder} in {time.perf_counter() - started:.1f}s: "
          + ", ".join(f"{path} {size:.1f} MB" for path, size in sizes.items() if size > 1))


if __name__ == "__main__":
    main()
