"""Provides SweepComposing, the launcher's sweep side, and SweepRequest, what it hands to the app.

Mixed into LaunchScreen. With a sweep in the form, the command-line panel lists the number of
runs and every command line (scrollable); the config preview shows run 1; every run is checked
in the background as queueing would check it (the script imported once, and for SLURM an
``sbatch --test-only``), errors block, doubts (type changes, added keys) ask "queue anyway". A
sweep of one run on this machine is an ordinary launch. The target is remembered per script.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.widgets import Static

from sacred_tui.data.launch_memory import TargetMemory
from sacred_tui.data.launch_spec import LaunchSpec, format_argv
from sacred_tui.data.queued_runs import LOCAL
from sacred_tui.data.sweep_spec import SweepError, SweepSpec
from sacred_tui.data.sweep_submit import SweepCheck, SweepTarget, check_sweep
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.sweep_form import SweepDraft, SweepForm

__all__ = ["SweepComposing", "SweepRequest"]

SHOWN_LINES = 500
"""Command lines listed in the panel; a bigger sweep says how many more there are."""


@dataclass(frozen=True)
class SweepRequest:
    """A sweep the composer asks the app to queue."""

    sweep: SweepSpec
    target: SweepTarget
    force: bool = False


class SweepComposing:
    """The sweep side of LaunchScreen (see the module doc); expects the screen's widgets."""

    sweep_check: SweepCheck | None = None
    sweep_checked_for: Any = None
    _sweep_timer: Timer | None = None
    _queue_when_checked = False
    target_memory: TargetMemory | None = None

    # -- the sweep the form describes -------------------------------------------------------------
    def sweep_draft(self) -> SweepDraft:
        found = self.query("#sweep-form")  # type: ignore[attr-defined]
        return found.first(SweepForm).draft() if found else SweepDraft()

    def current_sweep(self) -> SweepSpec | None:
        """The sweep of the form (None without one, or while the form has problems)."""
        base: LaunchSpec | None = self.current_spec()  # type: ignore[attr-defined]
        draft = self.sweep_draft()
        if base is None or not draft.is_sweep or draft.problems:
            return None
        return SweepSpec(base, draft.axes, draft.alternatives, draft.seeds, {"target": draft.target.kind})

    def preview_spec(self) -> LaunchSpec | None:
        """What the config preview shows: run 1 of a sweep, or the single run."""
        sweep = self.current_sweep()
        if sweep is not None and not sweep.problems():
            return sweep.points()[0].spec
        return self.current_spec()  # type: ignore[attr-defined]

    def sweep_problems(self) -> list[str]:
        """What stops the sweep: the form's own problems, the sweep's, and what its check found."""
        draft = self.sweep_draft()
        if not draft.is_sweep:
            return []
        problems = list(draft.problems)
        sweep = self.current_sweep()
        if sweep is not None:
            problems += sweep.problems()
            if self.sweep_check is not None and self.sweep_checked_for == self._check_key(sweep, draft.target):
                problems += self.sweep_check.errors
        return problems

    def sweep_doubts(self) -> list[str]:
        sweep = self.current_sweep()
        if sweep is None or self.sweep_check is None:
            return []
        if self.sweep_checked_for != self._check_key(sweep, self.sweep_draft().target):
            return []
        return list(self.sweep_check.doubts)

    @staticmethod
    def _check_key(sweep: SweepSpec, target: SweepTarget) -> Any:
        return (repr(sweep.to_json()), repr(target.to_json()))

    # -- the command-line panel -------------------------------------------------------------------
    def show_sweep_lines(self, runs_dir: Path) -> bool:
        """List the sweep's command lines in the panel; False when the form holds no sweep."""
        draft = self.sweep_draft()
        if not draft.is_sweep:
            return False
        line = self.query_one("#command-line", Static)  # type: ignore[attr-defined]
        sweep = self.current_sweep()
        if sweep is None:
            line.update(Text("(the sweep is not complete yet)", style="dim"))
            return True
        count = len(sweep)
        if draft.target.kind != LOCAL:
            where = "as SLURM jobs" if count != 1 else "as a SLURM job"
        elif draft.target.limit:
            where = f"on this machine, at most {draft.target.limit} at a time"
        else:
            where = "on this machine, one per core at a time"
        text = Text(f"{count} {'run' if count == 1 else 'runs'} {where}", style="bold")
        try:
            points = sweep.points()
        except SweepError as exc:
            line.update(Text(visible(str(exc)), style="bold red"))
            return True
        for point in points[:SHOWN_LINES]:
            text.append(f"\n{point.index + 1:>4}  ", style="dim")
            text.append(visible(format_argv(point.spec.argv(runs_dir))))
        if len(points) > SHOWN_LINES:
            text.append(f"\n… and {len(points) - SHOWN_LINES} more", style="dim")
        line.update(text)
        self.schedule_sweep_check()
        return True

    # -- checking ---------------------------------------------------------------------------------
    def schedule_sweep_check(self) -> None:
        sweep = self.current_sweep()
        if sweep is None or sweep.problems():
            return
        if self.sweep_checked_for == self._check_key(sweep, self.sweep_draft().target):
            return
        if self._sweep_timer is not None:
            self._sweep_timer.stop()
        self._sweep_timer = self.set_timer(0.5, self._check_if_stale)  # type: ignore[attr-defined]

    def _check_if_stale(self) -> None:
        sweep = self.current_sweep()
        if sweep is not None:
            self._run_sweep_check(sweep, self.sweep_draft().target)

    @work(thread=True, exclusive=True, group="launch-sweep-check", exit_on_error=False)
    def _run_sweep_check(self, sweep: SweepSpec, target: SweepTarget) -> None:
        result = check_sweep(sweep, self.runs_dir, target)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._sweep_checked, sweep, target, result)  # type: ignore[attr-defined]

    def _sweep_checked(self, sweep: SweepSpec, target: SweepTarget, result: SweepCheck) -> None:
        if not self.is_attached:  # type: ignore[attr-defined]
            return
        self.sweep_check, self.sweep_checked_for = result, self._check_key(sweep, target)
        self._refresh_summary()  # type: ignore[attr-defined]
        if self._queue_when_checked:
            self._queue_when_checked = False
            self.action_launch()  # type: ignore[attr-defined]

    # -- launching --------------------------------------------------------------------------------
    def launch_sweep(self) -> bool:
        """Hand the sweep to the app (after its check; doubts ask first). False: not a sweep."""
        from sacred_tui.screens.launch_dialogs import ChoiceScreen

        draft = self.sweep_draft()
        if not draft.is_sweep:
            return False
        sweep = self.current_sweep()
        problems = self.sweep_problems()
        if problems or sweep is None:
            self.notify(problems[0] if problems else "The sweep is not complete yet.",  # type: ignore[attr-defined]
                        severity="error", title="Cannot queue the sweep")
            return True
        if len(sweep) == 1 and draft.target.kind == LOCAL:
            return False  # one run here: an ordinary launch of run 1
        if self.sweep_checked_for != self._check_key(sweep, draft.target):
            self._queue_when_checked = True
            self.notify("Checking every run of the sweep…", timeout=2)  # type: ignore[attr-defined]
            self._check_if_stale()
            return True
        request = SweepRequest(sweep, draft.target)
        doubts = self.sweep_doubts()
        if not doubts:
            self._leave(request)  # type: ignore[attr-defined]
            return True
        body = Text("Sacred would run these, but they are probably not what you meant:\n")
        for doubt in doubts:
            body.append(f"\n⚠ {visible(doubt)}", style="dark_orange3")

        def answered(answer: str | None) -> None:
            if answer == "queue":
                self._leave(SweepRequest(sweep, draft.target, force=True))  # type: ignore[attr-defined]

        self.app.push_screen(ChoiceScreen("Queue anyway?", body, [  # type: ignore[attr-defined]
            ("edit", "Keep editing", "primary"), ("queue", "Queue anyway", "warning")]), answered)
        return True

    def remember_target(self) -> None:
        """Keep the target (this machine or SLURM, and the options) for the script, across restarts."""
        script: Path | None = getattr(self, "script", None)
        found = self.query("#sweep-form")  # type: ignore[attr-defined]
        if script is not None and found and self.target_memory is not None:
            self.target_memory.remember(script, found.first(SweepForm).target_memory())

    def recall_target(self, script: Path) -> None:
        """Fill the target fields with what the script's last sweep used."""
        if self.target_memory is None:
            return
        remembered = self.target_memory.get(script)
        if remembered:
            self.query_one(SweepForm).set_target(remembered)  # type: ignore[attr-defined]
