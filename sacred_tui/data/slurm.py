"""Provides SLURM submission: options, the batch script, sbatch, one squeue call for many jobs, scancel.

Each queued run is one job. Its batch script, ``slurm.sh`` in the run's folder, changes to the
script's directory and ``exec``s the very argument list a local launch runs (plus ``--id N``), every
word quoted with ``shlex.quote``: no user value is ever read by a shell as code. sbatch's options
are an argument list too (never a shell string); free-form extra options must be ``--name=value``
words, so a stray word can never be taken for the batch script. SLURM writes its own output file
(``slurm-<job id>.out``, with what slurmstepd says about time limits, memory and cancellations)
into the run's folder, and ``slurm.json`` records the job id and the job's last known state, since
SLURM forgets finished jobs after a few minutes.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sacred_tui.data.queued_runs import read_json_file, utc_now_iso, write_json_file

__all__ = [
    "BATCH_SCRIPT", "FINAL_STATES", "JobState", "SLURM_JSON", "SlurmError", "SlurmOptions", "SlurmRecord",
    "batch_script", "cancel_jobs", "check_options", "cluster_name", "query_jobs", "read_record", "slurm_available",
    "submit_job", "write_record",
]

SLURM_JSON = "slurm.json"
BATCH_SCRIPT = "slurm.sh"
TIMEOUT = 30.0

FINAL_STATES = frozenset({
    "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
    "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT",
})
"""Job states after which SLURM does nothing more with a job."""

_TIME = re.compile(r"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|"
                   r"\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$", re.IGNORECASE)
_MEMORY = re.compile(r"^\d+[KMGT]?$", re.IGNORECASE)
_GPUS = re.compile(r"^([A-Za-z0-9_.-]+:)?\d+$")
_PARTITION = re.compile(r"^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$")
_MANAGED = {
    "--output": "SLURM's output file is written into the run's folder",
    "--error": "errors go to the same output file, in the run's folder",
    "--parsable": "it is used to read the job id", "--wrap": "the batch script is generated",
    "--array": "each run is its own job", "--chdir": "the script runs in its own directory",
    "--test-only": "it is used to check the options before anything is queued",
    "--requeue": "a requeued job would find its run taken already; runs are submitted with --no-requeue",
}
_MANAGED.update({"-o": _MANAGED["--output"], "-e": _MANAGED["--error"], "-a": _MANAGED["--array"],
                 "-D": _MANAGED["--chdir"]})


class SlurmError(Exception):
    """sbatch, squeue or scancel failed or is missing; the message carries SLURM's own words."""


def slurm_available() -> str | None:
    """Why SLURM cannot be used from here (None when sbatch, squeue and scancel are on PATH)."""
    missing = [tool for tool in ("sbatch", "squeue", "scancel") if shutil.which(tool) is None]
    if missing:
        return (f"{', '.join(missing)} not found on PATH: run sacred-tui on a machine that can submit to "
                "the cluster (a login node), or put SLURM's tools on PATH")
    return None


