"""Provides RunOverview: status, timings, host, git, the command that reproduces a run, its failure.

Stored times are naive UTC (as Sacred writes them) and are shown in local time. The status and
duration are the ones the runs table shows (see sacred_tui.data.run_state); the reproduce line is
rebuilt from the run's `meta` (see sacred_tui.data.reproduce).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from core.runs import parse_timestamp
from core.runs.record import RunRecord
from sacred_tui.data.liveness import (NOT_APPLICABLE, Liveness, is_running, liveness_sentence,
                                      status_words, usable_heartbeat)
from sacred_tui.data.queue_view import QueueView, queue_sentence, record_status
from sacred_tui.data.reproduce import Reproduction, format_command, reproduce_argv
from sacred_tui.data.run_state import RunState
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.widgets.config_view import format_value
from sacred_tui.widgets.run_cells import display_status_style

__all__ = ["RunOverview", "status_text"]

MAX_COMMAND_SHOWN = 4_000
"""Characters of the reproduce command drawn; the rest is copied with y but not laid out every second."""


def status_text(status: str | None, liveness: Liveness = NOT_APPLICABLE) -> Text:
    """A run status as the runs table shows it (``DEAD? 7 min`` when probably dead), in its colour."""
    if not (status or "").strip():
        return Text("UNKNOWN", style="bold red")
    words = status_words(status, liveness)
    shown = "DEAD" if liveness.dead else words
    return Text(visible(words), style=display_status_style(shown))


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
        self.state: RunState | None = None
        self.reproduction: Reproduction | None = None
        self.command_line = ""
        self.notes: tuple[str, tuple[str, ...], bool] = ("", (), False)
        """The user's note, tags and archive flag (kept beside the run by this project)."""

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="overview-body")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        """A live run's duration and heartbeat age move on between reads."""
        record = self.record
        if record is not None and self._live(record):
            self._redraw()

    def _live(self, record: RunRecord) -> bool:
        liveness = self.state.liveness if self.state is not None else NOT_APPLICABLE
        return is_running(record.status) and record.stop_time is None and not liveness.dead

    def show(self, record: RunRecord | None = None, problems: list[str] | None = None,
             state: RunState | None = None, reproduction: Reproduction | None = None) -> None:
        """Redraw with a new record, problems, state or reproduce command (None keeps the current)."""
        if record is not None:
            self.record = record
        if problems is not None:
            self.problems = problems
        if state is not None:
            self.state = state
        if reproduction is not None:
            self.reproduction = reproduction
        self._redraw()

    def show_notes(self, note: str, tags: tuple[str, ...], archived: bool) -> None:
        """Redraw with the user's note, tags and archive flag."""
        if (note, tags, archived) != self.notes:
            self.notes = (note, tags, archived)
            self._redraw()

    def _redraw(self) -> None:
        if self.record is not None:
            self.query_one("#overview-body", Static).update(self._render_record(self.record))

    def action_copy_command(self) -> None:
        """Put the reproduce command on the clipboard (the terminal must support OSC 52)."""
        if self.command_line:
            self.app.copy_to_clipboard(self.command_line)
            self.notify("Command line copied to the clipboard.")

    def _render_record(self, record: RunRecord) -> RenderableType:
        if self.reproduction is not None:
            self.command_line = self.reproduction.command
        else:
            argv = reproduce_argv(record.mainfile, record.meta_command, record.named_configs,
                                  record.config_updates, record.options)
            self.command_line = format_command(argv, record.base_dir)
        liveness = self.state.liveness if self.state is not None else NOT_APPLICABLE
        now = time.time()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")  # long ids and names show whole, folded over lines
        grid.add_row("Run", Text(visible(record.id)))
        queue = self.state.queue if self.state is not None else None
        stored = (record.status or "").strip()
        status = status_text(record_status(record, queue), liveness)
        sentence = liveness_sentence(liveness)
        if not sentence and not (queue is not None and queue.job_id is not None):  # the job has its own line
            sentence = queue_sentence(stored, record.start_time, queue)
        if sentence:
            status.append(visible(f"  {sentence}"), style="bold magenta" if liveness.dead else "dim")
        if not stored:
            status.append(" (no status read from run.json)", style="dim")
        elif liveness.dead or status.plain != stored:
            status.append(visible(f" (run.json says {stored})"), style="dim")
        grid.add_row("Status", status)
        if queue is not None and queue.job_id is not None:
            grid.add_row("SLURM job", self._job_text(queue))
        if queue is not None and queue.position():
            grid.add_row("Sweep", Text(visible(queue.position())))
        grid.add_row("Experiment", Text(visible(record.experiment_name or "–")))
        grid.add_row("Command", Text(visible(record.command or "–")))
        if record.queue_time is not None:
            grid.add_row("Queued", _local(record.queue_time))
        grid.add_row("Started", _local(record.start_time))
        grid.add_row("Stopped", _local(record.stop_time))
        duration = self._duration_text(record, liveness, now)
        if duration:
            grid.add_row("Duration", duration)
        if record.heartbeat is not None:
            grid.add_row("Heartbeat", self._heartbeat_text(record, liveness, now))
        grid.add_row("Host", Text(visible(self._host_line(record))))
        for line in self._git_lines(record):
            grid.add_row("Git", line)
        if record.comment:
            grid.add_row("Comment", Text(visible_block(record.comment)))
        note, tags, archived = self.notes
        grid.add_row("Tags", Text(visible(" ".join(tags))) if tags else Text("none (t adds)", style="dim"))
        grid.add_row("Note", Text(visible_block(note)) if note else Text("none (e writes one)", style="dim"))
        if archived:
            grid.add_row("Archived", Text("yes: hidden in the runs table until shown with A", style="dim"))
        if record.priority is not None:
            grid.add_row("Priority", f"{record.priority:g}")
        if record.has_result and (record.result is not None or record.status == "COMPLETED"):
            # A heartbeat writes "result": null while the run is still going: that is no result yet.
            grid.add_row("Result", Text(visible(format_value(record.result, limit=400))))
        command = self.command_line
        if len(command) > MAX_COMMAND_SHOWN:  # a huge config value given on the command line
            command = f"{command[:MAX_COMMAND_SHOWN]}… ({len(command):,} characters, y copies all of them)"
        parts: list[RenderableType] = [grid, Text(""), Text("Reproduce (y copies):", style="bold"),
                                       Text(visible(command), style="cyan")]
        if self.reproduction is not None:
            parts.append(Text(visible(f"Interpreter: {self.reproduction.interpreter.why}."), style="dim"))
            if self.reproduction.note:
                parts.append(Text(visible(self.reproduction.note), style="dark_orange3"))
        if record.fail_trace:
            parts += [Text(""), Text("Failure", style="bold red"),
                      Text(visible_block(record.fail_trace.rstrip()), style="red")]
        if self.problems:
            parts += [Text(""), Text("Problems with this run's files", style="bold yellow")]
            parts += [Text(f"• {visible(problem)}", style="yellow") for problem in self.problems]
        return Group(*parts)

    def _duration_text(self, record: RunRecord, liveness: Liveness, now: float) -> str:
        if record.start_time is None:
            return ""
        seconds = self.state.duration if self.state is not None else None
        if record.stop_time is not None:
            return _duration((record.stop_time - record.start_time).total_seconds())
        if not is_running(record.status):
            return ""
        if liveness.dead:
            if seconds is None:
                if record.heartbeat is not None and usable_heartbeat(record.heartbeat, now) is None:
                    return "– (its heartbeat is in the future: clock skew?)"
                return "– (no heartbeat recorded before it went silent)"
            return f"{_duration(seconds)} until its last heartbeat"
        start = record.start_time.replace(tzinfo=timezone.utc).timestamp()
        return f"{_duration(now - start)} so far"

    def _heartbeat_text(self, record: RunRecord, liveness: Liveness, now: float) -> str:
        moment = _local(record.heartbeat)
        if usable_heartbeat(record.heartbeat, now) is None:
            return f"{moment} (in the future: clock skew?)"
        if self._live(record):
            age = now - record.heartbeat.replace(tzinfo=timezone.utc).timestamp()  # type: ignore[union-attr]
            return f"{moment} ({_duration(age)} ago)"
        return f"{moment} (the last one)"

    @staticmethod
    def _job_text(queue: QueueView) -> Text:
        state = "no longer listed by SLURM" if queue.job_gone else (queue.job_state or "?")
        text = Text(visible(f"{queue.job_id}  {state}"), style="bold")
        if queue.job_reason:
            text.append(visible(f" ({queue.job_reason})"))
        if queue.node:
            text.append(visible(f" on {queue.node}"))
        if not queue.job_final and queue.checked:
            text.append(f" (as SLURM said at {_local(parse_timestamp(queue.checked))})", style="dim")
        if queue.output:
            text.append("\n")
            text.append(visible(f"output file: {queue.output}"), style="dim")
        return text

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
            line = Text(visible(f"{(repo.commit or '?')[:12]} {repo.url or ''} "))
            if repo.dirty:
                line.append("dirty (uncommitted changes)", style="bold yellow")
            elif repo.dirty is False:
                line.append("clean", style="green")
            lines.append(line)
        return lines or [Text("no repository recorded", style="dim")]
