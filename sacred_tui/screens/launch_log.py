"""Provides LaunchLogScreen: every command launched from the app, its run, state and output."""
from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from sacred_tui.data.launcher import LaunchedRun, Launcher
from sacred_tui.data.terminal_text import render_terminal_text
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.key_bar import KeyBar

__all__ = ["LaunchLogScreen", "launch_details"]

_STATE_STYLES = {"running": "bold yellow", "exit 0": "green"}


def _state_text(launch: LaunchedRun) -> Text:
    state = launch.state
    style = _STATE_STYLES.get(state, "bold red" if state.startswith(("exit", "killed")) else "yellow")
    return Text(state, style=style)


def launch_details(launch: LaunchedRun, lines: int = 30) -> Text:
    """What one launch ran and printed (the last lines of stderr and stdout)."""
    text = Text()
    text.append(f"Launch #{launch.number}", style="bold")
    text.append(f" · pid {launch.pid} · " if launch.pid else " · ")
    text.append_text(_state_text(launch))
    if launch.run_id:
        text.append(f" · run {visible(launch.run_id)}")
    text.append(f"\n$ {visible(launch.command_line)}\n", style="dim")
    for title, body in (("stderr", launch.stderr_tail()), ("stdout", launch.stdout_tail())):
        # The process wrote for a terminal: apply its \r and erase codes, show any other control.
        tail = "\n".join(visible(line) for line in render_terminal_text(body.rstrip("\n"))[-lines:])
        text.append(f"\n── {title} ──\n", style="bold")
        text.append(tail if tail else "(nothing)", style="" if tail else "dim")
    return text


class LaunchLogScreen(Screen[None]):
    """The launches of this session, newest first; Enter opens the run, x stops it."""

    DEFAULT_CSS = """
    LaunchLogScreen #launch-log-header { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    LaunchLogScreen #launch-table { height: 1fr; }
    LaunchLogScreen #launch-output-scroll { height: 1fr; border-top: solid $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("enter", "open_run", "Open run"),
    ]

    def __init__(self, launcher: Launcher, open_run: Callable[[str], None]) -> None:
        super().__init__()
        self.launcher = launcher
        self.open_run = open_run

    def compose(self) -> ComposeResult:
        yield Static(Text(visible(f"Launched commands · runs go to {self.launcher.runs_dir}")), id="launch-log-header")
        yield DataTable(id="launch-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="launch-output-scroll"):
            yield Static(id="launch-output", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("#", key="number")
        table.add_column("Run", key="run")
        table.add_column("State", key="state")
        table.add_column("Started", key="started")
        table.add_column("Command", key="command")
        self.refresh_launches()
        self.set_interval(1.0, self.refresh_launches)
        table.focus()

    def refresh_launches(self) -> None:
        """Show the launches as they are now (cursor kept on the same launch)."""
        table = self.query_one(DataTable)
        selected = self.selected_launch()
        table.clear()
        launches = list(reversed(self.launcher.launches))
        for launch in launches:
            started = time.strftime("%H:%M:%S", time.localtime(launch.started))
            table.add_row(str(launch.number), Text(visible(launch.run_id or "–")), _state_text(launch), started,
                          Text(visible(launch.command_line), no_wrap=True), key=str(launch.number))
        if not launches:
            self.query_one("#launch-output", Static).update(
                Text("Nothing launched yet: press L on the runs table to compose a run, r to re-run one.",
                     style="italic"))
            return
        if selected in launches:
            table.move_cursor(row=launches.index(selected))
        self._show(self.selected_launch())

    def selected_launch(self) -> LaunchedRun | None:
        """The launch under the cursor."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        launches = list(reversed(self.launcher.launches))
        row = table.cursor_row
        return launches[row] if 0 <= row < len(launches) else None

    def _show(self, launch: LaunchedRun | None) -> None:
        if launch is not None:
            self.query_one("#launch-output", Static).update(launch_details(launch))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show(self.selected_launch())

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        """Open the run the selected launch started."""
        launch = self.selected_launch()
        if launch is None:
            return
        if launch.run_id is None:
            self.notify(f"Launch #{launch.number} has no run (yet): {launch.state}.", title="Launches")
            return
        self.open_run(launch.run_id)

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.dismiss(None)
