"""Provides RunStopping, the stop side of LaunchFlow: ``x`` sends the selected run a stop signal.

Mixed into LaunchFlow. A run this app launched is stopped through its Launcher; a waiting run
or a SLURM job through the queue; a live run of this host started elsewhere through a
RunStopper. A signal is sent only after a confirmation that says what it does; pressing ``x``
again offers the next, stronger one (SIGINT, then SIGTERM, then SIGKILL).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App

from sacred_tui.data.launcher import LaunchedRun, Launcher
from sacred_tui.data.stopping import RunStopper
from sacred_tui.data.visible_text import visible

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = ["RunStopping"]

_SIGNAL_EFFECT = {
    "SIGINT": "like Ctrl+C: the run ends as INTERRUPTED",
    "SIGTERM": "the run ends as INTERRUPTED if it still can",
    "SIGKILL": "kills it at once: the run cannot record how it ended",
}


class RunStopping:
    """The stop side of LaunchFlow (see the module doc); expects the flow's state."""

    app: App[Any]
    store: Any
    runs_dir: Path
    launcher: Launcher
    stopper: RunStopper

    if TYPE_CHECKING:
        def selected_run_id(self, screen: Screen[Any] | None = None) -> str | None: ...

    def can_stop_here(self) -> bool:
        """Whether ``x`` means something here: a screen that shows a run that runs or waits."""
        from sacred_tui.screens.launch_log import LaunchLogScreen

        screen = self.app.screen
        if isinstance(screen, LaunchLogScreen):
            return True
        if not (hasattr(screen, "run_id") or hasattr(screen, "table")):
            return False
        run_id = self.selected_run_id(screen)
        row = self.store.get(run_id) if self.store is not None and run_id is not None else None
        # A finished run has nothing to stop; a waiting one can be cancelled.
        return run_id is not None and (row is None or row.running or row.status == "QUEUED")

    def stop_selected(self) -> None:
        """Ask, then send the next stop signal to the selected launched run."""
        from sacred_tui.screens.launch_log import LaunchLogScreen

        screen = self.app.screen
        if isinstance(screen, LaunchLogScreen):
            launch = screen.selected_launch()
            label = f"launch #{launch.number}" if launch else ""
        else:
            run_id = self.selected_run_id(screen)
            if run_id is None:
                return
            queue_flow = getattr(self.app, "queue_flow", None)
            if queue_flow is not None and queue_flow.stop(run_id):
                return  # a waiting run, or a SLURM job
            launch = self.launcher.for_run(run_id)
            label = f"run {run_id}"
            if launch is None or not launch.running:
                self.stop_external(run_id)
                return
        if launch is None:
            return
        self.launcher.poll()
        if not launch.running:
            self.app.notify(f"The process of {label} has ended already ({launch.state}).", title="Stop")
            return
        self.confirm_stop(launch, label)

    def confirm_stop(self, launch: LaunchedRun, label: str) -> None:
        """Ask whether to send ``launch`` its next stop signal."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        signal_name = self.launcher.next_signal(launch)
        body = Text.assemble(visible(f"Send {signal_name} to {label} (pid {launch.pid})?"), "\n",
                             (f"{signal_name} {_SIGNAL_EFFECT[signal_name]}.", "dim"))
        self.app.push_screen(ChoiceScreen.confirm(f"Stop {label}?", body, yes=f"Send {signal_name}",
                                                  danger=True),
                             lambda answer: self._stop(launch, label) if answer == "yes" else None)

    def stop_external(self, run_id: str) -> None:
        """Ask, then stop a live run of this host that this session did not start."""
        from core.runs import RunsFolder
        from sacred_tui.data.stopping import find_stop_target
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        stored = self.store.stored_run(run_id) if self.store is not None else RunsFolder(self.runs_dir).run(run_id)
        target = find_stop_target(stored)
        if isinstance(target, str):
            self.app.notify(visible(target), title="Stop", severity="warning", markup=False)
            return
        signal_name = self.stopper.next_signal(run_id, target.pid)
        body = Text.assemble(visible(f"Send {signal_name} to run {run_id} (pid {target.pid}, started outside "
                                     f"this session)?"), "\n",
                             (f"{signal_name} {_SIGNAL_EFFECT[signal_name]}.", "dim"))
        if not self.stopper.sent(run_id) and signal_name != "SIGINT":
            body.append("\nThe process ignores SIGINT (a shell started it in the background), so Ctrl-C "
                        "would do nothing.", style="dim")
        self.app.push_screen(ChoiceScreen.confirm(visible(f"Stop run {run_id}?"), body, yes=f"Send {signal_name}",
                                                  danger=True),
                             lambda answer: self._stop_external(target) if answer == "yes" else None)

    def _stop_external(self, target: Any) -> None:
        sent, why = self.stopper.stop(target)
        if sent is None:
            self.app.notify(visible(f"Nothing was sent to run {target.run_id}: {why}."), title="Stop",
                            severity="warning", markup=False)
            return
        following = self.stopper.next_signal(target.run_id, target.pid)
        self.app.notify(visible(f"{sent} sent to run {target.run_id} (pid {target.pid}). Press x again to "
                                f"send {following}."), title="Stop", markup=False)

    def _stop(self, launch: LaunchedRun, label: str) -> None:
        sent = self.launcher.stop(launch)
        if sent is None:
            self.app.notify(f"The process of {label} has ended already.", title="Stop")
            return
        following = self.launcher.next_signal(launch)
        self.app.notify(f"{sent} sent to {label}. Press x again to send {following}.", title="Stop")
