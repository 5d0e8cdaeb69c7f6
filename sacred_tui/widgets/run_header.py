"""Provides RunHeader: the line atop a run's screen (run, experiment, status, command)."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.runs.record import RunRecord
from sacred_tui.data.liveness import Liveness
from sacred_tui.data.queue_view import QueueView, record_status
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.run_overview import status_text

__all__ = ["RunHeader"]


class RunHeader(Static):
    """One line: run, experiment, status (as the runs table shows it) and command; while big files
    are read, which one."""

    DEFAULT_CSS = """
    RunHeader { height: 1; background: $panel; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, run_id: str, *, id: str | None = None) -> None:
        super().__init__(Text(visible(f"Run {run_id} · loading…")), id=id)
        self.run_id = run_id

    def show(self, record: RunRecord | None, queue: QueueView | None, liveness: Liveness,
             activity: str | None = None) -> None:
        if record is None:
            header = Text(visible(f"Run {self.run_id} · loading…"))
        else:
            header = Text(visible(f"Run {self.run_id} · {record.experiment_name or '?'} · "))
            header.append_text(status_text(record_status(record, queue), liveness))
            header.append(visible(f" · {record.meta_command or record.command or '?'}"))
        if activity:
            header.append(visible(f" · {activity}…"), style="italic")
        self.update(header)
