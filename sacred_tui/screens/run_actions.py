"""Provides RunChanges: the runs screen's note, tags, archive, delete and export commands.

Each command works on the marked runs (or the run under the cursor when none is marked), asks
what it needs in a dialog, does the change through the data layer and tells what happened. After
a change the store re-reads the runs at once, so the table and open detail screens show it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from sacred_tui.data.annotations import ANNOTATIONS_FILE, AnnotationError, common_tags, parse_tags
from sacred_tui.data.export import ExportError, format_for_path, render, write_export
from sacred_tui.data.rows import RunRow, run_id_sort_key
from sacred_tui.data.run_management import (Outcome, delete_runs, plan_deletion, save_note, save_tags,
                                            set_archived)
from sacred_tui.messages import RunsUpdated
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.notes_dialogs import LineDialog, NoteDialog

if TYPE_CHECKING:
    from sacred_tui.data.store import RunStore

__all__ = ["RunChanges", "edit_note", "edit_tags", "export_dialog"]

_TAGS_HINT = ("Words separated by spaces or commas (e.g. baseline lr-sweep). Enter saves, Esc cancels; "
              "filter with tag=baseline.")


def _names(run_ids: Sequence[str]) -> str:
    ordered = sorted(run_ids, key=run_id_sort_key)
    shown = ", ".join(ordered[:12])
    return shown + (f" … ({len(ordered)} runs)" if len(ordered) > 12 else "")


def _report(screen: Screen[Any], outcome: Outcome, verb: str, title: str) -> None:
    screen.notify(outcome.sentence(verb), title=title, severity="error" if outcome.failed else "information",
                  timeout=8 if outcome.failed else 4)


def _reread(screen: Screen[Any], store: RunStore, run_ids: Sequence[str], removed: Sequence[str] = ()) -> None:
    """Read the changed runs again now and tell every screen (the folder watcher may be slower)."""
    update = store.refresh({run_id: frozenset({ANNOTATIONS_FILE}) for run_id in run_ids}, removed)
    if update:
        screen.app.post_message(RunsUpdated([row.run_id for row in update.rows], update.removed,
                                            update.files))


def edit_note(screen: Screen[Any], store: RunStore, run_id: str) -> None:
    """Open the note of one run in an editor and save it (atomically, beside the run)."""
    row = store.get(run_id)
    if row is None:
        return

    def saved(text: str | None) -> None:
        if text is None or text.rstrip() == row.note:
            return
        try:
            outcome = save_note(store.path, run_id, text)
        except AnnotationError as exc:
            screen.notify(str(exc), severity="error", title="Note not saved")
            return
        _reread(screen, store, [run_id])
        if outcome.failed:
            _report(screen, outcome, "Saved the note of", "Note")
        else:
            screen.notify(f"Note of run {run_id} {'saved' if text.strip() else 'removed'}.", title="Note",
                          timeout=3)

    screen.app.push_screen(NoteDialog(f"Note for run {run_id} (Sacred's meta.comment stays as it is)",
                                      row.note), saved)


def edit_tags(screen: Screen[Any], store: RunStore, run_ids: Sequence[str]) -> None:
    """Edit the tags of one run, or the tags all ``run_ids`` share (others each has stay)."""
    rows = [row for run_id in run_ids if (row := store.get(run_id)) is not None]
    if not rows:
        return
    before = common_tags(row.tags for row in rows)
    if len(rows) == 1:
        title = f"Tags of run {rows[0].run_id}"
    else:
        title = f"Tags of {len(rows)} marked runs ({_names([row.run_id for row in rows])})"
        others = sorted({tag for row in rows for tag in row.tags} - set(before))
        if others:
            title += f"; tags only some have stay: {' '.join(others[:10])}"

    def check(text: str) -> str | None:
        try:
            parse_tags(text)
        except AnnotationError as exc:
            return str(exc)
        return None

    def saved(text: str | None) -> None:
        if text is None:
            return
        outcome = save_tags(store.path, rows, before, text)
        _reread(screen, store, outcome.done)
        _report(screen, outcome, "Tagged", "Tags")

    screen.app.push_screen(LineDialog(title, " ".join(before), _TAGS_HINT, check), saved)


class RunChanges:
    """The commands of the runs screen that change runs or write files."""

    def __init__(self, screen: Screen[Any], store: RunStore, targets: Callable[[], list[str]],
                 hidden: Callable[[list[str]], None] = lambda run_ids: None) -> None:
        self.screen = screen
        self.store = store
        self.targets = targets
        """The marked runs, or the run under the cursor when none is marked."""
        self.hidden = hidden
        """Called with runs that were just archived: the table unmarks the ones it hides."""
        self.last_archive: tuple[list[str], bool] | None = None
        """The runs the latest archive (True) or restore (False) changed, for undo."""

    def _rows(self) -> list[RunRow]:
        return [row for run_id in self.targets() if (row := self.store.get(run_id)) is not None]

    def note(self) -> None:
        """Edit the note of the run under the cursor."""
        run_ids = self.targets()
        if len(run_ids) != 1:
            current = getattr(self.screen, "current_run_id", None)
            run_ids = [current] if current else []
        if run_ids:
            edit_note(self.screen, self.store, run_ids[0])

    def tags(self) -> None:
        """Edit the tags of the marked runs (or the run under the cursor)."""
        edit_tags(self.screen, self.store, self.targets())

    def archive(self) -> None:
        """Archive the targeted runs; when all of them are archived already, restore them."""
        rows = self._rows()
        if not rows:
            return
        archive = not all(row.archived for row in rows)
        run_ids = [row.run_id for row in rows if row.archived != archive]
        self._set(run_ids, archive)

    def undo(self) -> None:
        """Undo the latest archive or restore."""
        if self.last_archive is None:
            self.screen.notify("Nothing to undo: only archiving and restoring can be undone.", title="Undo")
            return
        run_ids, archived = self.last_archive
        self._set(run_ids, not archived, undoing=True)

    def _set(self, run_ids: list[str], archive: bool, undoing: bool = False) -> None:
        outcome = set_archived(self.store.path, run_ids, archive)
        self.last_archive = None if undoing else (outcome.done, archive)
        _reread(self.screen, self.store, outcome.done)
        if archive:
            self.hidden(outcome.done)
        verb = "Archived" if archive else "Restored"
        if outcome.done and not outcome.failed:
            hint = "" if undoing else " u undoes." + (" A shows archived runs." if archive else "")
            self.screen.notify(f"{verb} {_names(outcome.done)}.{hint}", title="Archive", timeout=5)
        else:
            _report(self.screen, outcome, verb, "Archive")

    def delete(self) -> None:
        """Delete the targeted runs for good, after a confirmation naming every folder that goes."""
        rows = self._rows()
        if not rows:
            return
        plan = plan_deletion(self.store.path, rows)
        if not plan.run_ids:
            self.screen.notify(plan.describe(), severity="warning", title="Nothing deleted")
            return
        what = f"run {plan.run_ids[0]}" if len(plan.run_ids) == 1 else f"{len(plan.run_ids)} runs"

        def answered(choice: str | None) -> None:
            if choice != "delete":
                return
            outcome = delete_runs(self.store.path, plan)
            _reread(self.screen, self.store, [], outcome.done)
            _report(self.screen, outcome, "Deleted", "Delete")

        self.screen.app.push_screen(ChoiceScreen(f"Delete {what}?", plan.describe(),
                                                 [("keep", "Keep", "primary"), ("delete", "Delete", "error")],
                                                 focus="keep"), answered)

    def export(self, rows: Callable[[], list[RunRow]], columns: Callable[[], list[str]]) -> None:
        """Ask for a file name (its ending picks the format) and write the shown table there."""
        def produce(fmt: str) -> tuple[str, str]:
            shown = rows()
            count = len(shown)
            return render(shown, columns(), fmt, time.time()), f"{count} run{'s' if count != 1 else ''}"

        export_dialog(self.screen, "Export the shown runs (filtered, sorted, with the shown columns)", produce)


def export_dialog(screen: Screen[Any], title: str, produce: Callable[[str], tuple[str, str]]) -> None:
    """Ask for a file name (its ending picks the format), write ``produce(format)``'s text, say where.

    ``produce`` returns the file's text and what it holds ("12 runs"), for the message.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    default = str(Path.cwd() / f"runs-{stamp}.csv")

    def check(text: str) -> str | None:
        path = Path(text.strip()).expanduser()
        if not text.strip():
            return "Name a file (ending .csv, .json or .md)."
        try:
            format_for_path(str(path))
        except ExportError as exc:
            return str(exc)
        if path.exists():
            return f"{path} exists already: choose another name (nothing was written)."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        return None

    def chosen(text: str | None) -> None:
        if text is None:
            return
        path = Path(text.strip()).expanduser().absolute()
        try:
            content, what = produce(format_for_path(str(path)))
            write_export(str(path), content)
        except (OSError, ExportError) as exc:
            screen.notify(f"Nothing written: {exc}", severity="error", title="Export")
            return
        screen.notify(f"Wrote {what} to {path}", title="Export", timeout=10)

    screen.app.push_screen(LineDialog(
        title, default, "The ending picks the format: .csv, .json or .md (Markdown). Enter writes, Esc cancels.",
        check), chosen)
