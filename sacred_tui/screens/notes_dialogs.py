"""Provides the small dialogs for a run's note, its tags and the export file."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from sacred_tui.data.visible_text import visible

__all__ = ["LineDialog", "NoteDialog"]

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 100; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; padding: 0 0 1 0; }}
{name} .dialog-hint {{ color: $text-muted; padding: 1 0 0 0; }}
{name} TextArea {{ height: 12; }}
"""


class _Dialog(ModalScreen[str | None]):
    """A modal that Esc closes without an answer."""

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


class NoteDialog(_Dialog):
    """Edit a free-text note over several lines; Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = _CSS.format(name="NoteDialog")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.title_text = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(visible(self.title_text)), classes="dialog-title")
            yield TextArea(self.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static("Ctrl+S saves · Esc cancels · an empty note removes it", classes="dialog-hint",
                         markup=False)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        """Close with the edited note."""
        self.dismiss(self.query_one(TextArea).text)


class LineDialog(_Dialog):
    """Edit one line (tags, a file name); Enter saves, Esc cancels. ``check`` names a bad value."""

    DEFAULT_CSS = _CSS.format(name="LineDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str, hint: str, check: object = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint
        self.check = check
        """A callable returning why a value is refused (or None); it stays open then."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(visible(self.title_text)), classes="dialog-title")
            yield Input(self.value, id="line-value", select_on_focus=False)
            yield Static(Text(visible(self.hint)), id="line-hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if callable(self.check) else None
        if problem:
            self.query_one("#line-hint", Static).update(Text(visible(problem), style="bold red"))
            return
        self.dismiss(event.value)
