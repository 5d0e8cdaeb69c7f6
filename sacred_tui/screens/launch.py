"""Provides LaunchScreen: compose a run or a sweep (script, command, named configs, updates, options,
swept keys, alternatives, seeds, target), preview it.

The screen never runs user code itself: the script's interface and every preview come from
subprocesses in worker threads. It dismisses with the LaunchSpec to start, a SweepRequest to
queue (see launch_sweep), or None. Launching is blocked while the form has problems or the
preview fails, unless ``-f`` is ticked.

This module holds the layout, the spec the form describes and the actions; the script side is
in launch_script, the preview and what it lets launch in launch_preview.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Label, Select, Static

from sacred_tui.data.launch_memory import TargetMemory
from sacred_tui.data.launch_spec import LaunchSpec, format_argv
from sacred_tui.data.script_catalog import ScriptCatalog
from sacred_tui.data.script_interface import ConfigPreview, ProbeError, ScriptInterface
from sacred_tui.data.visible_text import visible
from sacred_tui.screens.launch_dialogs import ChoiceScreen, ScriptPickerScreen
from sacred_tui.screens.launch_preview import ConfigPreviewing
from sacred_tui.screens.launch_script import ScriptChoosing, short_path
from sacred_tui.screens.launch_sweep import SweepComposing, SweepRequest
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.launch_form import NamedConfigPicker, OptionsForm, UpdatesEditor
from sacred_tui.widgets.launch_inputs import OrderedList
from sacred_tui.widgets.sweep_form import SweepDraft, SweepForm

__all__ = ["LaunchScreen", "short_path"]


class LaunchScreen(ScriptChoosing, ConfigPreviewing, SweepComposing,
                   Screen["LaunchSpec | SweepRequest | None"]):
    """The run composer: the left column edits, the right one shows the command line and config."""

    DEFAULT_CSS = """
    LaunchScreen #launch-header { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    LaunchScreen #launch-body { height: 1fr; }
    LaunchScreen #launch-form { width: 1fr; padding: 0 1; }
    LaunchScreen #launch-side { width: 1fr; padding: 0 1; border-left: solid $panel; }
    LaunchScreen .section { text-style: bold; color: $accent; margin: 1 0 0 0; }
    LaunchScreen #script-row { height: auto; }
    LaunchScreen #script-select { width: 1fr; }
    LaunchScreen Select SelectCurrent Static#label { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    LaunchScreen #interface-status { height: auto; }
    LaunchScreen #command-scroll { height: auto; max-height: 12; }
    LaunchScreen #command-line { height: auto; background: $boost; padding: 0 1; }
    LaunchScreen #launch-notes { height: auto; }
    LaunchScreen #preview-scroll { height: 1fr; overflow-x: auto; }
    LaunchScreen #config-preview { width: auto; }
    LaunchScreen #launch-buttons { height: auto; padding: 0 1; }
    LaunchScreen #launch-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Leave"),
        Binding("ctrl+s", "launch", "Launch"),
        Binding("ctrl+o", "browse", "Pick a script file"),
        Binding("f5", "preview", "Preview again"),
        Binding("q", "explain_quit", "Quit (not here)", show=False),
    ]

    def __init__(self, catalog: ScriptCatalog, runs_dir: Path, python: str,
                 initial: LaunchSpec | None = None, notes: Sequence[str] = (),
                 title: str = "Launch a run",
                 compositions: dict[Path, LaunchSpec] | None = None,
                 sweep_compositions: dict[Path, dict] | None = None,
                 target_memory: TargetMemory | None = None) -> None:
        super().__init__()
        self.compositions = compositions if compositions is not None else {}
        """The last composition per script; this screen leaves its own here when it closes."""
        self.sweep_compositions = sweep_compositions if sweep_compositions is not None else {}
        """The sweep section of the last composition per script."""
        self.target_memory = target_memory
        self.catalog = catalog
        self.runs_dir = runs_dir
        self.python = python
        self.initial = initial
        self.notes = list(notes)
        self.title_text = title
        self.script: Path | None = initial.script if initial else None
        self.interface: ScriptInterface | None = None
        self.interface_error: ProbeError | None = None
        self.preview: ConfigPreview | None = None
        self.preview_error: ProbeError | None = None
        self.preview_for: LaunchSpec | None = None
        """The spec the shown preview (or preview error) belongs to."""
        self._command = initial.command if initial else None
        self._preview_timer: Timer | None = None
        self._launch_when_ready = False
        self._ready = False
        self._opened: LaunchSpec | None = None
        """What the form held when it opened: leaving a changed form asks first."""
        self._opened_sweep: SweepDraft | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text(visible(f"{self.title_text} · into {short_path(self.runs_dir)}")), id="launch-header")
        with Horizontal(id="launch-body"):
            with VerticalScroll(id="launch-form"):
                yield Label("Script", classes="section")
                with Horizontal(id="script-row"):
                    yield Select(self._script_options(), id="script-select", allow_blank=True,
                                 prompt="Choose a script (or Browse…)")
                    yield Button("Browse…", id="browse")
                yield Static(id="interface-status", markup=False)
                yield Label("Command", classes="section")
                yield Select([], id="command-select", allow_blank=True, prompt="main (default)")
                yield NamedConfigPicker(id="named-picker")
                yield UpdatesEditor(id="updates-editor")
                yield OptionsForm(self.initial.options if self.initial else None, id="options-form")
                yield SweepForm(id="sweep-form")
            with Vertical(id="launch-side"):
                yield Label("Command line", classes="section")
                with VerticalScroll(id="command-scroll"):
                    yield Static(id="command-line", markup=False)
                yield Static(id="launch-notes", markup=False)
                yield Label("Config preview", classes="section")
                with VerticalScroll(id="preview-scroll"):
                    yield Static(id="config-preview", markup=False)
        with Horizontal(id="launch-buttons"):
            yield Button("Launch (ctrl+s)", id="launch-button", variant="success")
            yield Button("Cancel (esc)", id="cancel-button")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.initial is not None:
            self.query_one(NamedConfigPicker).set_words(self.initial.named_configs)
            self.query_one(UpdatesEditor).set_words(self.initial.updates)
        if self.script is None and self.catalog.scripts():
            self.script = self.catalog.scripts()[0]
        self._ready = True
        if self.script is not None:
            self.recall_target(self.script)
        self._opened = self.current_spec()
        self._opened_sweep = self.sweep_draft()
        select = self.query_one("#script-select", Select)
        select.set_options(self._script_options())
        if self.script is not None:
            select.value = str(self.script)
            self._load_interface(self.script)
            self.query_one("#named-available").focus()
        else:
            self._show_interface_status(Text("Choose a script above, or Browse… (ctrl+o) for a file.",
                                             style="italic"))
            select.focus()
        self._refresh_summary()

    # -- the spec ------------------------------------------------------------------------------
    def current_spec(self) -> LaunchSpec | None:
        """The run the form describes (None until a script is chosen)."""
        if self.script is None:
            return None
        command = self._command
        if self.interface is not None and command == self.interface.default_command:
            command = None
        return LaunchSpec.create(self.script, command, self.query_one(NamedConfigPicker).words,
                                 self.query_one(UpdatesEditor).words,
                                 self.query_one(OptionsForm).options(), self.python)

    def _refresh_summary(self) -> None:
        """Show the command line and problems now, and preview the config shortly."""
        spec = self.preview_spec()
        line = self.query_one("#command-line", Static)
        if spec is None:
            line.update(Text("(no script yet)", style="dim"))
            self._show_notes([])
            return
        if not self.show_sweep_lines(self.runs_dir):
            line.update(Text(visible(format_argv(spec.argv(self.runs_dir), spec.cwd))))
        problems = spec.problems()
        self._show_notes(problems)
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if not problems and spec != self.preview_for:
            self._preview_timer = self.set_timer(0.25, self._preview_if_stale)

    def _show_notes(self, problems: Sequence[str]) -> None:
        text = Text()
        for note in self.notes:
            text.append(f"⚠ {visible(note)}\n", style="dark_orange3")
        for problem in [*problems, *self.sweep_problems()]:
            text.append(f"✗ {visible(problem)}\n", style="bold red")
        spec = self.preview_spec()
        for doubt in (self.launch_doubts(spec) if spec is not None and not problems else []):
            text.append(f"⚠ {visible(doubt)} (launching asks first)\n", style="bold dark_orange3")
        for doubt in self.sweep_doubts():
            text.append(f"⚠ {visible(doubt)} (queueing asks first)\n", style="bold dark_orange3")
        self.query_one("#launch-notes", Static).update(text)

    # -- actions -------------------------------------------------------------------------------
    def action_launch(self) -> None:
        """Start the composed run (after its preview succeeded), or queue the composed sweep."""
        if self.launch_sweep():
            return
        spec = self.preview_spec()
        blocker = self.launch_blocker(spec)
        if blocker == "":
            self._launch_when_ready = True
            self.notify("Waiting for the preview…", timeout=2)
            self.action_preview()
            return
        if blocker is not None:
            self.notify(blocker, severity="error", title="Cannot launch")
            return
        doubts = self.launch_doubts(spec)  # type: ignore[arg-type]
        if not doubts:
            self._leave(spec)
            return
        body = Text("Sacred would run this, but it is probably not what you meant:\n")
        for doubt in doubts:
            body.append(f"\n⚠ {visible(doubt)}", style="dark_orange3")

        def answered(answer: str | None) -> None:
            if answer == "launch" and spec == self.preview_spec():
                self._leave(spec)

        self.app.push_screen(ChoiceScreen("Launch anyway?", body, [
            ("edit", "Keep editing", "primary"), ("launch", "Launch anyway", "warning")]), answered)

    def changed(self) -> bool:
        """Whether the form holds something other than what it opened with."""
        spec = self.current_spec()
        if spec is not None and self.sweep_draft() != self._opened_sweep:
            return True
        return spec is not None and self._opened is not None and (
            spec.named_configs, spec.updates, spec.command, dict(spec.options)) != (
            self._opened.named_configs, self._opened.updates, self._opened.command, dict(self._opened.options))

    def action_cancel(self) -> None:
        """Leave without launching; a changed composition asks first (and L brings it back)."""
        if not self.changed():
            self._leave(None)
            return
        body = Text("Leave the launcher without launching? The composition is kept: L reopens it.")
        self.app.push_screen(ChoiceScreen("Leave without launching?", body, [
            ("stay", "Keep editing", "primary"), ("leave", "Leave", "default")]),
            lambda answer: self._leave(None) if answer == "leave" else None)

    def action_explain_quit(self) -> None:
        """``q`` does not quit from here: a composition is too easily lost."""
        self.notify("q does not quit from the launcher: Esc leaves it (the composition is kept, L "
                    "reopens it); ctrl+q quits the app.", timeout=4)

    def _leave(self, spec: LaunchSpec | SweepRequest | None) -> None:
        composed = self.current_spec()
        swept = self.sweep_draft().is_sweep
        if composed is not None and (composed.named_configs or composed.updates or composed.options
                                     or composed.command or swept):
            self.compositions.pop(composed.script, None)  # newest last
            self.compositions[composed.script] = composed
            if swept:
                self.sweep_compositions[composed.script] = self.query_one(SweepForm).state()
            else:
                self.sweep_compositions.pop(composed.script, None)
        self.remember_target()
        self.dismiss(spec)

    def action_browse(self) -> None:
        """Pick a script file from the disk."""
        start = self.script.parent if self.script and self.script.parent.is_dir() else Path.cwd()
        self.app.push_screen(ScriptPickerScreen(start, self.catalog.is_trusted), self._picked)

    def _picked(self, path: Path | None) -> None:
        if path is not None:
            self.set_script(self.catalog.confirm(path))

    # -- events --------------------------------------------------------------------------------
    @on(Button.Pressed, "#browse")
    def _browse_pressed(self) -> None:
        self.action_browse()

    @on(Button.Pressed, "#launch-button")
    def _launch_pressed(self) -> None:
        self.action_launch()

    @on(Button.Pressed, "#cancel-button")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Select.Changed, "#script-select")
    def _script_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and Path(event.value) != self.script:
            self.script = Path(event.value)
            self._load_interface(self.script)

    @on(Select.Changed, "#command-select")
    def _command_changed(self, event: Select.Changed) -> None:
        self._command = event.value if isinstance(event.value, str) else None
        self._refresh_summary()

    @on(OrderedList.Changed)
    @on(OptionsForm.Changed)
    @on(SweepForm.Changed)
    def _form_changed(self) -> None:
        self._refresh_summary()