def _tool(argv: Sequence[str], stdin: str | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(argv), input=stdin, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except FileNotFoundError:
        raise SlurmError(f"{argv[0]} not found on PATH") from None
    except subprocess.TimeoutExpired:
        raise SlurmError(f"{argv[0]} did not answer within {timeout:g} s (is slurmctld reachable?)") from None


def _said(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or "").strip() or (done.stdout or "").strip()
    return text or f"exit code {done.returncode}"


@dataclass(frozen=True)
class SlurmOptions:
    """What a job asks of the cluster; empty fields are left to the cluster's defaults."""

    partition: str = ""
    time: str = ""
    """Time limit in SLURM's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS."""
    cpus: int | None = None
    """CPUs per task (``--cpus-per-task``)."""
    gpus: str = ""
    """GPUs (``--gpus``): a count, or TYPE:COUNT."""
    mem: str = ""
    """Memory per node (``--mem``), e.g. 4G."""
    extra: tuple[str, ...] = ()
    """Further sbatch options, each one ``--name=value`` (or ``--flag``) word."""

    def problems(self) -> list[str]:
        """What is wrong with these options, as sentences (empty when they can be submitted)."""
        found = []
        if self.partition and not _PARTITION.match(self.partition):
            found.append(f"Partition {self.partition!r} is not a partition name (letters, digits, . _ -).")
        if self.time and not _TIME.match(self.time):
            found.append(f"Time limit {self.time!r} is not one of SLURM's forms: minutes, MM:SS, HH:MM:SS, "
                         "D-HH, D-HH:MM or D-HH:MM:SS (e.g. 30, 2:00:00, 1-12).")
        if self.cpus is not None and self.cpus < 1:
            found.append(f"CPUs must be at least 1, got {self.cpus}.")
        if self.gpus and not _GPUS.match(self.gpus):
            found.append(f"GPUs {self.gpus!r} must be a count or TYPE:COUNT (e.g. 1 or a100:2).")
        if self.mem and not _MEMORY.match(self.mem):
            found.append(f"Memory {self.mem!r} must be a number with an optional unit K, M, G or T (e.g. 4G).")
        for word in self.extra:
            name = word.split("=", 1)[0] if word.startswith("--") else word[:2]
            if not word.startswith("-") or word in ("-", "--"):
                found.append(f"Extra sbatch option {word!r} is not an option: write each as --name=value "
                             "(e.g. --qos=high), one word per option.")
            elif name in _MANAGED:
                found.append(f"Extra sbatch option {word!r} is not allowed: {_MANAGED[name]}.")
        return found

    def sbatch_args(self) -> list[str]:
        """These options as sbatch arguments."""
        args = []
        if self.partition:
            args.append(f"--partition={self.partition}")
        if self.time:
            args.append(f"--time={self.time}")
        if self.cpus is not None:
            args.append(f"--cpus-per-task={self.cpus}")
        if self.gpus:
            args.append(f"--gpus={self.gpus}")
        if self.mem:
            args.append(f"--mem={self.mem}")
        return [*args, *self.extra]

    def to_json(self) -> dict[str, Any]:
        return {"partition": self.partition, "time": self.time, "cpus": self.cpus, "gpus": self.gpus,
                "mem": self.mem, "extra": list(self.extra)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SlurmOptions:
        cpus = data.get("cpus")
        return cls(str(data.get("partition") or ""), str(data.get("time") or ""),
                   cpus if isinstance(cpus, int) and not isinstance(cpus, bool) else None,
                   str(data.get("gpus") or ""), str(data.get("mem") or ""),
                   tuple(str(word) for word in data.get("extra") or ()))

    @classmethod
    def parse_extra(cls, text: str) -> tuple[str, ...]:
        """Split free-form extra options (``--qos=high --account=ml``) into words, as a shell would."""
        try:
            return tuple(shlex.split(text))
        except ValueError as exc:
            raise SlurmError(f"Extra sbatch options {text!r}: {exc}") from None


def batch_script(argv: Sequence[str], cwd: str | os.PathLike[str], note: str = "") -> str:
    """The batch script that runs ``argv`` in ``cwd``; every word is shell-quoted."""
    lines = ["#!/bin/bash"]
    if note:
        lines += [f"# {line}" for line in note.splitlines()]
    lines += [
        f"cd -- {shlex.quote(os.fspath(cwd))} || exit 1",
        "export PYTHONUNBUFFERED=1",
        "exec " + " ".join(shlex.quote(word) for word in argv),
        "",
    ]
    return "\n".join(lines)


def check_options(options: SlurmOptions) -> None:
    """Ask sbatch whether a job with these options would be accepted (``--test-only``), submitting nothing."""
    problems = options.problems()
    if problems:
        raise SlurmError(" ".join(problems))
    done = _tool(["sbatch", "--test-only", *options.sbatch_args(), "--wrap", "true"])
    if done.returncode != 0:
        raise SlurmError(f"sbatch refuses these options: {_said(done)}")


@dataclass(frozen=True)
class SlurmRecord:
    """What slurm.json keeps: the job and the last state SLURM reported for it."""

    job_id: str
    output: str
    """SLURM's output file, relative to the run's folder."""
    submitted: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    state: str = "PENDING"
    reason: str = ""
    node: str = ""
    checked: str = ""
    """When SLURM last reported on the job (naive UTC ISO)."""
    gone: bool = False
    """SLURM no longer lists the job (it ended longer ago than its MinJobAge)."""
    cluster: str = ""
    """The cluster the job went to (only that cluster's squeue can tell about it)."""

    @property
    def final(self) -> bool:
        """True once the job ended (or SLURM forgot it): nothing more to ask SLURM."""
        return self.gone or self.state in FINAL_STATES

    def to_json(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "output": self.output, "submitted": self.submitted,
                "options": dict(self.options), "state": self.state, "reason": self.reason, "node": self.node,
                "checked": self.checked, "gone": self.gone, "cluster": self.cluster}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SlurmRecord | None:
        job_id = data.get("job_id")
        if not isinstance(job_id, str) or not job_id:
            return None
        options = data.get("options")
        return cls(job_id, str(data.get("output") or ""), str(data.get("submitted") or ""),
                   options if isinstance(options, dict) else {}, str(data.get("state") or "PENDING"),
                   str(data.get("reason") or ""), str(data.get("node") or ""), str(data.get("checked") or ""),
                   bool(data.get("gone")), str(data.get("cluster") or ""))


def read_record(run_dir: str | os.PathLike[str]) -> SlurmRecord | None:
    """The slurm.json of a run (None when the run is not a SLURM job of ours)."""
    data = read_json_file(Path(run_dir) / SLURM_JSON)
    return SlurmRecord.from_json(data) if data is not None else None


def write_record(run_dir: str | os.PathLike[str], record: SlurmRecord) -> None:
    write_json_file(Path(run_dir) / SLURM_JSON, record.to_json())


def submit_job(run_dir: str | os.PathLike[str], argv: Sequence[str], cwd: str | os.PathLike[str],
               options: SlurmOptions, job_name: str) -> SlurmRecord:
    """Write the run's batch script, submit it and record the job in slurm.json."""
    folder = Path(run_dir)
    script = folder / BATCH_SCRIPT
    note = f"Run {folder.name} of {folder.parent}, submitted by sacred-tui: the command a local launch runs."
    script.write_text(batch_script(argv, cwd, note), encoding="utf-8")
    os.chmod(script, 0o755)
    done = _tool(["sbatch", "--parsable", f"--job-name={job_name}", f"--output={folder}/slurm-%j.out",
                  "--no-requeue", *options.sbatch_args(), str(script)])
    job_id = done.stdout.strip().split(";")[0] if done.returncode == 0 else ""
    if not job_id:
        raise SlurmError(f"sbatch refused run {folder.name}: {_said(done)}")
    record = SlurmRecord(job_id, f"slurm-{job_id}.out", utc_now_iso(), options.to_json(), "PENDING", "",
                         "", utc_now_iso(), cluster=cluster_name())
    write_record(folder, record)
    return record


_cluster: list[str] = []


def cluster_name() -> str:
    """The name of the cluster squeue talks to ("" when it cannot be learnt); asked once per process."""
    if not _cluster:
        try:
            done = _tool(["scontrol", "show", "config"], timeout=10)
        except SlurmError:
            return ""
        found = re.search(r"^ClusterName\s*=\s*(\S+)", done.stdout or "", re.MULTILINE)
        _cluster.append(found.group(1) if found else "")
    return _cluster[0]


@dataclass(frozen=True, slots=True)
class JobState:
    """One job as squeue reports it."""

    state: str
    reason: str
    node: str


def query_jobs(job_ids: Iterable[str]) -> dict[str, JobState]:
    """The state of every given job, from one squeue call; jobs SLURM no longer lists are absent."""
    wanted = sorted(set(job_ids))
    if not wanted:
        return {}
    done = _tool(["squeue", "--states=all", "--noheader", "--format=%i|%T|%r|%N", f"--jobs={','.join(wanted)}"])
    if done.returncode != 0:
        if "Invalid job id" in (done.stderr or ""):
            return {}  # every job asked for is gone
        raise SlurmError(f"squeue failed: {_said(done)}")
    found: dict[str, JobState] = {}
    for line in done.stdout.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 4:
            reason = "" if parts[2] in ("None", "(null)") else parts[2]
            found[parts[0]] = JobState(parts[1], reason, "" if parts[3] == "(null)" else parts[3])
    return found


def cancel_jobs(job_ids: Iterable[str]) -> None:
    """scancel the given jobs (SIGTERM to a running job's processes, then SIGKILL after KillWait)."""
    wanted = sorted(set(job_ids))
    if not wanted:
        return
    done = _tool(["scancel", *wanted])
    if done.returncode != 0:
        raise SlurmError(f"scancel failed: {_said(done)}")
