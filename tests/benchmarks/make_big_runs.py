#!/usr/bin/env python
"""Writes a big Sacred-format runs folder (FileStorageObserver layout) for runs-table benchmarks.

Run: ``python tests/benchmarks/make_big_runs.py FOLDER --runs 20000 [--points 100]``.
Every run has a realistic run.json (about 2.5 kB, like Sacred's), a config of ~20 keys, three
metrics of ``--points`` points, and a short cout.txt. Statuses are mixed; a few runs are RUNNING
(half of them with an old heartbeat, so they show as probably dead).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

STATUSES = ["COMPLETED"] * 14 + ["FAILED"] * 3 + ["INTERRUPTED", "RUNNING", "QUEUED"]
EXPERIMENTS = ["svm_grid", "mlp_mnist", "resnet_cifar", "lstm_text", "xgboost_tab"]


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


def run_json(index: int, now: datetime) -> dict[str, object]:
    """A run.json shaped like Sacred 0.8.7's, varied by ``index``."""
    status = STATUSES[index % len(STATUSES)]
    start = now - timedelta(minutes=20_000 - index % 20_000)
    stop = start + timedelta(seconds=30 + index % 3600)
    heartbeat = now - timedelta(seconds=5 if index % 2 else 900) if status == "RUNNING" else stop
    run: dict[str, object] = {
        "artifacts": ["model.pt"] if index % 3 == 0 else [],
        "command": "main",
        "experiment": {
            "base_dir": "/home/researcher/project", "mainfile": "train.py",
            "name": EXPERIMENTS[index % len(EXPERIMENTS)],
            "dependencies": ["numpy==2.4.6", "sacred==0.8.7", "torch==2.5.1"],
            "repositories": [{"commit": f"{index:040x}", "dirty": index % 7 == 0,
                              "url": "git@github.com:lab/project.git"}],
            "sources": [["train.py", "_sources/train_0123456789abcdef0123456789abcdef.py"]],
        },
        "heartbeat": _stamp(heartbeat) if status != "QUEUED" else None,
        "host": {"ENV": {}, "cpu": "AMD EPYC 7763 64-Core Processor", "hostname": f"node{index % 16}",
                 "os": ["Linux", "Linux-6.8.0-x86_64-with-glibc2.39"], "python_version": "3.11.7"},
        "meta": {
            "command": "main", "named_configs": ["big"] if index % 4 == 0 else [],
            "config_updates": {"lr": 10 ** -(1 + index % 4)},
            "options": {"--beat-interval": None, "--comment": None, "--file_storage": "runs",
                        "--name": None, "--queue": False, "UPDATE": [f"lr={10 ** -(1 + index % 4)}"],
                        "with": True},
        },
        "resources": [],
        "start_time": _stamp(start),
        "status": status,
    }
    if index % 10 == 0:
        run["meta"]["comment"] = f"sweep {index // 10}"  # type: ignore[index]
    if status not in ("RUNNING", "QUEUED"):
        run["stop_time"] = _stamp(stop)
        run["result"] = {"accuracy": round(0.5 + (index % 500) / 1000, 4), "loss": 1.0 / (1 + index % 97)}
    if status == "FAILED":
        run["fail_trace"] = ["Traceback (most recent call last):\n", "ValueError: diverged\n"]
    return run


def config_json(index: int) -> dict[str, object]:
    """A config of about twenty keys with one nested ingredient."""
    return {
        "lr": 10 ** -(1 + index % 4), "batch_size": 2 ** (4 + index % 5), "epochs": 10 + index % 40,
        "seed": index * 7919 % 1_000_003, "dropout": round((index % 6) / 10, 1), "momentum": 0.9,
        "optimizer": ["sgd", "adam", "adamw"][index % 3], "weight_decay": 1e-4, "warmup": index % 5,
        "model": {"depth": 2 + index % 8, "width": 64 * (1 + index % 4), "activation": "relu",
                  "norm": "batch", "residual": bool(index % 2)},
        "dataset": {"name": "cifar10", "path": "/data/cifar10", "augment": True, "n_items": 50_000},
        "scheduler": "cosine", "clip": 1.0,
    }


def metrics_json(index: int, points: int, start: datetime) -> dict[str, object]:
    """Three metrics of ``points`` points."""
    stamps = [_stamp(start + timedelta(seconds=step)) for step in range(points)]
    steps = list(range(points))
    return {
        "loss": {"steps": steps, "timestamps": stamps,
                 "values": [1.0 / (1 + step + index % 10) for step in steps]},
        "accuracy": {"steps": steps, "timestamps": stamps,
                     "values": [min(1.0, 0.1 + step / points) for step in steps]},
        "lr": {"steps": steps, "timestamps": stamps, "values": [1e-3] * points},
    }


def make_runs(folder: Path, runs: int, points: int = 100) -> Path:
    """Write ``runs`` runs into ``folder`` (ids 1..runs); returns the folder."""
    now = datetime.now(timezone.utc)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(1, runs + 1):
        run_dir = folder / str(index)
        run_dir.mkdir(exist_ok=True)
        run = run_json(index, now)
        (run_dir / "run.json").write_text(json.dumps(run, sort_keys=True, indent=2))
        (run_dir / "config.json").write_text(json.dumps(config_json(index), sort_keys=True, indent=2))
        if run["status"] != "QUEUED":
            start = datetime.fromisoformat(str(run["start_time"]))
            (run_dir / "metrics.json").write_text(json.dumps(metrics_json(index, points, start),
                                                             sort_keys=True, indent=2))
            (run_dir / "cout.txt").write_text(f"epoch 1 loss {1.0 / index:.4f}\ndone\n")
        if run["status"] == "RUNNING" and index % 2 == 0:
            old = time.time() - 900
            for name in os.listdir(run_dir):
                os.utime(run_dir / name, (old, old))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--points", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    make_runs(args.folder, args.runs, args.points)
    print(f"wrote {args.runs} runs to {args.folder} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
