"""Provides the claim on a QUEUED run folder: exactly one process may take a queued run.

A run queued with ``-q`` is Sacred's QUEUED entry (run.json with ``"status": "QUEUED"`` and its
config). It is started later by running the same command with ``--id N``; the started run then takes
over folder ``N`` instead of failing because it exists. Taking it is the exclusive creation of
``claim.json`` in that folder (complete from its first moment), so of two processes starting the
same queued run, or a run starting while its queue cancels it, exactly one wins and the other gets
a clear error.
"""
from __future__ import annotations

import datetime
import json
import os
import platform

__all__ = ["CLAIM_JSON", "claim_queued_run", "read_claim", "stored_status"]

CLAIM_JSON = "claim.json"
"""Extra file written once, exclusively, by whoever took a queued run (to start or to cancel it)."""


def stored_status(run_dir: str | os.PathLike[str]) -> str | None:
    """The ``status`` in a run folder's run.json (None when it is missing or unreadable)."""
    try:
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as stream:
            status = json.load(stream).get("status")
    except (OSError, ValueError, AttributeError):
        return None
    return status if isinstance(status, str) else None


def read_claim(run_dir: str | os.PathLike[str]) -> dict | None:
    """The claim of a queued run (None when nobody took it yet or it cannot be read)."""
    try:
        with open(os.path.join(run_dir, CLAIM_JSON), encoding="utf-8") as stream:
            claim = json.load(stream)
    except (OSError, ValueError):
        return None
    return claim if isinstance(claim, dict) else None


def _describe(claim: dict | None) -> str:
    if not claim:
        return "by another process"
    return (f"to {claim.get('action', '?')} it, by pid {claim.get('pid', '?')} on "
            f"{claim.get('hostname', '?')} at {claim.get('time', '?')}")


def claim_queued_run(run_dir: str | os.PathLike[str], action: str) -> None:
    """Take the QUEUED run in ``run_dir`` for ``action`` (``start``, ``cancel`` ...).

    Raises FileExistsError, saying why, when the folder holds no QUEUED run or someone took it first.
    """
    path = os.fspath(run_dir)
    status = stored_status(path)
    if status != "QUEUED":
        claim = read_claim(path)
        taken = f" (a queued run, taken {_describe(claim)})" if claim else ""
        raise FileExistsError(f'Run folder "{path}" already exists; choose another --id.{taken}')
    claim = {"action": action, "hostname": platform.node(), "pid": os.getpid(),
             "time": datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()}
    target = os.path.join(path, CLAIM_JSON)
    try:
        _create_exclusively(target, json.dumps(claim, indent=2).encode("utf-8"))
    except FileExistsError:
        raise FileExistsError(f'The queued run in "{path}" was already taken '
                              f"{_describe(read_claim(path))}.") from None


def _create_exclusively(target: str, data: bytes) -> None:
    """Create ``target`` with ``data``, or raise FileExistsError; readers never see it empty.

    The content is written to a private name first and hard-linked to ``target`` (atomic, and
    refused when ``target`` exists); where hard links are not supported, ``O_EXCL`` does the same.
    """
    from core.observers.atomic import temp_path_for
    temp = temp_path_for(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network or FUSE file systems)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    finally:
        os.remove(temp)
