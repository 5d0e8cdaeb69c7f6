"""Provides RunChangeKeys: the runs screen's keys for notes, tags, archive, delete and export.

Mixed into the runs screen, which supplies ``table``, ``changes`` (a RunChanges), ``shown_rows``
and its status lines; the work itself is done by RunChanges.
"""
from __future__ import annotations

from typing import Any

from textual.binding import Binding

from sacred_tui.data.rows import run_id_sort_key
from sacred_tui.widgets.runs_table import RunsTable

__all__ = ["RUN_CHANGE_BINDINGS", "RunChangeKeys"]

RUN_CHANGE_BINDINGS = [
    Binding("e", "edit_note", "Note", show=False),
    Binding("t", "edit_tags", "Tags"),
    Binding("a", "archive", "Archive/restore", show=False),
    Binding("A", "toggle_archived", "Show archived", show=False),
    Binding("u", "undo_archive", "Undo archive", show=False),
    Binding("D", "delete_runs", "Delete runs", show=False),
    Binding("E", "export", "Export", show=False),
]


class RunChangeKeys:
    """The actions behind :data:`RUN_CHANGE_BINDINGS`."""

    table: RunsTable
    changes: Any
    notify: Any
    shown_rows: Any

    def _targets(self) -> list[str]:
        """The marked runs, or the run under the cursor when none is marked."""
        table = self.table
        if table.marked:
            return sorted((run_id for run_id in table.marked if run_id in table.all_rows), key=run_id_sort_key)
        return [table.current_run_id] if table.current_run_id else []

    def _unmark_hidden(self, run_ids: list[str]) -> None:
        """Archived runs that leave the table leave the marks too (D must not reach hidden runs)."""
        table = self.table
        if not table.show_archived and table.marked.intersection(run_ids):
            table.marked.difference_update(run_ids)
            table.post_message(RunsTable.MarksChanged(frozenset(table.marked)))

    @property
    def current_run_id(self) -> str | None:
        """The run under the cursor."""
        return self.table.current_run_id

    def action_edit_note(self) -> None:
        """Write a note about the run under the cursor (kept beside the run, Sacred's files untouched)."""
        self.changes.note()

    def action_edit_tags(self) -> None:
        """Edit the tags of the marked runs (or of the run under the cursor)."""
        self.changes.tags()

    def action_archive(self) -> None:
        """Archive the marked runs (or the run under the cursor); archived ones are restored."""
        self.changes.archive()

    def action_undo_archive(self) -> None:
        """Undo the latest archive or restore."""
        self.changes.undo()

    def action_toggle_archived(self) -> None:
        """Show or hide the archived runs."""
        table = self.table
        table.set_show_archived(not table.show_archived)
        self.notify("Archived runs are shown (A hides them)." if table.show_archived
                    else "Archived runs are hidden (A shows them).", title="Archive", timeout=3)
        self._show_row_info()  # type: ignore[attr-defined]
        self._show_status()  # type: ignore[attr-defined]

    def action_delete_runs(self) -> None:
        """Delete the marked runs (or the run under the cursor) for good, after confirmation."""
        self.changes.delete()

    def action_export(self) -> None:
        """Write the shown runs with the shown columns to a CSV, JSON or Markdown file."""
        self.changes.export(self.shown_rows, lambda: [spec.key for spec in self.table.specs])
