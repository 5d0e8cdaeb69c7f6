"""Provides ScriptChoosing, the launcher's script side: which script, and what it offers.

Mixed into LaunchScreen. Choosing a script (from the catalog, or a file picked with Browse…)
reads its interface (commands, named configs, config keys) in a subprocess on a worker thread, so
a slow or broken script never blocks the form; the answer is dropped if another script was chosen
meanwhile. Choosing a script also brings back the last composition left for it while the form
is still empty.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.widgets import Select, Static

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.script_catalog import ScriptCatalog
from sacred_tui.data.script_interface import ProbeError, ScriptInterface, read_interface
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.widgets.launch_form import NamedConfigPicker, OptionsForm, UpdatesEditor
from sacred_tui.widgets.sweep_form import SweepDraft, SweepForm

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

__all__ = ["ScriptChoosing", "short_path"]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def short_path(path: Path) -> str:
    """A path with the home folder written as ``~``."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home):] if home != "/" and text.startswith(home + os.sep) else text


class ScriptChoosing(_ScreenBase):
    """The script side of LaunchScreen (see the module doc); expects the screen's widgets and state."""

    catalog: ScriptCatalog
    python: str
    initial: LaunchSpec | None
    notes: list[str]
    script: Path | None
    interface: ScriptInterface | None
    interface_error: ProbeError | None
    compositions: dict[Path, LaunchSpec]
    sweep_compositions: dict[Path, dict]
    _command: str | None
    _ready: bool

    if TYPE_CHECKING:
        def _refresh_summary(self) -> None: ...
        def sweep_draft(self) -> SweepDraft: ...
        def recall_target(self, script: Path) -> None: ...

    def refresh_scripts(self) -> None:
        """Offer the scripts found since the screen opened; choose the first if none is chosen."""
        if not self._ready or not self.is_attached:
            return
        select = self.query_one("#script-select", Select)
        select.set_options(self._script_options())
        if self.script is not None:
            select.value = str(self.script)
        elif scripts := self.catalog.scripts():
            self.set_script(scripts[0])

    def _script_options(self) -> list[tuple[str, str]]:
        scripts = self.catalog.scripts()
        if self.script is not None and self.script not in scripts:
            scripts.insert(0, self.script)
        # The file name first: a narrow screen cuts the folder, never the name.
        return [(Text.assemble(visible(path.name), (f"  {visible(short_path(path.parent))}", "dim")),
                 str(path)) for path in scripts]

    def set_script(self, path: Path) -> None:
        """Use ``path`` (already allowed by the catalog) and read its interface."""
        self.script = path
        select = self.query_one("#script-select", Select)
        select.set_options(self._script_options())
        select.value = str(path)
        self._load_interface(path)

    def _load_interface(self, path: Path) -> None:
        if self.initial is not None and path != self.initial.script:
            self.notes = []  # they were about the run's own script
        self._recall(path)
        self.interface = None
        self.interface_error = None
        self.query_one(UpdatesEditor).set_known(None, None)
        self.query_one(NamedConfigPicker).show_available(None)
        self.query_one("#command-select", Select).set_options([])
        self._show_interface_status(Text(visible(f"Reading the interface of {path.name}…"), style="italic"))
        self._read_interface(path)
        self._refresh_summary()

    def _recall(self, path: Path) -> None:
        """Reopen the last composition for ``path`` when the form holds nothing yet."""
        if self._ready:
            self.recall_target(path)
        swept = self.sweep_compositions.get(path)
        if self._ready and swept is not None and not self.sweep_draft().is_sweep:
            self.query_one(SweepForm).restore(swept)
        saved = self.compositions.get(path)
        if not self._ready or saved is None or self.query_one(NamedConfigPicker).words \
                or self.query_one(UpdatesEditor).words:
            return
        self.query_one(NamedConfigPicker).set_words(saved.named_configs)
        self.query_one(UpdatesEditor).set_words(saved.updates)
        self.query_one(OptionsForm).set_options(saved.options)
        self._command = saved.command
        self.notify(f"Your last composition for {path.name} is back.", timeout=3)

    @work(thread=True, exclusive=True, group="launch-interface", exit_on_error=False)
    def _read_interface(self, path: Path) -> None:
        try:
            result: ScriptInterface | ProbeError = read_interface(path, self.python)
        except ProbeError as exc:
            result = exc
        self.app.call_from_thread(self._interface_read, path, result)

    def _interface_read(self, path: Path, result: ScriptInterface | ProbeError) -> None:
        if path != self.script or not self.is_attached:
            return
        if isinstance(result, ProbeError):
            self.interface_error = result
            self._show_interface_status(Text(visible_block(result.details()), style="red"))
            self._refresh_summary()
            return
        self.interface = result
        commands = result.user_commands()
        counts = [_count(len(commands), "command"), _count(len(result.named_configs), "named config"),
                  _count(len(result.defaults.keys()), "config key")]
        self._show_interface_status(Text(visible(f"{path.name}: {' · '.join(counts)}"), style="green"))
        select = self.query_one("#command-select", Select)
        select.set_options([(self._command_label(c.name, c.first_line, result), c.name) for c in commands])
        wanted = self._command or result.default_command
        if wanted in [c.name for c in commands]:
            select.value = wanted
        self.query_one(NamedConfigPicker).show_available(result.named_configs)
        self.query_one(UpdatesEditor).set_known(result.defaults.config, result.defaults.keys())
        if not result.named_configs and self.focused is self.query_one("#named-available"):
            self.query_one("#update-input").focus()
        self._refresh_summary()

    @staticmethod
    def _command_label(name: str, doc: str, interface: ScriptInterface) -> Text:
        label = f"{name} (default)" if name == interface.default_command else name
        return Text(visible(f"{label} — {doc}" if doc else label))

    def _show_interface_status(self, text: Text) -> None:
        self.query_one("#interface-status", Static).update(text)
