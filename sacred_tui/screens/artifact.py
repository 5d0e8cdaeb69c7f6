"""Provides ArtifactScreen (a full-screen artifact preview) and open_externally (pager, editor, opener).

Text-like files open in $PAGER / $EDITOR with the terminal handed over (`App.suspend`); anything
else goes to the system opener (xdg-open, open), which runs detached so the UI keeps going.
"""

from __future__ import annotations

import subprocess

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from sacred_tui.data.artifact_preview import ArtifactItem, ArtifactPreview, openable_path, opener_command
from sacred_tui.data.run_detail_data import RunDetailSource
from sacred_tui.widgets.artifacts_list import ArtifactPreviewView
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.data.visible_text import visible

__all__ = ["ArtifactScreen", "open_externally"]


def open_externally(app: App[object], item: ArtifactItem) -> bool:
    """Open an artifact in a pager, editor or the system opener; problems become notifications.

    Only a regular file inside the run folder (or `_resources`) is handed over, by its real path.
    """
    path, refused = openable_path(item)
    if path is None:
        app.notify(refused or "", severity="error", title="Cannot open file")
        return False
    command = opener_command(path, item.kind)
    if command is None:
        app.notify(f"No program found to open {path.name}: set $PAGER or $EDITOR, or install xdg-open.",
                   severity="error", title="Cannot open file")
        return False
    argv, hand_over_terminal = command
    try:
        if hand_over_terminal:
            with app.suspend():
                subprocess.run(argv, check=False)
        else:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    except SuspendNotSupported:
        app.notify(f"This terminal cannot be handed over to {argv[0]}; open {path} yourself.",
                   severity="error", title="Cannot open file")
        return False
    except OSError as exc:
        app.notify(f"{argv[0]} failed to start: {exc.strerror or exc}", severity="error", title="Cannot open file")
        return False
    return True


class ArtifactScreen(Screen[None]):
    """One artifact or resource, previewed on the whole screen."""

    DEFAULT_CSS = """
    ArtifactScreen > #artifact-header { height: 1; background: $panel; padding: 0 1; }
    ArtifactScreen > ArtifactPreviewView { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,backspace,q", "close", "Back"),
        Binding("o", "open_external", "Open outside"),
    ]

    def __init__(self, source: RunDetailSource, item: ArtifactItem) -> None:
        super().__init__()
        self.source = source
        self.item = item
        self.preview: ArtifactPreview | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(visible(f"Run {self.source.run_id} · {self.item.role} {self.item.name}")),
                     id="artifact-header")
        yield ArtifactPreviewView()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(ArtifactPreviewView).show_message(f"Loading {self.item.name}…")
        self._load()

    @work(thread=True, exclusive=True, group="artifact-preview", exit_on_error=False)
    def _load(self) -> None:
        preview = self.source.preview_artifact(self.item)
        self.app.call_from_thread(self._show, preview)

    def _show(self, preview: ArtifactPreview) -> None:
        self.preview = preview
        self.query_one(ArtifactPreviewView).show_preview(preview)

    def action_close(self) -> None:
        """Back to the run."""
        self.dismiss(None)

    def action_open_external(self) -> None:
        """Open the file with the user's pager, editor or the system viewer."""
        open_externally(self.app, self.item)
