"""Provides KeyBar: the screen's keys on one line, drawn as Textual's footer draws them.

Textual's footer is a container of one widget per key, rebuilt whenever the screen's bindings may
have changed (every focus change, every ``refresh_bindings``); mounting and styling those widgets
was a third of the time it took to open a run. KeyBar is a single widget: it draws the same line
(key, description, dimmed when disabled, the command palette's key on the right) and redraws it
only when the keys it shows change. A click on a key presses it, as in the footer.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen

from sacred_tui.widgets.hover_spots import HoverSpots

__all__ = ["KeyBar", "ShownKey"]


class ShownKey(NamedTuple):
    """One key as the bar shows it, and the cells it takes (``start`` inclusive, ``end`` exclusive)."""

    key: str
    display: str
    description: str
    enabled: bool
    start: int
    end: int


class KeyBar(HoverSpots, can_focus=False):
    """The keys of the active screen, one line at the bottom; the command palette's on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover", "key-bar--edge"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover { background: $block-hover-background; }
        & > .key-bar--edge { color: $foreground 20%; }
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._keys: tuple[tuple[str, str, str, bool], ...] = ()
        self._palette: tuple[str, str, str, bool] | None = None
        self._shown: list[ShownKey] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        """Redraw only if the keys to show changed (the screen says so far more often than they do)."""
        if not self.is_attached or screen is not self.screen:
            return
        keys, palette = self._wanted()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _wanted(self) -> tuple[tuple[tuple[str, str, str, bool], ...], tuple[str, str, str, bool] | None]:
        """(key, display, description, enabled) of each shown action's first binding, and the palette's."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append((binding.key, app.get_key_display(binding), binding.description, enabled))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        return tuple(keys), palette

    @property
    def shown_keys(self) -> list[ShownKey]:
        """The keys as last drawn, with where each one is on the line."""
        return list(self._shown)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        text_style = self.get_component_rich_style("key-bar--description", partial=True)
        hover_style = self.get_component_rich_style("key-bar--hover", partial=True)
        line = Text(no_wrap=True, overflow="crop")
        shown: list[ShownKey] = []
        width = self.size.width
        tail = Text()
        if self._palette is not None:
            key, display, description, enabled = self._palette
            tail.append("▏", self.get_component_rich_style("key-bar--edge", partial=True))
            tail.append(display, key_style)
            tail.append(f" {description} ", text_style)
            if not enabled:
                tail.stylize(Style(dim=True), 1)
        room = max(0, width - tail.cell_len)
        for key, display, description, enabled in self._keys:
            start = line.cell_len
            part = Text.assemble((f" {display} ", key_style), (f"{description} " if description else "", text_style))
            if not enabled:
                part.stylize(Style(dim=True))
            if self.hover == len(shown):
                part.stylize(hover_style)
            line.append_text(part)
            shown.append(ShownKey(key, display, description, enabled, start, min(line.cell_len, room)))
        line.truncate(room, overflow="crop", pad=bool(tail))
        if self._palette is not None:
            key, display, description, enabled = self._palette
            if self.hover == len(shown):
                tail.stylize(hover_style, 1)
            shown.append(ShownKey(key, display, description, enabled, room, room + tail.cell_len))
            line.append_text(tail)
        self._shown = [item for item in shown if item.end > item.start]
        return line

    def spot_at(self, x: int) -> int | None:
        """The index of the shown key at column ``x``."""
        return next((index for index, item in enumerate(self._shown) if item.start <= x < item.end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key presses it (a disabled key rings the bell)."""
        index = self.spot_at(event.x)
        if index is None:
            return
        item = self._shown[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
