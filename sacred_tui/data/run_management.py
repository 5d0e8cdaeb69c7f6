"""Provides the changes a user makes to runs as a whole: note, tags, archive and delete.

Notes, tags and the archive flag go to each run's own extra file (see :mod:`annotations`). Delete
removes run folders for good, after recording their ids as retired so that no new run ever gets
one of them (see :mod:`core.observers.retired_ids`). Runs still running (or waiting in a live
queue) are never deleted: they would write into a folder that is gone.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.observers.retired_ids import retire_ids
from sacred_tui.data.annotations import (AnnotationError, change_tags, check_note, parse_tags,
                                         update_annotations)
from sacred_tui.data.rows import RunRow


@dataclass(slots=True)
class Outcome:
    """Which runs a change reached and, per run, why it did not."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def sentence(self, verb: str) -> str:
        """``"Archived 3 runs."`` plus the failures, one per line."""
        count = len(self.done)
        text = f"{verb} {count} run{'s' if count != 1 else ''}." if count else f"{verb} no run."
        lines = [text] + [f"Run {run_id}: {problem}" for run_id, problem in list(self.failed.items())[:10]]
        if len(self.failed) > 10:
            lines.append(f"… and {len(self.failed) - 10} more runs failed.")
        return "\n".join(lines)


def _each(runs_dir: Path, run_ids: Iterable[str], change: dict[str, object]) -> Outcome:
    outcome = Outcome()
    for run_id in run_ids:
        try:
            update_annotations(runs_dir / run_id, **change)
        except (OSError, AnnotationError) as exc:
            outcome.failed[run_id] = str(exc)
        else:
            outcome.done.append(run_id)
    return outcome


def save_note(runs_dir: Path, run_id: str, note: str) -> Outcome:
    """Store the note of one run (an empty note removes it)."""
    return _each(runs_dir, [run_id], {"note": check_note(note)})


def save_tags(runs_dir: Path, rows: Sequence[RunRow], before: Sequence[str], text: str) -> Outcome:
    """Apply an edit of the tags shared by ``rows`` (``before``) to ``text`` on each of the runs.

    Raises:
        AnnotationError: when a tag in ``text`` is not allowed (nothing is written then).
    """
    after = parse_tags(text)
    outcome = Outcome()
    for row in rows:
        tags = change_tags(row.tags, before, after)
        if tags == row.tags:
            outcome.done.append(row.run_id)
            continue
        part = _each(runs_dir, [row.run_id], {"tags": tags})
        outcome.done.extend(part.done)
        outcome.failed.update(part.failed)
    return outcome


def set_archived(runs_dir: Path, run_ids: Iterable[str], archived: bool) -> Outcome:
    """Archive (or restore) runs: they stay where they are, flagged in their extra file."""
    return _each(runs_dir, run_ids, {"archived": archived})


def deletion_refusal(row: RunRow) -> str | None:
    """Why a run must not be deleted now, or None."""
    if row.running and not row.liveness.dead:
        return "it is still running: stop it first (x)"
    if row.status == "QUEUED" and row.queue is not None and row.queue.owner_alive:
        return "it waits in a running queue: cancel it first (x)"
    return None


@dataclass(frozen=True, slots=True)
class DeletionPlan:
    """What deleting some runs removes: their folders, how many files and bytes."""

    run_ids: tuple[str, ...]
    folders: tuple[Path, ...]
    files: int
    size: int
    refused: dict[str, str]

    def describe(self) -> str:
        """The confirmation text: every run and folder that goes, and what stays."""
        lines = []
        if self.run_ids:
            lines.append(f"Deleting removes {len(self.run_ids)} run folder{'s' if len(self.run_ids) != 1 else ''} "
                         f"for good ({self.files} files, {_size(self.size)}):")
            shown = self.folders[:30]
            lines.extend(f"  {folder}" for folder in shown)
            if len(self.folders) > len(shown):
                lines.append(f"  … and {len(self.folders) - len(shown)} more")
            lines.append("New runs never get a deleted id. Archiving (a) instead hides runs and can be undone.")
        for run_id, reason in self.refused.items():
            lines.append(f"Run {run_id} is kept: {reason}.")
        return "\n".join(lines)


def _size(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"  # pragma: no cover - the loop always returns


def _measure(folder: Path) -> tuple[int, int]:
    files = size = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return files, size


def plan_deletion(runs_dir: Path, rows: Sequence[RunRow]) -> DeletionPlan:
    """Measure what deleting ``rows`` removes; runs that must not go are listed as refused."""
    run_ids, folders, refused = [], [], {}
    files = size = 0
    for row in rows:
        reason = deletion_refusal(row)
        if reason is not None:
            refused[row.run_id] = reason
            continue
        folder = runs_dir / row.run_id
        counted = _measure(folder)
        files, size = files + counted[0], size + counted[1]
        run_ids.append(row.run_id)
        folders.append(folder)
    return DeletionPlan(tuple(run_ids), tuple(folders), files, size, refused)


def delete_runs(runs_dir: Path, plan: DeletionPlan) -> Outcome:
    """Delete the planned run folders, after recording their ids as retired."""
    outcome = Outcome()
    if not plan.run_ids:
        return outcome
    try:
        retire_ids(runs_dir, plan.run_ids)
    except OSError as exc:
        outcome.failed = {run_id: f"its id could not be recorded as used ({exc}); nothing was deleted"
                          for run_id in plan.run_ids}
        return outcome
    for run_id, folder in zip(plan.run_ids, plan.folders):
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            outcome.done.append(run_id)
        except OSError as exc:
            outcome.failed[run_id] = f"could not be removed completely ({exc})"
        else:
            outcome.done.append(run_id)
    return outcome
