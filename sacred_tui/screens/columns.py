"""Provides ColumnsScreen, a modal that picks config keys and metric summaries as extra columns."""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection

from sacred_tui.data.fields import METRIC_STATS
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.marked_selection import MarkedSelectionList


class ColumnsScreen(ModalScreen[list[str] | None]):
    """Lists every known ``config.*`` key and ``metric.*`` summary; returns the chosen keys."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("a", "apply", "Apply"),
        Binding("x", "clear", "Clear all"),
    ]

    def __init__(self, config_keys: Sequence[str], metric_names: Sequence[str],
                 selected: Sequence[str]) -> None:
        super().__init__()
        self.config_keys = list(config_keys)
        self.metric_names = list(metric_names)
        self.selected = list(selected)

    def _options(self) -> list[Selection[str]]:
        chosen = set(self.selected)
        options = [Selection(Text(f"config  {visible(key)}"), f"config.{key}", f"config.{key}" in chosen)
                   for key in self.config_keys]
        for name in self.metric_names:
            for stat in METRIC_STATS:
                key = f"metric.{name}.{stat}"
                options.append(Selection(Text(f"metric  {visible(name)} ({stat})"), key, key in chosen))
        return options

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-dialog"):
            yield Label("Extra columns (space toggles, a applies, Esc cancels)", id="columns-title")
            if self.config_keys or self.metric_names:
                yield MarkedSelectionList(*self._options(), id="columns-list")
            else:
                yield Label("No config keys or metrics are known yet.", id="columns-empty")
            with Horizontal(id="columns-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    def _chosen(self) -> list[str]:
        lists = self.query(SelectionList)
        if not lists:
            return list(self.selected)
        picked = set(lists.first(SelectionList).selected)
        # Keep the user's earlier order, then add new picks in list order.
        order = [key for key in self.selected if key in picked]
        order += [option.value for option in self._options() if option.value in picked
                  and option.value not in order]
        return order

    def action_apply(self) -> None:
        """Close and return the chosen column keys."""
        self.dismiss(self._chosen())

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    def action_clear(self) -> None:
        """Untick every option."""
        for selection_list in self.query(SelectionList):
            selection_list.deselect_all()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
