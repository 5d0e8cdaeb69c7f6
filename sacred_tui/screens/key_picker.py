"""Provides KeyPickerScreen (ticks several config keys) and ChoiceScreen (picks one value)."""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, SelectionList
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.marked_selection import MarkedSelectionList

__all__ = ["ChoiceScreen", "KeyPickerScreen"]


class KeyPickerScreen(ModalScreen[list[str] | None]):
    """Lists config keys with the chosen ones ticked; returns the ticked keys (None: cancelled)."""

    DEFAULT_CSS = """
    KeyPickerScreen { align: center middle; }
    KeyPickerScreen > Vertical { width: 80%; max-width: 90; height: 80%; border: thick $primary;
                                 background: $surface; padding: 0 1; }
    KeyPickerScreen #picker-title { text-style: bold; padding: 0 0 1 0; }
    KeyPickerScreen SelectionList { height: 1fr; }
    KeyPickerScreen #picker-buttons { height: auto; align: right middle; }
    KeyPickerScreen Button { margin: 0 0 0 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("a", "apply", "Apply"),
    ]

    def __init__(self, title: str, keys: Sequence[str], chosen: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = list(keys)
        self.chosen = list(chosen)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="picker-title")
            ticked = set(self.chosen)
            options = [Selection(Text(visible(key)), key, key in ticked)
                       for key in dict.fromkeys([*self.chosen, *self.keys])]
            yield MarkedSelectionList(*options, id="picker-list")
            with Horizontal(id="picker-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    def action_apply(self) -> None:
        """Close and return the ticked keys, in list order."""
        picked = set(self.query_one(SelectionList).selected)
        self.dismiss([key for key in dict.fromkeys([*self.chosen, *self.keys]) if key in picked])

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class ChoiceScreen(ModalScreen[str | None]):
    """Picks one of some values (Enter chooses, Esc cancels); labels are shown, values returned."""

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical { width: 70%; max-width: 80; height: 70%; border: thick $primary;
                              background: $surface; padding: 0 1; }
    ChoiceScreen #choice-title { text-style: bold; padding: 0 0 1 0; }
    ChoiceScreen OptionList { height: 1fr; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="choice-title")
            yield OptionList(*[Option(Text(visible(label)), id=value) for value, label in self.choices],
                             id="choice-list")

    def on_mount(self) -> None:
        values = [value for value, _ in self.choices]
        if self.current in values:
            self.query_one(OptionList).highlighted = values.index(self.current)

    @on(OptionList.OptionSelected, "#choice-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without a choice."""
        self.dismiss(None)
