"""Provides SortPickerScreen: choose the runs table's sort column directly (instead of cycling)."""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from sacred_tui.data.columns import ColumnSpec
from sacred_tui.data.visible_text import visible

__all__ = ["SortPickerScreen"]


class SortPickerScreen(ModalScreen[tuple[str, bool] | None]):
    """Lists the table's columns; Enter sorts by one (the current one again flips the direction).

    Dismisses with ``(column key, reverse)`` or None (Esc).
    """

    DEFAULT_CSS = """
    SortPickerScreen { align: center middle; }
    SortPickerScreen > Vertical {
        width: 60; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SortPickerScreen OptionList { height: auto; max-height: 20; }
    SortPickerScreen .dialog-title { text-style: bold; width: 100%; }
    """
    BINDINGS = [Binding("escape,o", "cancel", "Cancel")]

    def __init__(self, specs: Sequence[ColumnSpec], current: str, reverse: bool) -> None:
        super().__init__()
        self.specs = list(specs)
        self.current = current
        self.reverse = reverse

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sort the runs by (Enter; the current column again flips ▲/▼, Esc cancels)",
                        classes="dialog-title")
            yield OptionList(*self._options(), id="sort-options")

    def _options(self) -> list[Option]:
        options = []
        for spec in self.specs:
            text = Text(visible(spec.label))
            if spec.key == self.current:
                text.append(f"   ← now {'descending ▼' if self.reverse else 'ascending ▲'}", style="bold")
            options.append(Option(text, id=spec.key))
        return options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [spec.key for spec in self.specs]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id or "id"
        if key == self.current:
            self.dismiss((key, not self.reverse))
        else:
            self.dismiss((key, key == "id"))  # newest runs first; other columns ascending

    def action_cancel(self) -> None:
        """Close without sorting."""
        self.dismiss(None)
