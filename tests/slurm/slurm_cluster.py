"""Provides SlurmCluster (a running test cluster) and small helpers to submit and watch its jobs."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SlurmCluster:
    """A running test cluster: its config file and the environment that points the tools at it."""

    conf: Path
    state_dir: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}


def job_state(cluster: SlurmCluster, job_id: str) -> tuple[str, str]:
    """SLURM's state and reason for a job, as squeue shows them (finished jobs included)."""
    shown = subprocess.run(
        ["squeue", "--states=all", "-h", "-j", job_id, "-o", "%T|%r"],
        env=cluster.env(), capture_output=True, text=True, check=True,
    )
    state, _, reason = shown.stdout.strip().partition("|")
    return state, reason


def wait_for_state(cluster: SlurmCluster, job_id: str, wanted: set[str], timeout: float = 30) -> str:
    """Poll until the job reaches one of `wanted` states; fail the test after `timeout` seconds."""
    state = "unknown"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state, _ = job_state(cluster, job_id)
        if state in wanted:
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {state} after {timeout} s, wanted {wanted}")


def submit(cluster: SlurmCluster, *args: str) -> str:
    """Submit with sbatch and return the job id."""
    done = subprocess.run(
        ["sbatch", "--parsable", *args], env=cluster.env(), capture_output=True, text=True, check=True
    )
    return done.stdout.strip().split(";")[0]
