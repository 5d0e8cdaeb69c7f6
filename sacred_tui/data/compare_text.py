"""Provides the text diff of two runs: their captured output (cout.txt) or a stored source file.

Outputs can be gigabytes, and difflib's cost grows faster than the text, so only the last
`max_bytes` of each file are read (starting at a whole line), the result is cut at `max_lines`,
and the caller runs `diff_texts` in a worker thread. Captured output is rendered as a terminal
shows it first, so a progress bar redrawn with `\\r` compares as its final state.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.runs.safe_open import describe_error, open_regular
from core.runs.stored import StoredRun
from sacred_tui.data.terminal_text import render_terminal_text

__all__ = [
    "DEFAULT_MAX_BYTES", "DiffLine", "DiffResult", "STDOUT", "TextSide", "diff_texts",
    "read_side", "read_text_tail", "source_names", "summary",
]

STDOUT = "cout.txt"
"""The name under which the captured output is offered next to the source files."""
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
"""How much of the end of each file is compared."""
DEFAULT_MAX_LINES = 20_000
"""Diff lines shown at most; the rest is summarised in one note."""


@dataclass(frozen=True, slots=True)
class TextSide:
    """One side of a diff: its lines, or the problem that kept it from being read."""

    label: str
    lines: list[str] | None
    skipped_bytes: int = 0
    """Bytes at the start of the file that were not read (only the tail is compared)."""
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class DiffLine:
    """A line of a unified diff; kind is 'file', 'hunk', 'added', 'removed', 'context' or 'note'."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The diff lines plus counts of added and removed lines (over the whole diff, not only shown)."""

    lines: list[DiffLine]
    added: int
    removed: int
    identical: bool


def read_text_tail(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                   inside: Path | None = None) -> tuple[str | None, int, str | None]:
    """Read the last `max_bytes` of a text file, from the first whole line on.

    Only a regular file resolving inside `inside` (default: its own directory) is read.

    Returns:
        (text, bytes skipped at the start, problem); text is None when the file cannot be read.
    """
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
    try:
        fd = open_regular(path, inside)
    except FileNotFoundError:
        return None, 0, f"{path.name} does not exist"
    except OSError as exc:
        return None, 0, f"{path.name}: {describe_error(exc)}"
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - max_bytes)
        data = os.pread(fd, max_bytes, start)
    except OSError as exc:
        return None, 0, f"{path.name}: {describe_error(exc)}"
    finally:
        os.close(fd)
    if start > 0:
        cut = data.find(b"\n")
        if 0 <= cut < len(data) - 1:
            start += cut + 1
            data = data[cut + 1:]
    return data.decode("utf-8", errors="replace"), start, None


def source_names(runs: Iterable[StoredRun]) -> list[str]:
    """The source files recorded by any of the runs (relative paths), sorted."""
    names: set[str] = set()
    for run in runs:
        names.update(entry.relpath for entry in run.sources())
    return sorted(names)


def read_side(run: StoredRun, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> TextSide:
    """One run's text to compare: its captured output (`STDOUT`) or the source file `what`."""
    label = f"run {run.run_id}: {what}"
    if what == STDOUT:
        text, skipped, problem = read_text_tail(run.cout_path, max_bytes)
        if text is None:
            return TextSide(label, None, 0, problem)
        return TextSide(label, render_terminal_text(text), skipped)
    entry = next((entry for entry in run.sources() if entry.relpath == what), None)
    if entry is None:
        return TextSide(label, None, 0, f"run {run.run_id} recorded no source file {what!r}")
    if not entry.exists or entry.stored_path is None:
        return TextSide(label, None, 0, f"the stored copy of {what} is missing ({entry.stored_path})")
    text, skipped, problem = read_text_tail(entry.stored_path, max_bytes, run.source_folder(entry))
    if text is None:
        return TextSide(label, None, 0, problem)
    return TextSide(label, text.splitlines(), skipped)


def _kind(line: str) -> str:
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    return "context"


def diff_texts(a: TextSide, b: TextSide, context: int = 3,
               max_lines: int = DEFAULT_MAX_LINES) -> DiffResult:
    """Unified diff of two sides, as classified lines; problems and cut tails become notes."""
    notes = [DiffLine("note", f"{side.label}: {side.problem}") for side in (a, b) if side.problem]
    notes += [DiffLine("note", f"{side.label}: only the last part is compared "
                               f"({side.skipped_bytes:,} bytes before it are left out)")
              for side in (a, b) if side.skipped_bytes]
    if a.lines is None or b.lines is None:
        return DiffResult(notes, 0, 0, False)
    if a.lines == b.lines:
        what = "no lines" if not a.lines else f"{len(a.lines):,} lines"
        notes.append(DiffLine("note", f"identical ({what})"))
        return DiffResult(notes, 0, 0, True)
    lines = list(notes)
    added = removed = 0
    diff = difflib.unified_diff(a.lines, b.lines, a.label, b.label, n=context, lineterm="")
    for number, raw in enumerate(diff):
        kind = "file" if number < 2 else _kind(raw)
        if kind == "added":
            added += 1
        elif kind == "removed":
            removed += 1
        if len(lines) < max_lines:
            lines.append(DiffLine(kind, raw))
    shown = len(lines)
    total_changes = added + removed
    if shown >= max_lines:
        lines.append(DiffLine("note", f"diff cut at {max_lines:,} lines "
                                      f"({total_changes:,} changed lines in all)"))
    return DiffResult(lines, added, removed, False)


def summary(result: DiffResult, labels: Sequence[str]) -> str:
    """One line telling what the diff found, e.g. 'run 1 → run 7: +3 −2 lines'."""
    arrow = " → ".join(labels)
    if result.identical:
        return f"{arrow}: identical"
    return f"{arrow}: +{result.added:,} −{result.removed:,} lines"
