"""Provides HoverSpots: a widget drawing several clickable spots itself (keys, tab names).

One widget in place of one per spot is what makes the key bar and the tab strip cheap to mount; the
price is tracking the hovered spot by hand, which this base does: subclasses say what is under a
column (``spot_at``) and draw ``hover`` highlighted.
"""
from __future__ import annotations

from typing import Any

from textual import events
from textual.widget import Widget

__all__ = ["HoverSpots"]


class HoverSpots(Widget):
    """Remembers the spot under the mouse in :attr:`hover` and redraws when it changes."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.hover: Any = None

    def spot_at(self, x: int) -> Any:
        """The spot at column ``x`` of the widget, or None."""
        raise NotImplementedError

    def on_mouse_move(self, event: events.MouseMove) -> None:
        spot = self.spot_at(event.x)
        if spot != self.hover:
            self.hover = spot
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self.hover is not None:
            self.hover = None
            self.refresh()
