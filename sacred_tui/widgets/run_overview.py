"""Provides RunOverview: status, timings, host, git, the command that reproduces a run, its failure.

Stored times are naive UTC (as Sacred writes them) and are shown in local time. The reproduce
line is rebuilt from the run's `meta` (see sacred_tui.data.reproduce).
"""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from core.runs.record import RunRecord
from sacred_tui.data.reproduce import format_command, reproduce_argv
from sacred_tui.widgets.config_view import format_value

__all__ = ["STATUS_STYLES", "RunOverview", "status_text"]

STATUS_STYLES = {
    "COMPLETED": "bold green", "RUNNING": "bold yellow", "QUEUED": "bold cyan",
    "FAILED": "bold red", "INTERRUPTED": "bold magenta", "TIMEOUT": "bold red",
}


def status_text(status: str | None) -> Text:
    """A run status in its colour ('UNKNOWN' when run.json has none)."""
    return Text(status or "UNKNOWN", style=STATUS_STYLES.get(status or "", "bold red"))


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    try:
        return moment.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return "–"


def _duration(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h {minutes:02d}m"
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def _now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class RunOverview(VerticalScroll, can_focus=True):
    """Scrollable summary of one run; `show(record, problems)` redraws it."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("y", "copy_command", "Copy command"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.record: RunRecord | None = None
        self.problems: list[str] = []
        self.command_line = ""

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="overview-body")

    def show(self, record: RunRecord | None = None, problems: list[str] | None = None) -> None:
        """Redraw with a new record and/or problem list (None keeps the current one)."""
        if record is not None:
            self.record = record
        if problems is not None:
            self.problems = problems
        if self.record is not None:
            self.query_one("#overview-body", Static).update(self._render_record(self.record))

    def action_copy_command(self) -> None:
        """Put the reproduce command on the clipboard (the terminal must support OSC 52)."""
        if self.command_line:
            self.app.copy_to_clipboard(self.command_line)
            self.notify("Command line copied to the clipboard.")

    def _render_record(self, record: RunRecord) -> RenderableType:
        argv = reproduce_argv(record.mainfile, record.meta_command, record.named_configs,
                              record.config_updates, record.options)
        self.command_line = format_command(argv, record.base_dir)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Status", status_text(record.status))
        grid.add_row("Experiment", Text(record.experiment_name or "–"))
        grid.add_row("Command", Text(record.command or "–"))
        if record.queue_time is not None:
            grid.add_row("Queued", _local(record.queue_time))
        grid.add_row("Started", _local(record.start_time))
        grid.add_row("Stopped", _local(record.stop_time))
        if record.start_time is not None:
            end = record.stop_time
            suffix = "" if end is not None else " so far"
            grid.add_row("Duration", _duration(((end or _now_utc()) - record.start_time).total_seconds()) + suffix)
        if record.heartbeat is not None:
            age = _duration((_now_utc() - record.heartbeat).total_seconds())
            grid.add_row("Heartbeat", f"{_local(record.heartbeat)} ({age} ago)")
        grid.add_row("Host", Text(self._host_line(record)))
        for line in self._git_lines(record):
            grid.add_row("Git", line)
        if record.comment:
            grid.add_row("Comment", Text(record.comment))
        if record.priority is not None:
            grid.add_row("Priority", f"{record.priority:g}")
        if record.has_result and (record.result is not None or record.status == "COMPLETED"):
            # A heartbeat writes "result": null while the run is still going: that is no result yet.
            grid.add_row("Result", Text(format_value(record.result, limit=400)))
        parts: list[RenderableType] = [grid, Text(""), Text("Reproduce (y copies):", style="bold"),
                                       Text(self.command_line, style="cyan")]
        if record.fail_trace:
            parts += [Text(""), Text("Failure", style="bold red"), Text(record.fail_trace.rstrip(), style="red")]
        if self.problems:
            parts += [Text(""), Text("Problems with this run's files", style="bold yellow")]
            parts += [Text(f"• {problem}", style="yellow") for problem in self.problems]
        return Group(*parts)

    @staticmethod
    def _host_line(record: RunRecord) -> str:
        host = record.host
        words = [host.hostname or "?"]
        if host.os:
            words.append(host.os[-1])
        if host.python_version:
            words.append(f"Python {host.python_version}")
        if host.cpu:
            words.append(host.cpu)
        if host.gpus:
            words.append(f"GPUs: {format_value(host.gpus, limit=120)}")
        return " · ".join(words)

    @staticmethod
    def _git_lines(record: RunRecord) -> list[Text]:
        seen: set[tuple[str | None, str | None, bool | None]] = set()
        lines: list[Text] = []
        for repo in record.repositories:
            key = (repo.url, repo.commit, repo.dirty)
            if key in seen:
                continue
            seen.add(key)
            line = Text(f"{(repo.commit or '?')[:12]} {repo.url or ''} ")
            if repo.dirty:
                line.append("dirty (uncommitted changes)", style="bold yellow")
            elif repo.dirty is False:
                line.append("clean", style="green")
            lines.append(line)
        return lines or [Text("no repository recorded", style="dim")]
