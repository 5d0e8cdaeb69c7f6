"""Provides ConfigPreviewing, the launcher's verdict: the config preview, and what it lets launch.

Mixed into LaunchScreen. A short while after the form changes, Sacred's print_config runs for it
in a subprocess on a worker thread; a preview that arrives for an older form is dropped. The
preview decides whether the run can launch (launch_blocker: the form's problems block it; an
unreadable script or a failed preview block it unless ``-f`` is ticked) and what to ask first
(launch_doubts: malformed values, type changes, keys the experiment does not have).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.widgets import Static

from sacred_tui.data.launch_spec import LaunchSpec, malformed_value
from sacred_tui.data.script_interface import ConfigPreview, EntryMarks, ProbeError, preview_config
from sacred_tui.data.visible_text import visible_block
from sacred_tui.widgets.config_preview import config_preview_text

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

__all__ = ["ConfigPreviewing"]


class ConfigPreviewing(_ScreenBase):
    """The preview side of LaunchScreen (see the module doc); expects the screen's widgets and state."""

    interface_error: ProbeError | None
    preview: ConfigPreview | None
    preview_error: ProbeError | None
    preview_for: LaunchSpec | None
    _launch_when_ready: bool

    if TYPE_CHECKING:
        def preview_spec(self) -> LaunchSpec | None: ...
        def _show_notes(self, problems: Sequence[str]) -> None: ...
        def action_launch(self) -> None: ...

    # -- previewing ----------------------------------------------------------------------------
    def _preview_if_stale(self) -> None:
        if self.preview_spec() != self.preview_for:
            self.action_preview()

    def action_preview(self) -> None:
        """Run print_config for the current form (run 1 of a sweep) in the background."""
        spec = self.preview_spec()
        if spec is None or spec.problems():
            return
        self.query_one("#config-preview", Static).update(Text("Previewing the config…", style="italic"))
        self._run_preview(spec)

    @work(thread=True, exclusive=True, group="launch-preview", exit_on_error=False)
    def _run_preview(self, spec: LaunchSpec) -> None:
        try:
            result: ConfigPreview | ProbeError = preview_config(spec)
        except ProbeError as exc:
            result = exc
        self.app.call_from_thread(self._preview_done, spec, result)

    def _preview_done(self, spec: LaunchSpec, result: ConfigPreview | ProbeError) -> None:
        if not self.is_attached or spec != self.preview_spec():
            return
        self.preview_for = spec
        view = self.query_one("#config-preview", Static)
        if isinstance(result, ProbeError):
            self.preview, self.preview_error = None, result
            view.update(Text.assemble(("The preview failed; launching is blocked until it is fixed "
                                       "or -f is ticked.\n", "bold red"), (visible_block(result.details()), "red")))
        else:
            self.preview, self.preview_error = result, None
            text = config_preview_text(result)
            text.no_wrap = True
            view.update(text)
        self._show_notes(spec.problems())
        if self._launch_when_ready:
            self._launch_when_ready = False
            self.action_launch()


    # -- what the preview lets launch ----------------------------------------------------------
    def launch_blocker(self, spec: LaunchSpec | None) -> str | None:
        """Why the form cannot be launched now (None: it can); "" while the preview is running."""
        if spec is None:
            return "Choose a script first."
        problems = spec.problems()
        if problems:
            return problems[0]
        forced = bool(spec.options.get("--force"))
        if self.interface_error is not None and not forced:
            return f"The script cannot be read: {self.interface_error.summary}"
        if self.preview_for != spec:
            return ""
        if self.preview_error is not None and not forced:
            return f"The preview failed: {self.preview_error.summary} (fix it, or tick -f to launch anyway)"
        return None


    def launch_doubts(self, spec: LaunchSpec) -> list[str]:
        """What is probably a mistake and needs a "launch anyway": malformed values, type changes
        and keys the experiment does not have (the last two from the preview of this spec)."""
        doubts = [why for word in spec.updates if (why := malformed_value(word)) is not None]
        if self.preview is None or self.preview_for != spec:
            return doubts
        entries = self.preview.entries
        for key, marks in entries.items():
            if key.rpartition(".")[2] == "__doc__":  # a named config's docstring, not a value
                continue
            if marks.typechanged:
                doubts.append(f"{key} changes type from {marks.typechanged[0]} to {marks.typechanged[1]}")
            elif marks.added and not entries.get(key.rpartition(".")[0], EntryMarks()).added:
                doubts.append(f"{key} is not a key of the experiment's config: it is added")
        return doubts
