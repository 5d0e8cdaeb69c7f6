"""Provides the record of a queued run beside its QUEUED folder, and ending a run that never started.

A run queued by a sweep is Sacred's own QUEUED entry (run.json + config.json, as ``-q`` writes them)
plus an extra ``queue.json``, the ticket: the command line that starts it (the script is run with
``--id N`` and takes the folder over), where it runs (``local`` or ``slurm``) and which process holds
it, so a queue whose process is gone is visible and can be resumed. A run that ends before it started
(cancelled, or its SLURM job died first) is claimed (``claim.json``, so it can never start after that)
and run.json gets its final status: INTERRUPTED for a cancellation, FAILED with the reason otherwise.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.observers.atomic import atomic_write_text
from core.observers.queued_claim import claim_queued_run

__all__ = [
    "LOCAL", "QUEUE_JSON", "SLURM", "QueueTicket", "end_unstarted", "process_alive", "read_json_file",
    "read_ticket", "utc_now_iso", "write_end", "write_json_file", "write_ticket",
]

QUEUE_JSON = "queue.json"
LOCAL = "local"
SLURM = "slurm"


def utc_now_iso() -> str:
    """Now as naive-UTC ISO text, the way Sacred stores times."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()


def read_json_file(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """A small JSON object file, or None when it is missing, torn or not an object."""
    try:
        with open(path, "rb") as stream:
            value = json.loads(stream.read())
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def write_json_file(path: str | os.PathLike[str], value: Mapping[str, Any]) -> None:
    """Replace a small JSON file atomically (readers never see half of it)."""
    atomic_write_text(path, json.dumps(value, indent=2, sort_keys=True))


def process_alive(pid: int | None, hostname: str | None) -> bool | None:
    """Whether ``pid`` still runs (None when it ran on another host, so nobody here can tell)."""
    if not isinstance(pid, int) or pid <= 0 or hostname != platform.node():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@dataclass(frozen=True)
class QueueTicket:
    """How a queued run starts, where, and who holds it (the content of queue.json)."""

    target: str
    """``local`` (started by a local queue) or ``slurm`` (a SLURM job starts it)."""
    argv: tuple[str, ...]
    """The command line without ``--id``: interpreter, script, command, ``with`` words, options, -F."""
    cwd: str
    sweep: str | None = None
    index: int | None = None
    count: int | None = None
    owner_host: str = ""
    owner_pid: int | None = None
    queued: str = ""

    def start_argv(self, run_id: str) -> list[str]:
        """The command line that starts the run: the queued one, taking over folder ``run_id``."""
        return [*self.argv, f"--id={run_id}"]

    def owner_alive(self) -> bool | None:
        """Whether the process holding this queue still runs (None: another host, cannot tell)."""
        return process_alive(self.owner_pid, self.owner_host)

    def adopted(self) -> QueueTicket:
        """The same ticket held by this process (a queue resumed here)."""
        return QueueTicket(self.target, self.argv, self.cwd, self.sweep, self.index, self.count,
                           platform.node(), os.getpid(), self.queued)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "argv": list(self.argv), "cwd": self.cwd, "sweep": self.sweep,
                "index": self.index, "count": self.count,
                "owner": {"hostname": self.owner_host, "pid": self.owner_pid}, "queued": self.queued}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueTicket | None:
        """Read queue.json data (None when it is not a ticket)."""
        argv, owner = data.get("argv"), data.get("owner")
        if not isinstance(argv, list) or not all(isinstance(word, str) for word in argv) or not argv:
            return None
        owner = owner if isinstance(owner, dict) else {}
        pid = owner.get("pid")

        def number(value: Any) -> int | None:
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(str(data.get("target") or LOCAL), tuple(argv), str(data.get("cwd") or ""),
                   data.get("sweep") if isinstance(data.get("sweep"), str) else None,
                   number(data.get("index")), number(data.get("count")),
                   str(owner.get("hostname") or ""), number(pid), str(data.get("queued") or ""))

    @classmethod
    def create(cls, target: str, argv: Sequence[str], cwd: str | os.PathLike[str], sweep: str | None = None,
               index: int | None = None, count: int | None = None) -> QueueTicket:
        """A ticket held by this process, queued now."""
        return cls(target, tuple(argv), str(cwd), sweep, index, count, platform.node(), os.getpid(),
                   utc_now_iso())


def read_ticket(run_dir: str | os.PathLike[str]) -> QueueTicket | None:
    """The ticket of a queued run (None for a run no queue of ours holds)."""
    data = read_json_file(Path(run_dir) / QUEUE_JSON)
    return QueueTicket.from_json(data) if data is not None else None


def write_ticket(run_dir: str | os.PathLike[str], ticket: QueueTicket) -> None:
    """Store (or replace) the ticket of a queued run."""
    write_json_file(Path(run_dir) / QUEUE_JSON, ticket.to_json())


def end_unstarted(run_dir: str | os.PathLike[str], status: str, reason: Iterable[str] = (),
                  action: str = "cancel") -> bool:
    """End a QUEUED run that never started: claim it, then give run.json its final ``status``.

    ``reason`` lines become the ``fail_trace`` of a FAILED run. Returns False, changing nothing,
    when the run is not QUEUED any more or someone took it first (it started meanwhile).
    """
    try:
        claim_queued_run(run_dir, action)
    except FileExistsError:
        return False
    write_end(run_dir, status, reason)
    return True


def write_end(run_dir: str | os.PathLike[str], status: str, reason: Iterable[str] = ()) -> None:
    """Give the run.json of a claimed, never started run its final status (and fail_trace)."""
    path = Path(run_dir)
    record = read_json_file(path / "run.json") or {}
    record["status"] = status
    record["stop_time"] = utc_now_iso()
    lines = [line if line.endswith("\n") else line + "\n" for line in reason]
    if status == "FAILED":
        record["fail_trace"] = lines or ["The run ended before it started.\n"]
    write_json_file(path / "run.json", record)
