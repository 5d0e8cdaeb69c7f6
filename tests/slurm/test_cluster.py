"""The test cluster itself: it schedules, runs, queues and cancels real jobs."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from slurm_cluster import SlurmCluster, job_state, submit, wait_for_state


def test_cluster_runs_a_batch_job_and_writes_its_output(slurm_cluster: SlurmCluster, tmp_path: Path) -> None:
    out = tmp_path / "job-%j.out"
    job_id = submit(slurm_cluster, f"--output={out}", "--wrap", "echo hello from $SLURM_JOB_ID")
    assert wait_for_state(slurm_cluster, job_id, {"COMPLETED", "FAILED"}) == "COMPLETED"
    assert (tmp_path / f"job-{job_id}.out").read_text() == f"hello from {job_id}\n"


def test_cluster_queues_beyond_its_cores_and_cancels(slurm_cluster: SlurmCluster, tmp_path: Path) -> None:
    cores = int(subprocess.run(
        ["sinfo", "-h", "-o", "%c"], env=slurm_cluster.env(), capture_output=True, text=True, check=True
    ).stdout.split()[0])
    filler = submit(slurm_cluster, f"--output={tmp_path}/f.out", f"--cpus-per-task={cores}", "--wrap", "sleep 30")
    wait_for_state(slurm_cluster, filler, {"RUNNING"})
    waiting = submit(slurm_cluster, f"--output={tmp_path}/w.out", "--wrap", "true")
    deadline = time.monotonic() + 10
    while job_state(slurm_cluster, waiting)[1] in ("None", "") and time.monotonic() < deadline:
        time.sleep(0.2)
    state, reason = job_state(slurm_cluster, waiting)
    assert (state, reason) == ("PENDING", "Resources")
    subprocess.run(["scancel", waiting, filler], env=slurm_cluster.env(), check=True)
    assert wait_for_state(slurm_cluster, waiting, {"CANCELLED"}) == "CANCELLED"
    assert wait_for_state(slurm_cluster, filler, {"CANCELLED"}) == "CANCELLED"


def test_cluster_refuses_an_unknown_partition(slurm_cluster: SlurmCluster) -> None:
    refused = subprocess.run(
        ["sbatch", "--partition=no-such-partition", "--wrap", "true"],
        env=slurm_cluster.env(), capture_output=True, text=True,
    )
    assert refused.returncode != 0
    assert "invalid partition" in refused.stderr.lower()
