"""Provides `slurm_cluster`: a real single-node SLURM cluster on localhost for the tests that need one.

The cluster is started once per test session by `tests/slurm/cluster.sh` in a private state folder
and on free ports, so it never meets the machine's own SLURM setup or a cluster started by hand.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from slurm_cluster import OWNER_FILE, SlurmCluster, reap_orphaned_clusters

CLUSTER_SCRIPT = Path(__file__).with_name("cluster.sh")
SLURM_TOOLS = ("sbatch", "squeue", "scancel", "scontrol", "slurmctld", "slurmd", "munged")


def _missing_tools() -> list[str]:
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [tool for tool in SLURM_TOOLS if shutil.which(tool, path=search) is None]


def _free_port_pair() -> int:
    """A port p such that p and p + 1 are free now (slurmctld and slurmd)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two consecutive free ports on 127.0.0.1")


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"SLURM not installed (missing {', '.join(missing)}): apt-get install -y slurm-wlm munge")
    if os.geteuid() != 0:
        pytest.skip("the test cluster's slurmd must run as root")
    reap_orphaned_clusters()
    state_dir = tmp_path_factory.mktemp("slurm")
    (state_dir / OWNER_FILE).write_text(str(os.getpid()))
    env = {
        **os.environ,
        "SACRED_TUI_SLURM_DIR": str(state_dir),
        "SACRED_TUI_SLURM_PORT": str(_free_port_pair()),
        "PATH": os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]),
    }
    started = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=60
    )
    if started.returncode != 0:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
        pytest.fail(f"the test cluster did not start:\n{started.stdout}\n{started.stderr}")
    cluster = SlurmCluster(conf=state_dir / "slurm.conf", state_dir=state_dir)
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(cluster.conf)
    try:
        yield cluster
    finally:
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
