"""Provides LaunchFlow (compose, launch, follow, stop, re-run, quit) and LaunchingApp, its app actions.

LaunchFlow ties the data layer (Launcher, ScriptCatalog, plan_rerun) to the screens. A launched
run's detail opens as soon as the process logs its run id; the flow then reports how the process
ended. LaunchingApp is the base of the app: it adds the keys that work on every screen (``x``
stops a launched run) and asks before quitting while launched runs are still running. Stopping
runs is in launch_stopping.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from sacred_tui.data.launch_memory import TargetMemory
from sacred_tui.data.launch_spec import LaunchSpec, format_argv
from sacred_tui.data.launcher import LaunchedRun, LaunchError, Launcher, exit_text
from sacred_tui.data.script_catalog import ScriptCatalog, scripts_from_runs
from sacred_tui.data.stopping import RunStopper
from sacred_tui.data.visible_text import visible
from sacred_tui.screens.launch_stopping import RunStopping

__all__ = ["LaunchFlow", "LaunchingApp"]


class LaunchFlow(RunStopping):
    """The launching side of one app: a Launcher for its runs folder and the dialogs around it."""

    def __init__(self, app: App[Any], runs_dir: str | Path, store: Any = None,
                 scripts: Iterable[str | Path] = (), python: str | None = None,
                 poll_interval: float = 0.3, log_dir: str | Path | None = None) -> None:
        self.app = app
        self.store = store
        self.runs_dir = Path(runs_dir)
        self.python = python or sys.executable
        self.catalog = ScriptCatalog(runs_dir, scripts)
        self.launcher = Launcher(runs_dir, log_dir)
        self.stopper = RunStopper()
        """Signals sent to runs this session did not start."""
        self.compositions: dict[Path, LaunchSpec] = {}
        """The last composition per script (launched or left), newest last: L reopens it."""
        self.sweep_compositions: dict[Path, dict] = {}
        """The sweep section of those compositions."""
        self.target_memory = TargetMemory()
        """Where each script's sweeps ran last (kept across restarts)."""
        self.poll_interval = poll_interval
        self._open_on_start: set[int] = set()
        self._timer: Timer | None = None
        self._quitting = False
        self.exiting = False
        """Set once the app is told to exit: keys that arrive after that open nothing."""

    # -- composing and launching ----------------------------------------------------------------
    def open_composer(self, initial: LaunchSpec | None = None, notes: Sequence[str] = (),
                      title: str = "Launch a run") -> None:
        """Open the composer; launch what it returns."""
        from sacred_tui.screens.launch import LaunchScreen

        if self.exiting:
            return
        if initial is None and self.compositions:
            initial = next(reversed(self.compositions.values()))  # the last one left
            title = f"{title} · your last composition"
        elif initial is None and self.catalog.given:
            initial = LaunchSpec.create(self.catalog.given[0], python=self.python)
        screen = LaunchScreen(self.catalog, self.runs_dir, self.python, initial, notes, title,
                              self.compositions, self.sweep_compositions, self.target_memory)
        self.app.push_screen(screen, self._composed)
        if self.store is not None:
            self.app.run_worker(lambda: self._find_scripts(screen), thread=True, group="launch-scripts",
                                exit_on_error=False, description="Finding scripts of known runs")

    def _find_scripts(self, screen: Any) -> None:
        found = scripts_from_runs(self.store)
        if found:
            self.catalog.add_known(found)
            self.app.call_from_thread(screen.refresh_scripts)

    def _composed(self, spec: Any) -> None:
        if isinstance(spec, LaunchSpec):
            self.launch(spec)
        elif spec is not None:  # a sweep
            queue_flow = getattr(self.app, "queue_flow", None)
            if queue_flow is None:
                self.app.notify("This app cannot queue sweeps.", severity="error", title="Sweep")
            else:
                queue_flow.submit(spec)

    def launch(self, spec: LaunchSpec, open_detail: bool = True) -> LaunchedRun | None:
        """Start ``spec``; its run's detail opens once the run has an id."""
        try:
            launched = self.launcher.start(spec)
        except LaunchError as exc:
            self.app.notify(str(exc), severity="error", title="Launch failed")
            return None
        if open_detail:
            self._open_on_start.add(launched.number)
        self.app.notify(format_argv(launched.argv), title=f"Launch #{launched.number} started")
        if self._timer is None:
            self._timer = self.app.set_interval(self.poll_interval, self.tick)
        return launched

    # -- following --------------------------------------------------------------------------------
    def tick(self) -> None:
        """Learn run ids and exits of launched processes; open and report accordingly."""
        for launch in self.launcher.poll():
            self._report(launch)
        for launch in self.launcher.running():
            if launch.run_id is None and time.time() - launch.started > 1.0 and self._match_in_store(launch):
                self._report(launch)

    def _report(self, launch: LaunchedRun) -> None:
        if launch.queued:
            return  # the queue that started it shows its state in the table
        if launch.run_id is not None and launch.number in self._open_on_start:
            self._open_on_start.discard(launch.number)
            self.open_detail(launch.run_id)
        if launch.exit_code is None:
            return
        self._open_on_start.discard(launch.number)
        if launch.run_id is None:
            from sacred_tui.data.script_interface import summarize_stderr

            reason = summarize_stderr(launch.stderr_tail()) or "no output"
            self.app.notify(f"It ended ({exit_text(launch.exit_code)}) before a run started: {reason}\n"
                            f"See the launches (J) for its output.", severity="error",
                            title=f"Launch #{launch.number} failed", timeout=10)
        else:
            self.app.notify(f"Run {launch.run_id} ended: {exit_text(launch.exit_code)}.",
                            title=f"Launch #{launch.number}",
                            severity="information" if launch.exit_code == 0 else "warning")

    def _match_in_store(self, launch: LaunchedRun) -> bool:
        """Find the run of a launch that did not log its id (e.g. run with --loglevel=WARNING)."""
        if self.store is None:
            return False
        claimed = {other.run_id for other in self.launcher.launches}
        since = datetime.fromtimestamp(launch.started - 2.0, timezone.utc).replace(tzinfo=None)
        for row in self.store.rows():
            if row.run_id in claimed or row.start is None or row.start < since:
                continue
            if launch.matches(self.store.stored_run(row.run_id).read_record()):
                launch.run_id = row.run_id
                return True
        return False

    def open_detail(self, run_id: str) -> None:
        """Show a run's detail screen (unless it is showing already)."""
        from sacred_tui.screens.run_detail import RunDetailScreen

        screen = self.app.screen
        if isinstance(screen, RunDetailScreen) and screen.run_id == run_id:
            return
        self.app.push_screen(RunDetailScreen(self.store if self.store is not None else self.runs_dir, run_id))

    def show_log(self) -> None:
        """Open the list of launched commands."""
        from sacred_tui.screens.launch_log import LaunchLogScreen

        if not isinstance(self.app.screen, LaunchLogScreen):
            self.app.push_screen(LaunchLogScreen(self.launcher, self.open_detail))

    # -- selection --------------------------------------------------------------------------------
    def selected_run_id(self, screen: Screen[Any] | None = None) -> str | None:
        """The run the current screen is about (a detail screen's run, the table's cursor row)."""
        screen = screen or self.app.screen
        run_id = getattr(screen, "run_id", None)
        if run_id is None:
            run_id = getattr(getattr(screen, "table", None), "current_run_id", None)
        return str(run_id) if run_id is not None else None

    # -- re-running -------------------------------------------------------------------------------
    def rerun(self, edit: bool = False, run_id: str | None = None) -> None:
        """Re-run the selected run as it was (after a confirmation), or open it in the composer."""
        run_id = run_id or self.selected_run_id()
        if self.exiting:
            return
        if run_id is None:
            self.app.notify("Select a run to re-run first.", title="Re-run")
            return
        self.app.run_worker(lambda: self._plan(run_id, edit), thread=True, group="launch-rerun",
                            exit_on_error=False, description=f"Reading run {run_id}")

    def _plan(self, run_id: str, edit: bool) -> None:
        from core.runs import RunsFolder
        from sacred_tui.data.processes import read_process_info
        from sacred_tui.data.rerun import plan_rerun

        stored = self.store.stored_run(run_id) if self.store is not None else RunsFolder(self.runs_dir).run(run_id)
        plan = plan_rerun(stored.read_record(), self.python, config=stored.read_config(), stored=stored,
                          recorded_python=read_process_info(stored.dir).python)
        self.app.call_from_thread(self._planned, plan, edit)

    def _planned(self, plan: Any, edit: bool) -> None:
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        spec: LaunchSpec | None = plan.spec
        if spec is None:
            self.app.notify("\n".join(plan.problems), severity="error", title=f"Cannot re-run run {plan.run_id}")
            return
        if spec.script.is_file() and plan.copy is None:
            self.catalog.add_known([spec.script])
        elif plan.copy is not None:
            self.catalog.confirm(spec.script)
        if edit:
            self.open_composer(spec, [*plan.problems, *plan.warnings], f"Run {plan.run_id} again, edited")
            return
        body = Text(visible(format_argv(spec.argv(self.runs_dir), spec.cwd)))
        if plan.interpreter is not None:
            body.append(f"\nInterpreter: {visible(plan.interpreter.why)}.", style="dim")
        for problem in plan.problems:
            body.append(f"\n✗ {visible(problem)}", style="bold red")
        for warning in plan.warnings:
            body.append(f"\n⚠ {visible(warning)}", style="dark_orange3")
        launch_label = "Launch the stored sources" if plan.copy is not None else "Launch"
        choices = [("launch", launch_label, "success"), ("edit", "Edit first", "primary"),
                   ("cancel", "Cancel", "default")]
        if plan.problems:
            choices = choices[1:]
        self.app.push_screen(ChoiceScreen(f"Run {plan.run_id} again?", body, choices),
                             lambda answer: self._rerun_chosen(answer, plan))

    def _rerun_chosen(self, answer: str | None, plan: Any) -> None:
        if answer == "launch":
            self.launch(plan.spec)
        elif answer == "edit":
            self.open_composer(plan.spec, [*plan.problems, *plan.warnings], f"Run {plan.run_id} again, edited")

    # -- quitting ---------------------------------------------------------------------------------
    def request_quit(self, queue_answered: bool = False) -> None:
        """Quit, asking first what to do with queued runs and launched runs that are still running."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        queue_flow = getattr(self.app, "queue_flow", None)
        if not queue_answered and queue_flow is not None and queue_flow.ask_before_quit(
                lambda: self.request_quit(queue_answered=True)):
            return
        self.launcher.poll()
        running = self.launcher.running()
        if not running:
            self._exit()
            return
        if self._quitting:
            return
        self._quitting = True
        body = Text("These runs were started here and are still running:\n")
        for launch in running:
            name = f"run {launch.run_id}" if launch.run_id else f"launch #{launch.number}"
            body.append("\n  " + visible(f"{name} (pid {launch.pid}): "), style="bold")
            body.append(visible(launch.command_line), style="dim")
        choices = [("leave", "Leave them running", "primary"), ("stop", "Stop them, then quit", "error"),
                   ("cancel", "Cancel", "default")]
        self.app.push_screen(ChoiceScreen("Quit with runs still running?", body, choices), self._quit_chosen)

    def _quit_chosen(self, answer: str | None) -> None:
        self._quitting = False
        if answer == "leave":
            self._exit()
        elif answer == "stop":
            self.app.notify("Stopping the launched runs (SIGINT, then SIGTERM)…", title="Quit")
            self.app.run_worker(self._stop_all_then_exit, thread=True, group="launch-quit",
                                exit_on_error=False)

    def _stop_all_then_exit(self, grace: float = 5.0) -> None:
        for _ in range(3):
            running = [launch for launch in self.launcher.running() if launch.process is not None]
            if not running:
                break
            for launch in running:
                self.launcher.stop(launch)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(launch.process.poll() is None for launch in running):
                time.sleep(0.05)
            self.launcher.poll()
        self.app.call_from_thread(self._exit)

    def _exit(self) -> None:
        self.exiting = True
        self.app.exit()


class LaunchingApp(App[None]):
    """An app that launches runs: keys and commands of the launcher that work on every screen."""

    BINDINGS = [Binding("x", "stop_run", "Stop run")]

    launch_scripts: Sequence[str | Path] = ()
    launch_python: str | None = None
    launch_log_dir: str | Path | None = None
    _launch_flow: LaunchFlow | None = None

    def configure_launching(self, scripts: Iterable[str | Path] = (), python: str | None = None,
                            log_dir: str | Path | None = None) -> None:
        """Set the scripts offered first (``--script``), the interpreter (``--python``) and where
        launched processes write their output (a private temp folder by default)."""
        self.launch_scripts = list(scripts)
        self.launch_python = python
        self.launch_log_dir = log_dir
        self._launch_flow = None

    @property
    def launch_flow(self) -> LaunchFlow:
        """The launching state of this app (created on first use)."""
        if self._launch_flow is None:
            runs_dir = getattr(self, "runs_dir", None) or Path("my_runs")
            self._launch_flow = LaunchFlow(self, runs_dir, getattr(self, "store", None),
                                           self.launch_scripts, self.launch_python,
                                           log_dir=self.launch_log_dir)
        return self._launch_flow

    def action_launch(self) -> None:
        """Compose a new run."""
        self.launch_flow.open_composer()

    def action_rerun(self) -> None:
        """Run the selected run again as it was."""
        self.launch_flow.rerun()

    def action_rerun_edit(self) -> None:
        """Open the selected run in the composer."""
        self.launch_flow.rerun(edit=True)

    def action_stop_run(self) -> None:
        """Stop the selected live run of this host (SIGINT, then SIGTERM), after asking."""
        self.launch_flow.stop_selected()

    def action_launch_log(self) -> None:
        """List the commands launched from the app."""
        self.launch_flow.show_log()

    async def action_quit(self) -> None:
        """Quit (asking first about launched runs that still run)."""
        self.launch_flow.request_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_run":
            return self.launch_flow.can_stop_here()
        return super().check_action(action, parameters)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Launch a run", "Compose a run: script, named configs, values", self.action_launch)
        yield SystemCommand("Launched runs", "Commands launched from here, their state and output",
                            self.action_launch_log)
