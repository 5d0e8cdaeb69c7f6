"""Provides HelpScreen, a modal listing every key active on the screen it was opened from."""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One line of help: the key as shown, what it does, and where it is defined."""

    key: str
    description: str
    scope: str


def _scope_name(node: object, screen: Screen[object]) -> str:
    if node is screen:
        return "screen"
    if node is screen.app:
        return "app"
    return type(node).__name__


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """Return the keys a user can press on ``screen`` now (focused widget, screen, app), described.

    Keys whose action is unavailable here (``o`` outside the artifacts tab, ``x`` where no run is
    shown) are left out: the help lists only what works.
    """
    app = screen.app
    lines: list[KeyHelp] = []
    for key, active in screen.active_bindings.items():
        if not active.enabled:
            continue
        binding = active.binding
        description = binding.description or binding.action.replace("_", " ")
        lines.append(KeyHelp(app.get_key_display(binding), description,
                             _scope_name(active.node, screen)))
    order = {"screen": 1, "app": 2}
    lines.sort(key=lambda line: (order.get(line.scope, 0), line.scope, line.key))
    return lines


class HelpScreen(ModalScreen[None]):
    """Shows :func:`keys_of` the screen below; any of Esc, q or ? closes it; arrows scroll."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, keys: list[KeyHelp], title: str = "Keys") -> None:
        super().__init__()
        self.keys = keys
        self.title_text = title

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """Build the help of ``screen``'s current keys."""
        name = type(screen).__name__.removesuffix("Screen") or "App"
        return cls(keys_of(screen), f"Keys of the {name} screen")

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label(self.title_text, id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Label("Mouse: click a row to select it, a header to sort by it. Esc closes.",
                        id="help-footer")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("Key", "Action", "Where")
        for line in self.keys:
            table.add_row(Text(line.key, style="bold"), Text(line.description), Text(line.scope))

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
