"""A test session killed before its teardown leaves its cluster's daemons; the next session reaps them.

The daemons here are stand-ins started under the daemons' names with their state-folder arguments
(`exec -a`): what is tested is which processes the reaper picks, and that it kills them.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from slurm_cluster import OWNER_FILE, reap_orphaned_clusters


def _daemon(name: str, state_dir: Path) -> subprocess.Popen[bytes]:
    args = {"munged": f"--key-file={state_dir}/munge/munge.key", "slurmctld": f"-f {state_dir}/slurm.conf"}[name]
    return subprocess.Popen(["bash", "-c", f"exec -a {name} {sys.executable} -c 'import time; time.sleep(60)' {args}"])


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def _wait_for_exec(process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 5
    while Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")[0] != name.encode():
        assert time.monotonic() < deadline, f"{name} stand-in did not start"
        time.sleep(0.01)


def test_daemons_of_a_dead_session_are_reaped_and_live_or_foreign_ones_kept(tmp_path: Path) -> None:
    assert "/pytest-of-" in str(tmp_path)  # the reaper only looks at test clusters' folders
    orphaned, owned, unrecorded = tmp_path / "slurm-orphaned", tmp_path / "slurm-owned", tmp_path / "slurm-old"
    for folder in (orphaned, owned, unrecorded):
        folder.mkdir()
    (orphaned / OWNER_FILE).write_text(str(_dead_pid()))
    (owned / OWNER_FILE).write_text(str(os.getpid()))
    daemons = {
        "orphaned munged": _daemon("munged", orphaned),
        "orphaned slurmctld": _daemon("slurmctld", orphaned),
        "owned slurmctld": _daemon("slurmctld", owned),
        "unrecorded munged": _daemon("munged", unrecorded),
    }
    try:
        for label, process in daemons.items():
            _wait_for_exec(process, label.split()[1])
        killed = set(reap_orphaned_clusters())
        assert {daemons["orphaned munged"].pid, daemons["orphaned slurmctld"].pid} <= killed
        assert daemons["orphaned munged"].wait(timeout=5) == -9
        assert daemons["orphaned slurmctld"].wait(timeout=5) == -9
        assert daemons["owned slurmctld"].poll() is None
        assert daemons["unrecorded munged"].poll() is None
    finally:
        for process in daemons.values():
            process.kill()
            process.wait()
