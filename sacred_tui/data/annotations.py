"""Provides the user's own record of a run: a note, tags and whether it is archived.

They live in one extra file beside the run, ``<run>/sacred-tui.json``, which only this project
writes; Sacred's own files are never touched. The file is replaced atomically, so a reader sees
the old or the new content, never half of it; a run with no note, no tags and no archive flag has
no such file at all. A damaged file reads as "nothing noted" plus a problem, and is only replaced
when the user saves something new.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.runs.quick_pickle import pickled_by_fields
from core.observers.atomic import atomic_write_text
from core.runs.safe_open import describe_error, read_regular

ANNOTATIONS_FILE = "sacred-tui.json"
"""The per-run extra file holding note, tags and the archive flag."""

MAX_NOTE_CHARS = 20_000
MAX_TAG_CHARS = 40
MAX_TAGS = 50
_TAG = re.compile(r"^[^\s,\x00-\x1f\x7f]+$")


class AnnotationError(ValueError):
    """A note or tag that cannot be stored; the message says what is allowed."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Annotations:
    """What the user noted about one run."""

    note: str = ""
    tags: tuple[str, ...] = ()
    archived: bool = False
    archived_at: str = ""

    @property
    def empty(self) -> bool:
        """True when there is nothing to store."""
        return not self.note and not self.tags and not self.archived


NOTHING = Annotations()


def check_tag(tag: str) -> str:
    """Return ``tag`` stripped, or raise AnnotationError saying what a tag may be."""
    tag = tag.strip()
    if not tag or not _TAG.match(tag):
        raise AnnotationError(f"Tag {tag!r} is not allowed: a tag is one word without spaces, commas "
                              "or control characters (e.g. baseline, lr-sweep, v2.1)")
    if len(tag) > MAX_TAG_CHARS:
        raise AnnotationError(f"Tag {tag[:20]!r}… is {len(tag)} characters long; at most {MAX_TAG_CHARS} "
                              "are allowed")
    return tag


def parse_tags(text: str) -> tuple[str, ...]:
    """Split ``"baseline, lr-sweep  v2"`` into checked tags, keeping order and dropping repeats."""
    tags: list[str] = []
    for word in re.split(r"[\s,]+", text):
        if word and (tag := check_tag(word)) not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise AnnotationError(f"{len(tags)} tags given; at most {MAX_TAGS} are allowed per run")
    return tuple(tags)


def check_note(note: str) -> str:
    """Return the note with trailing space removed, or raise when it is too long."""
    note = note.rstrip()
    if len(note) > MAX_NOTE_CHARS:
        raise AnnotationError(f"The note has {len(note)} characters; at most {MAX_NOTE_CHARS} are allowed")
    return note.replace("\x00", "")


def common_tags(tag_sets: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """The tags every one of ``tag_sets`` has, in the order of the first."""
    sets = [tuple(tags) for tags in tag_sets]
    if not sets:
        return ()
    others = [set(tags) for tags in sets[1:]]
    return tuple(tag for tag in sets[0] if all(tag in other for other in others))


def change_tags(current: Sequence[str], before: Sequence[str], after: Sequence[str]) -> tuple[str, ...]:
    """Apply an edit of shared tags to one run's tags.

    ``before`` is what the editor showed (the tags all edited runs share), ``after`` what the user
    left: tags taken out are removed, tags put in are added, the run's other tags stay.
    """
    removed = set(before) - set(after)
    kept = [tag for tag in current if tag not in removed]
    return tuple(kept + [tag for tag in after if tag not in kept])


def _from_json(data: Any) -> Annotations:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    note = data.get("note", "")
    tags = data.get("tags", [])
    archived = data.get("archived", False)
    archived_at = data.get("archived_at", "")
    return Annotations(
        note=note if isinstance(note, str) else "",
        tags=tuple(tag for tag in tags if isinstance(tag, str) and tag) if isinstance(tags, list) else (),
        archived=archived is True,
        archived_at=archived_at if isinstance(archived_at, str) else "",
    )


def read_annotations(run_dir: str | os.PathLike[str]) -> tuple[Annotations, str | None]:
    """Return a run's annotations and a problem (None when fine; no file means nothing noted)."""
    folder = os.fspath(run_dir)
    try:  # a regular file inside the run only: a FIFO would block, a symlink could lead anywhere
        raw = read_regular(os.path.join(folder, ANNOTATIONS_FILE), 4 * MAX_NOTE_CHARS + 65536, inside=folder)
    except (FileNotFoundError, NotADirectoryError):
        return NOTHING, None
    except OSError as exc:
        return NOTHING, f"{ANNOTATIONS_FILE}: {describe_error(exc)}"
    try:
        return _from_json(json.loads(raw.decode("utf-8"))), None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return NOTHING, f"{ANNOTATIONS_FILE}: not readable as the note file ({str(exc)[:120]})"


def write_annotations(run_dir: str | os.PathLike[str], annotations: Annotations) -> None:
    """Store ``annotations`` for the run in ``run_dir`` atomically (the file goes when empty).

    Raises:
        FileNotFoundError: when the run folder is gone.
        OSError: when the file cannot be written; the previous file is then unchanged.
    """
    directory = Path(run_dir)
    if not directory.is_dir():
        raise FileNotFoundError(f"The run folder {str(directory)!r} does not exist (any more)")
    path = directory / ANNOTATIONS_FILE
    if annotations.empty:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return
    data: dict[str, Any] = {"note": annotations.note, "tags": list(annotations.tags)}
    if annotations.archived:
        data["archived"] = True
        data["archived_at"] = annotations.archived_at
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def update_annotations(run_dir: str | os.PathLike[str], **changes: Any) -> Annotations:
    """Read, change and write back one run's annotations; return what was stored.

    ``archived=True`` stamps the time of archiving (UTC). A damaged file is replaced only here,
    when the user saved something.
    """
    current, _problem = read_annotations(run_dir)
    if changes.get("archived") and not current.archived:
        changes.setdefault("archived_at", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))
    if changes.get("archived") is False:
        changes["archived_at"] = ""
    updated = replace(current, **changes)
    write_annotations(run_dir, updated)
    return updated
