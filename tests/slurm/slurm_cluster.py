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


OWNER_FILE = "owner.pid"
"""In a test cluster's state folder: the pid of the test session that started it."""
_DAEMONS = ("munged", "slurmctld", "slurmd")


def _state_dir_of(command: list[str]) -> Path | None:
    """The state folder a cluster daemon was started with (from its command line), if it is a test cluster's."""
    for arg in command:
        path = arg.split("=", 1)[-1]
        for marker in ("/slurm.conf", "/munge/"):
            if "/pytest-of-" in path and marker in path:
                return Path(path[: path.index(marker)])
    return None


def _owner_alive(state_dir: Path) -> bool:
    if state_dir.is_dir() and not (state_dir / OWNER_FILE).exists():
        return True  # started before owners were recorded: only reaped once pytest removed its folder
    try:
        owner = int((state_dir / OWNER_FILE).read_text())
        os.kill(owner, 0)
    except (OSError, ValueError):
        return False
    return True


def reap_orphaned_clusters() -> list[int]:
    """Kill the daemons of test clusters whose test session is gone (killed before its teardown ran).

    Clusters of sessions still running (other test runs on this machine) are left alone. Returns the
    pids killed.
    """
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if not command or Path(command[0]).name not in _DAEMONS:
            continue
        state_dir = _state_dir_of(command)
        if state_dir is None or _owner_alive(state_dir):
            continue
        try:
            os.kill(int(entry.name), 9)
            killed.append(int(entry.name))
        except OSError:
            pass
    return killed
