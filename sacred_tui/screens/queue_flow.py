"""Provides QueueFlow: the app's side of queued runs (its local queue, SLURM jobs, cancel, quit).

The app holds a local queue (the runs of sweeps launched from it, or adopted from a queue that
stopped) and starts them with the launch flow's Launcher, at most ``limit`` at a time. It follows
the SLURM jobs of the folder's runs with one squeue call every few seconds, in a worker thread,
and re-reads the rows whose record changed. ``x`` on a waiting run cancels it (after asking),
on a running SLURM run cancels its job; ``X`` cancels the waiting rest of a sweep; quitting with
runs waiting in the app's queue asks what to do with them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.timer import Timer

from sacred_tui.data.queued_runs import LOCAL, QueueTicket, read_ticket
from sacred_tui.data.run_queue import LocalQueue, QueuedRun
from sacred_tui.data.slurm_monitor import SlurmMonitor
from sacred_tui.data.sweep_control import cancel_runs
from sacred_tui.data.visible_text import visible
from sacred_tui.messages import RunsUpdated

__all__ = ["QueueFlow"]


class QueueFlow:
    """Queued runs of one app: see the module doc."""

    def __init__(self, app: Any, store: Any, launch_flow: Any, *, poll_interval: float = 0.3,
                 slurm_interval: float = 3.0, limit: int | None = None) -> None:
        self.app = app
        self.store = store
        self.launch_flow = launch_flow
        self.poll_interval = poll_interval
        self.slurm_interval = slurm_interval
        self.limit = limit
        self.queue: LocalQueue | None = None
        self.monitor = SlurmMonitor()
        self._local_timer: Timer | None = None
        self._slurm_busy = False
        self._last_error = ""
        self._followed: set[str] = set()
        """Runs whose job is not known to have ended: followed until SLURM says it did, also after
        the run itself finished (so slurm.json ends with SLURM's final word)."""

    # -- the local queue ----------------------------------------------------------------------
    def local_queue(self, limit: int | None = None) -> LocalQueue:
        """The app's local queue (created on first use; ``limit`` changes its concurrency)."""
        if self.queue is None:
            self.queue = LocalQueue(self.launch_flow.launcher, limit or self.limit)
        elif limit:
            self.queue.limit = limit
        return self.queue

    def enqueue(self, runs: Iterable[QueuedRun], limit: int | None = None) -> None:
        """Run ``runs`` (QUEUED folders) in the app's queue."""
        self.local_queue(limit).add(runs)
        self._tick_local()
        if self._local_timer is None:
            self._local_timer = self.app.set_interval(self.poll_interval, self._tick_local)

    def _tick_local(self) -> None:
        queue = self.queue
        if queue is None:
            return
        changed = queue.poll()
        if changed and self.store is not None:
            ids = [run.run_id for run in changed]
            self.app.run_worker(lambda: self._refresh(ids), thread=True, group="queue-refresh",
                                exit_on_error=False, description="Reading queued runs")

    def submit(self, request: Any) -> None:
        """Queue a sweep from the composer (a SweepRequest) in the background, then run or follow it."""
        count = len(request.sweep)
        self.app.notify(f"Checking and queueing {count} runs…", title="Sweep", timeout=3)
        self.app.run_worker(lambda: self._submit(request), thread=True, group="queue-submit",
                            exit_on_error=False, description="Queueing a sweep")

    def _submit(self, request: Any) -> None:
        from sacred_tui.data.sweep_submit import SweepRejected, queue_sweep

        runs_dir = self.launch_flow.runs_dir
        try:
            queued = queue_sweep(request.sweep, runs_dir, request.target, force=request.force)
        except SweepRejected as exc:
            self.app.call_from_thread(self.app.notify, "Nothing was queued:\n" + "\n".join(exc.problems),
                                      title="Sweep", severity="error", timeout=15)
            return
        ids = _span([run.run_id for run in queued.runs])
        if request.target.kind == LOCAL:
            self.app.call_from_thread(self.enqueue, queued.runs, request.target.limit)
            limit = request.target.limit or self.local_queue().limit
            message = f"Queued runs {ids} (sweep {queued.sweep_id}); they run here, {limit} at a time."
        else:
            message = f"Submitted runs {ids} to SLURM (sweep {queued.sweep_id})."
        failures = "\n".join(queued.failures)
        self.app.call_from_thread(self.app.notify, message + (f"\n{failures}" if failures else ""), title="Sweep",
                                  severity="warning" if failures else "information")
        self._refresh([run.run_id for run in queued.runs])
        self.app.call_from_thread(self.tick_slurm)

    def own_note(self, run_id: str) -> str:
        """How a run waits in the app's own queue ('' when it is not in it)."""
        queue = self.queue
        run = queue.get(run_id) if queue is not None else None
        if run is None or run.state != "waiting":
            return ""
        waiting = queue.waiting()
        place = next((i for i, other in enumerate(waiting) if other.run_id == run_id), 0) + 1
        return (f"waiting in this app's queue: {place} of {len(waiting)} waiting, {len(queue.running())} "
                f"running, at most {queue.limit} at a time")

    # -- SLURM ---------------------------------------------------------------------------------
    def tick_slurm(self) -> None:
        """Ask SLURM about the folder's unfinished jobs (one squeue call, in a worker thread)."""
        if self._slurm_busy or self.store is None:
            return
        self._slurm_busy = True
        self.app.run_worker(self._poll_slurm, thread=True, group="slurm-monitor",
                            exit_on_error=False, description="Asking SLURM about jobs")

    def _slurm_runs(self) -> list[Path]:
        """The run folders whose job SLURM may still report on (a walk of every row: off the UI thread)."""
        wanted = set(self._followed)
        # slurm.json is read afresh by the monitor: a queued row may not know its job yet.
        wanted.update(row.run_id for row in self.store.rows()
                      if row.queue is not None and row.queue.slurm
                      and (row.status == "QUEUED" or not row.queue.job_final))
        return [self.store.path / run_id for run_id in sorted(wanted)]

    def _poll_slurm(self) -> None:
        try:
            run_dirs = self._slurm_runs()
            if not run_dirs:
                return
            report = self.monitor.poll(run_dirs)
            self._followed = {run_dir.name for run_dir in report.unfinished}
            if report.changed:
                self._refresh([run_dir.name for run_dir in report.changed])
            error = report.error or ""
            if error and error != self._last_error:
                self.app.call_from_thread(self.app.notify, f"Cannot follow the SLURM jobs: {error}",
                                          title="SLURM", severity="warning", timeout=10)
            self._last_error = error
        finally:
            self._slurm_busy = False

    def _refresh(self, run_ids: list[str]) -> None:
        update = self.store.refresh({run_id: frozenset() for run_id in run_ids})
        if update:
            self.app.post_message(RunsUpdated([row.run_id for row in update.rows], update.removed, update.files))

    # -- stopping and cancelling ---------------------------------------------------------------
    def _row(self, run_id: str) -> Any:
        return self.store.get(run_id) if self.store is not None else None

    def stop(self, run_id: str) -> bool:
        """Handle ``x`` for a waiting run or a running SLURM run (True), else leave it to the launcher."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        row = self._row(run_id)
        if row is None:
            return False
        view = row.queue
        if row.status == "QUEUED":
            how = (f"its SLURM job {view.job_id} is cancelled (scancel)" if view is not None and view.job_id
                   else "it leaves the queue")
            body = Text(visible(f"Run {run_id} has not started. Cancel it? {how[0].upper()}{how[1:]} and the "
                                "run ends INTERRUPTED without running (shown as CANCELLED; its folder and "
                                "config stay)."))
            self.app.push_screen(ChoiceScreen.confirm(visible(f"Cancel run {run_id}?"), body, yes="Cancel the run",
                                                      no="Keep it", danger=True),
                                 lambda answer: self._cancel([run_id]) if answer == "yes" else None)
            return True
        if row.running and view is not None and view.job_id and not view.job_final:
            body = Text.assemble(visible(f"Cancel SLURM job {view.job_id} of run {run_id} (scancel)?") + "\n",
                                 ("SLURM sends SIGTERM (then SIGKILL); the run ends INTERRUPTED.", "dim"))
            self.app.push_screen(ChoiceScreen.confirm(visible(f"Stop run {run_id}?"), body, yes="scancel",
                                                      danger=True),
                                 lambda answer: self._cancel([run_id], stop=True) if answer == "yes" else None)
            return True
        return False

    def cancel_rest(self, run_id: str) -> None:
        """Ask, then cancel every waiting run of the selected run's sweep."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        row = self._row(run_id)
        sweep = row.queue.sweep if row is not None and row.queue is not None else None
        if not sweep:
            self.app.notify(f"Run {run_id} is not part of a sweep.", title="Cancel the rest of a sweep")
            return
        waiting = [r.run_id for r in self.store.rows()
                   if r.status == "QUEUED" and r.queue is not None and r.queue.sweep == sweep]
        if not waiting:
            self.app.notify(f"No run of sweep {sweep} is waiting.", title="Cancel the rest of a sweep")
            return
        body = Text(visible(f"Cancel the {len(waiting)} waiting runs of sweep {sweep} ({_span(waiting)})? They "
                            "end INTERRUPTED without running; runs already running go on."))
        self.app.push_screen(ChoiceScreen.confirm(visible(f"Cancel the rest of sweep {sweep}?"), body,
                                                  yes=f"Cancel {len(waiting)} runs", no="Keep them", danger=True),
                             lambda answer: self._cancel(waiting) if answer == "yes" else None)

    def _cancel(self, run_ids: list[str], stop: bool = False) -> None:
        queue = self.queue
        mine = [run_id for run_id in run_ids if queue is not None and queue.cancel(run_id)]
        others = [self.store.path / run_id for run_id in run_ids if run_id not in mine]

        def work() -> None:
            result = cancel_runs(others, stop_running=stop) if others else None
            done = len(mine) + (len(result.cancelled) if result else 0)
            lines = [f"{_runs(done)} cancelled before {'they' if done > 1 else 'it'} started."] if done else []
            if result is not None:
                lines += [f"SLURM job of run {name} cancelled: it ends INTERRUPTED." for name in result.stopped]
                lines += [f"Run {why}." for why in result.skipped]
                if result.error:
                    lines.append(f"scancel: {result.error}")
            self.app.call_from_thread(self.app.notify, "\n".join(lines) or "Nothing to cancel.", title="Cancel")
            self._refresh(run_ids)

        self.app.run_worker(work, thread=True, group="queue-cancel", exit_on_error=False,
                            description="Cancelling runs")

    # -- runs whose queue stopped --------------------------------------------------------------
    def abandoned(self) -> list[str]:
        """Waiting local runs whose queue process has exited (on this host)."""
        if self.store is None:
            return []
        return [row.run_id for row in self.store.rows() if row.status == "QUEUED" and row.queue is not None
                and row.queue.target == LOCAL and row.queue.owner_alive is False]

    def resume_abandoned(self) -> None:
        """Run the waiting runs whose queue stopped in the app's queue (after asking)."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        run_ids = self.abandoned()
        if not run_ids:
            self.app.notify("No run waits for a queue that stopped.", title="Resume")
            return
        body = Text(visible(f"Runs {_span(run_ids)} wait for a queue that stopped. Run them here, at most "
                    f"{self.local_queue().limit} at a time?"))
        self.app.push_screen(ChoiceScreen.confirm(f"Resume {_runs(len(run_ids))} waiting?", body, yes="Run them"),
                             lambda answer: self._adopt(run_ids) if answer == "yes" else None)

    def _adopt(self, run_ids: list[str]) -> None:
        queue = self.local_queue()
        for run_id in run_ids:
            run_dir = self.store.path / run_id
            ticket: QueueTicket | None = read_ticket(run_dir)
            if ticket is not None and ticket.owner_alive() is False:
                queue.adopt(run_dir, ticket)
        self.enqueue([])
        self._refresh(run_ids)

    # -- quitting ------------------------------------------------------------------------------
    def ask_before_quit(self, go_on: Callable[[], None]) -> bool:
        """With runs waiting in the app's queue, ask what to do (True: asked; ``go_on`` quits after)."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        queue = self.queue
        waiting = queue.waiting() if queue is not None else []
        if not waiting:
            return False
        folder = self.store.path if self.store is not None else "."
        body = Text(visible(f"{_runs(len(waiting))} waiting in this app's queue "
                            f"({_span([r.run_id for r in waiting])}); {len(queue.running())} running.") + "\n\n")
        body.append("Leave them queued: they stay QUEUED in the folder; run them later with Q here, or "
                    f"sacred-tui sweep --resume --runs {visible(folder)}.\n"
                    "Cancel them: they end INTERRUPTED without running.", style="dim")
        choices = [("leave", "Leave them queued", "primary"), ("cancel", "Cancel them", "error"),
                   ("stay", "Stay", "default")]

        def chosen(answer: str | None) -> None:
            if answer == "cancel":
                queue.cancel_waiting()
            if answer in ("leave", "cancel"):
                if self._local_timer is not None:
                    self._local_timer.stop()
                    self._local_timer = None
                go_on()

        self.app.push_screen(ChoiceScreen(f"Quit with {_runs(len(waiting))} waiting?", body, choices), chosen)
        return True


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _span(run_ids: list[str]) -> str:
    if len(run_ids) > 2 and all(i.isdigit() for i in run_ids):
        numbers = sorted(int(i) for i in run_ids)
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(run_ids[:12]) + (" …" if len(run_ids) > 12 else "")
