"""Provides SacredTuiApp: the terminal UI over a Sacred-format runs folder."""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from core.runs import RunStamp
from sacred_tui.data.collector import lasting_objects
from sacred_tui.data.daemon_executor import DaemonThreadExecutor
from sacred_tui.data.store import RunStore
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.data.watcher import POLLING, WAITING, ChangeBatch, RunsWatcher
from sacred_tui.messages import (RunsChanged, RunsPainted, RunsUpdated, WatchModeChanged,
                                 merge_batches)
from sacred_tui.screens.help import HelpScreen
from sacred_tui.screens.launch_flow import LaunchingApp
from sacred_tui.screens.queue_flow import QueueFlow
from sacred_tui.screens.runs import RunsScreen


QUIET_INPUT = 1.0
"""Seconds without keys or clicks the end of a load waits for before its full garbage collection."""

LONGEST_INPUT_WAIT = 20.0
"""Seconds that collection waits for such a pause at most (someone holding a key down)."""

ENRICH_BATCH = 1000
"""Runs whose config and metrics are read per batch while loading (shared out among the reading
child processes; the runs on screen go first)."""


class SacredTuiApp(LaunchingApp):
    """Browse the runs of one folder live. The app owns the store and the watcher."""

    CSS_PATH = "app.tcss"
    TITLE = "sacred-tui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(self, runs_dir: str | Path, poll: bool = False, *, poll_interval: float = 1.0,
                 safety_interval: float = 2.0, liveness_interval: float = 5.0,
                 slurm_interval: float = 3.0) -> None:
        super().__init__()
        self.runs_dir = Path(runs_dir)
        self.poll = poll
        self.store = RunStore(self.runs_dir)
        """The runs index; screens read rows and run readers from it."""
        self.watcher: RunsWatcher | None = None
        self._poll_interval = poll_interval
        self._safety_interval = safety_interval
        self._liveness_interval = liveness_interval
        self._slurm_interval = slurm_interval
        self._queue_flow: QueueFlow | None = None
        self._pending = ChangeBatch()
        self._refreshing = False
        self._closing = False
        self._last_input = float("-inf")
        """When the latest key or click came (``time.monotonic()``)."""
        self._quitting = threading.Event()
        self.painted = threading.Event()
        """Set once the runs table has drawn the first load."""

    def on_mount(self) -> None:
        # Worker threads that read files must never keep the app alive after quitting.
        asyncio.get_running_loop().set_default_executor(DaemonThreadExecutor())
        self.push_screen(RunsScreen(self.store))
        self.set_interval(self._liveness_interval, self._judge_liveness)
        self.set_interval(self._slurm_interval, lambda: self.queue_flow.tick_slurm())
        self._load()

    def on_unmount(self) -> None:
        self._closing = True
        self._quitting.set()
        self.painted.set()
        self.store.close()
        if self.watcher is not None:
            self.watcher.stop()

    # -- loading and watching ----------------------------------------------------------------
    @work(thread=True, group="load", exit_on_error=False, description="Reading the runs folder")
    def _load(self) -> None:
        # What the load builds lives as long as the app: no full collection walks it meanwhile
        # or afterwards (with 20,000 rows each took 0.15-0.4 s of the UI's interpreter).
        # Setting the rows aside ends with a full collection (0.1-0.2 s at 20,000 rows, holding the
        # interpreter): it waits for a pause in the user's keys and clicks.
        with lasting_objects(settle=self._until_input_pauses):
            if not self._read_folder():
                return
            abandoned = self.queue_flow.abandoned()
            if abandoned:
                what = "1 run waits" if len(abandoned) == 1 else f"{len(abandoned)} runs wait"
                self.call_from_thread(self.notify, f"{what} for a queue that stopped: press Q to run them here, "
                                      "or x on one to cancel it.", title="Queued runs", timeout=15)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not isinstance(event, events.MouseMove):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _until_input_pauses(self) -> bool:
        """Wait (in a worker thread) until no key or click came for :data:`QUIET_INPUT` seconds, for
        :data:`LONGEST_INPUT_WAIT` at most; False (at once) when the app is quitting: no collection then."""
        deadline = time.monotonic() + LONGEST_INPUT_WAIT
        while not self._quitting.is_set():
            now = time.monotonic()
            quiet_for = now - self._last_input
            if quiet_for >= QUIET_INPUT or now >= deadline:
                return True
            # Woken at once by a quit: the rows must be frozen before the interpreter's collection at exit.
            self._quitting.wait(min(QUIET_INPUT - quiet_for, deadline - now))
        return False

    def _read_folder(self) -> bool:
        """Read the folder's runs, start watching it, keep the rows cache; False if the app quit meanwhile."""
        started = time.perf_counter()
        for index, rows in enumerate(self.store.load_batches()):
            self.post_message(RunsUpdated([row.run_id for row in rows], initial=index == 0))
            if index == 0:
                # Reading the rest competes with drawing for the interpreter: draw the top first.
                self.painted.wait(timeout=5)
        self.log(f"first pass over {len(self.store)} runs took {time.perf_counter() - started:.2f}s")
        self.watcher = RunsWatcher(
            self.runs_dir, lambda batch: self.post_message(RunsChanged(batch)),
            force_polling=self.poll, poll_interval=self._poll_interval,
            safety_interval=self._safety_interval,
            on_mode=lambda mode, reason: self.post_message(WatchModeChanged(mode, reason)))
        # Watching 20,000 run folders takes most of a second to set up: meanwhile the config and
        # metrics are read (in child processes); safety-net scans wait until they are.
        starting = threading.Thread(target=self._start_watching, args=(self.watcher, self.store.stamps()),
                                    name="start-watching", daemon=True)
        starting.start()
        try:
            for batch in self.store.enrich(batch_size=ENRICH_BATCH):
                if self._closing:
                    return False
                self.post_message(RunsUpdated([row.run_id for row in batch]))
        finally:  # a failed second pass must not leave the folder without its safety net
            starting.join()
            self.watcher.release_scans()
        # The next opening takes the rows of finished runs from the rows cache instead of their files.
        self.store.save_row_cache()
        self._preload_run_screen()
        return True

    @staticmethod
    def _preload_run_screen() -> None:
        """Import the run screen (0.2 s) and make the Python lexer of its sources tab (0.17 s) here,
        while the table is looked at, not on the UI thread when the first run is opened."""
        import sacred_tui.screens.run_detail  # noqa: F401
        from sacred_tui.data.source_lexer import lexer_for

        lexer_for("experiment.py", "pass\n")

    def _start_watching(self, watcher: RunsWatcher, known: dict[str, RunStamp]) -> None:
        watcher.start(known=known, hold_scans=True)
        if self._closing:
            watcher.stop()

    @on(RunsPainted)
    def _runs_painted(self) -> None:
        self.painted.set()

    @on(RunsChanged)
    def _runs_changed(self, message: RunsChanged) -> None:
        merge_batches(self._pending, into=message.batch)  # what still waits is older
        self._pending = message.batch
        if not self._refreshing:
            self._start_refresh()

    def _start_refresh(self) -> None:
        batch, self._pending = self._pending, ChangeBatch()
        if not batch:
            return
        self._refreshing = True
        self._refresh(batch)

    @work(thread=True, group="refresh", exit_on_error=False, description="Reading changed runs")
    def _refresh(self, batch: ChangeBatch) -> None:
        update = self.store.refresh(batch.changed, batch.removed)
        if update:
            self.post_message(RunsUpdated([row.run_id for row in update.rows], update.removed,
                                          update.files))

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(f"{worker.description} failed: {worker.error}", severity="error",
                        title="Runs folder")
        if worker.group == "refresh" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                         WorkerState.CANCELLED):
            self._refreshing = False
            self._start_refresh()

    @work(thread=True, group="liveness", exclusive=True, exit_on_error=False,
          description="Judging which runs still run")
    def _judge_liveness(self) -> None:
        # Off the event loop: judging a run that went quiet reads its run.json again.
        changed = self.store.tick()
        if changed:
            self.post_message(RunsUpdated([row.run_id for row in changed]))

    @on(RunsUpdated)
    def _forward_update(self, message: RunsUpdated) -> None:
        for screen in self.screen_stack:
            screen.post_message(RunsUpdated(message.run_ids, message.removed, message.files,
                                            initial=message.initial))

    @on(WatchModeChanged)
    def _forward_mode(self, message: WatchModeChanged) -> None:
        if message.mode == POLLING and not self.poll:
            self.notify(f"Falling back to polling: {message.reason}", severity="warning",
                        title="Watching the runs folder")
        elif message.mode == WAITING:
            self.notify(f"{message.reason}; it is watched until it appears.",
                        title="Watching the runs folder")
        for screen in self.screen_stack:
            screen.post_message(WatchModeChanged(message.mode, message.reason))

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = True) -> None:
        """Show a notification; its text is shown as plain text with control characters made visible.

        Notifications quote run ids, file names and problems, which may hold anything: no markup is
        read from them and no escape sequence reaches the terminal.
        """
        super().notify(visible_block(str(message)), title=visible(title), severity=severity,  # type: ignore[arg-type]
                       timeout=timeout, markup=False)

    # -- queued runs ---------------------------------------------------------------------------
    @property
    def queue_flow(self) -> QueueFlow:
        """The app's local queue, the SLURM monitor and the dialogs around queued runs."""
        if self._queue_flow is None:
            self._queue_flow = QueueFlow(self, self.store, self.launch_flow, slurm_interval=self._slurm_interval)
        return self._queue_flow

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_sweep":  # offered (and listed in the help) on a run of a sweep only
            run_id = self.launch_flow.selected_run_id()
            row = self.store.get(run_id) if run_id is not None else None
            return row is not None and row.queue is not None and bool(row.queue.sweep)
        return super().check_action(action, parameters)

    def action_cancel_sweep(self) -> None:
        """Cancel the waiting runs of the selected run's sweep (after asking)."""
        run_id = self.launch_flow.selected_run_id()
        if run_id is not None:
            self.queue_flow.cancel_rest(run_id)

    def action_resume_queue(self) -> None:
        """Run the waiting runs whose queue stopped, here (after asking)."""
        self.queue_flow.resume_abandoned()

    # -- actions and commands ----------------------------------------------------------------
    def action_help(self) -> None:
        """Show the keys of the current screen."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_reload(self) -> None:
        """Rescan the runs folder now."""
        if self.watcher is not None:
            self.watcher.poke()
        self.notify("Rescanning the runs folder.", timeout=2)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys", "List the keys of this screen", self.action_help)
        yield SystemCommand("Reload runs", "Rescan the runs folder now", self.action_reload)
        if isinstance(screen, RunsScreen):
            yield SystemCommand("Filter runs", "Type a filter (status=FAILED, config.lr>0.01 …)",
                                screen.action_filter)
            yield SystemCommand("Clear filter", "Show every run", screen.action_clear_filter)
            yield SystemCommand("Choose columns", "Add config and metric columns",
                                screen.action_choose_columns)
            yield SystemCommand("Sort by next column", "Cycle the sort column",
                                screen.action_cycle_sort)
            yield SystemCommand("Reverse sort", "Flip the sort direction", screen.action_reverse_sort)
            yield SystemCommand("Compare marked runs", "Config, metrics and outputs of the marked runs",
                                screen.action_compare_marked)
            yield SystemCommand("Edit tags", "Tags of the marked runs (or the selected one)", screen.action_edit_tags)
            yield SystemCommand("Edit note", "A note about the selected run", screen.action_edit_note)
            yield SystemCommand("Archive or restore runs", "Hide the marked runs (or the selected one); "
                                "restores archived ones", screen.action_archive)
            yield SystemCommand("Show or hide archived runs", "Toggle archived runs in the table",
                                screen.action_toggle_archived)
            yield SystemCommand("Delete runs", "Delete the marked runs (or the selected one), after asking",
                                screen.action_delete_runs)
            yield SystemCommand("Export table", "Write the shown table to CSV, JSON or Markdown",
                                screen.action_export)
            yield SystemCommand("Cancel the rest of the sweep", "Cancel the waiting runs of the selected run's "
                                "sweep", self.action_cancel_sweep)
            yield SystemCommand("Resume waiting runs", "Run here the waiting runs whose queue stopped",
                                self.action_resume_queue)
