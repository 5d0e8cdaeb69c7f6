#!/usr/bin/env python
"""Writes a big Sacred-format runs folder (FileStorageObserver layout) for runs-table benchmarks.

Run: ``python tests/benchmarks/make_big_runs.py FOLDER --runs 20000 [--points 100]``.
Every run has what Sacred 0.8.7's FileStorageObserver leaves: run.json with every option Sacred
records (about 3 kB), config.json (a small nested config), metrics.json with two or three metrics of
``--points`` points each (indented one value a line, timestamps with microseconds, as Sacred writes
them), info.json, a cout.txt of a few kB, and one or two artifact files; the sources are shared in
``_sources``. Statuses are mixed; some runs are RUNNING, most of those with a heartbeat long gone
(killed runs, shown as probably dead), and QUEUED runs have no metrics or output yet.
A 20,000-run folder takes about 0.9 GB on disk in 130,000 files, like a real one of that size.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

STATUSES = ["COMPLETED"] * 14 + ["FAILED"] * 3 + ["INTERRUPTED", "RUNNING", "QUEUED"]
EXPERIMENTS = ["svm_grid", "mlp_mnist", "resnet_cifar", "lstm_text", "xgboost_tab"]
ARTIFACTS = ["model.pt", "confusion.png"]
SACRED_OPTIONS: dict[str, object] = {
    "--beat-interval": None, "--capture": None, "--comment": None, "--debug": False,
    "--enforce_clean": False, "--file_storage": "runs", "--force": False, "--help": False,
    "--id": None, "--loglevel": None, "--mongo_db": None, "--name": None, "--pdb": False,
    "--print-config": False, "--priority": None, "--queue": False, "--s3": None, "--sql": None,
    "--tiny_db": None, "--unobserved": False, "COMMAND": None, "UPDATE": [], "help": False,
    "with": True,
}


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


def run_json(index: int, now: datetime) -> dict[str, object]:
    """A run.json shaped like Sacred 0.8.7's, varied by ``index``."""
    status = STATUSES[index % len(STATUSES)]
    start = now - timedelta(minutes=20_000 - index % 20_000)
    stop = start + timedelta(seconds=30 + index % 3600)
    heartbeat = now - timedelta(seconds=5 if index % 20 == 0 else 900) if status == "RUNNING" else stop
    run: dict[str, object] = {
        "artifacts": ARTIFACTS[: 1 + index % 2] if status not in ("QUEUED",) else [],
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
            "options": {**SACRED_OPTIONS, "UPDATE": [f"lr={10 ** -(1 + index % 4)}"]},
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
    """Two or three metrics of ``points`` points, with Sacred's microsecond timestamps."""
    rng = random.Random(index)
    stamps = [_stamp(start + timedelta(seconds=step * 1.7 + rng.random())) for step in range(points)]
    steps = list(range(points))
    metrics: dict[str, object] = {
        "train.loss": {"steps": steps, "timestamps": stamps,
                       "values": [2.0 / (1 + step) + rng.random() * 0.1 for step in steps]},
        "val.accuracy": {"steps": steps, "timestamps": stamps,
                         "values": [min(1.0, 0.1 + step / points + rng.random() * 0.05) for step in steps]},
    }
    if index % 2:
        metrics["lr"] = {"steps": steps, "timestamps": stamps,
                         "values": [1e-3 * 0.5 ** (step // 25) for step in steps]}
    return metrics


def info_json(index: int) -> dict[str, object]:
    """What a run stores with ``_run.info``: a few numbers and a short list."""
    return {"best_epoch": index % 37, "n_params": 1_000_000 + index,
            "history": [round(1.0 / (1 + step), 4) for step in range(10)]}


def cout_txt(index: int, experiment: str, points: int) -> str:
    """Captured output of a few kB, as Sacred's logging and a training loop print it."""
    lines = [f"INFO - {experiment} - Running command 'main'",
             f'INFO - {experiment} - Started run with ID "{index}"']
    lines += [f"epoch {step:4d}  loss {2.0 / (1 + step):.5f}  acc {min(1.0, 0.1 + step / points):.4f}"
              for step in range(points)]
    lines.append(f"INFO - {experiment} - Completed after 0:{index % 60:02d}:{index % 59:02d}")
    return "\n".join(lines) + "\n"


def _write_sources(folder: Path) -> None:
    sources = folder / "_sources"
    sources.mkdir(exist_ok=True)
    (sources / "train_0123456789abcdef0123456789abcdef.py").write_text(
        "from sacred import Experiment\nex = Experiment('train')\n")


def make_runs(folder: Path, runs: int, points: int = 100) -> Path:
    """Write ``runs`` runs into ``folder`` (ids 1..runs); returns the folder."""
    now = datetime.now(timezone.utc)
    folder.mkdir(parents=True, exist_ok=True)
    _write_sources(folder)
    stale = time.time() - 900
    for index in range(1, runs + 1):
        run_dir = folder / str(index)
        run_dir.mkdir(exist_ok=True)
        run = run_json(index, now)
        # Sacred writes with json.dump(..., sort_keys=True, indent=2), in place.
        (run_dir / "run.json").write_text(json.dumps(run, sort_keys=True, indent=2))
        (run_dir / "config.json").write_text(json.dumps(config_json(index), sort_keys=True, indent=2))
        if run["status"] != "QUEUED":
            start = datetime.fromisoformat(str(run["start_time"]))
            (run_dir / "metrics.json").write_text(json.dumps(metrics_json(index, points, start),
                                                             sort_keys=True, indent=2))
            (run_dir / "info.json").write_text(json.dumps(info_json(index), sort_keys=True, indent=2))
            experiment = run["experiment"]["name"]  # type: ignore[index]
            (run_dir / "cout.txt").write_text(cout_txt(index, str(experiment), points))
            for name in run["artifacts"]:  # type: ignore[union-attr]
                (run_dir / name).write_bytes(bytes(index % 251 for _ in range(2048)))
        if run["status"] == "RUNNING" and index % 20:
            for name in os.listdir(run_dir):
                os.utime(run_dir / name, (stale, stale))
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
