"""Provides TabStrip: the names of a screen's tabs and a bar under the active one, in one widget.

Textual's tabs are a widget per tab plus containers and an underline, each mounted and styled when
a screen opens; a run's screen opens often, so its tab names are drawn by one widget instead (the
same look: dim names, the active one bright with the bar's highlight under it). A click on a name
posts :class:`TabStrip.Chosen`; keys are the screen's business.
"""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive

from sacred_tui.widgets.hover_spots import HoverSpots

__all__ = ["TabStrip"]


class TabStrip(HoverSpots, can_focus=False):
    """Tab names on the first line, an underline on the second with the active tab's part lit."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"tab-strip--tab", "tab-strip--active", "tab-strip--hover", "tab-strip--bar",
                         "tab-strip--lit"}
    DEFAULT_CSS = """
    TabStrip {
        height: 2;
        width: 1fr;
        text-wrap: nowrap;
        & > .tab-strip--tab { color: $foreground 50%; }
        & > .tab-strip--active { color: $foreground; }
        & > .tab-strip--hover { color: $foreground; }
        & > .tab-strip--bar { color: $foreground 10%; }
        & > .tab-strip--lit { color: $block-cursor-background; }
        &:ansi {
            & > .tab-strip--tab { text-style: dim; }
            & > .tab-strip--active { text-style: not dim bold; }
            & > .tab-strip--bar { color: $border-blurred; }
        }
    }
    """

    active: reactive[str] = reactive("")
    """The id of the active tab."""

    class Chosen(Message):
        """A tab's name was clicked."""

        def __init__(self, strip: TabStrip, tab_id: str) -> None:
            super().__init__()
            self.strip = strip
            self.tab_id = tab_id

        @property
        def control(self) -> TabStrip:
            return self.strip

    def __init__(self, tabs: Sequence[tuple[str, str]], active: str, *, id: str | None = None) -> None:
        """``tabs``: (id, label) of each tab, in order."""
        super().__init__(id=id)
        self.tabs = list(tabs)
        self.set_reactive(TabStrip.active, active)

    def spans(self) -> list[tuple[str, int, int]]:
        """(id, first cell, cell after the last) of each tab's name: one cell of padding each side."""
        spans, x = [], 0
        for tab_id, label in self.tabs:
            width = Text(label).cell_len + 2
            spans.append((tab_id, x, x + width))
            x += width
        return spans

    def render(self) -> Text:
        style = self.get_component_rich_style
        names = Text(no_wrap=True, overflow="crop")
        for tab_id, label in self.tabs:
            part = ("tab-strip--active" if tab_id == self.active
                    else "tab-strip--hover" if tab_id == self.hover else "tab-strip--tab")
            names.append(" ")
            names.append(label, style(part))
            names.append(" ")
        width = max(self.size.width, names.cell_len)
        # The bar lit under the active name (not its padding), with half bars at either end.
        start, end = next(((start + 1, end - 1) for tab_id, start, end in self.spans()
                           if tab_id == self.active), (0, 0))
        dark, lit = style("tab-strip--bar"), style("tab-strip--lit")
        bar = Text(no_wrap=True, overflow="crop")
        if start > 0:
            bar.append("━" * (start - 1) + "╸", dark)
        bar.append("━" * (end - start), lit)
        if end < width:
            bar.append("╺" + "━" * (width - end - 1), dark)
        return Text("\n").join([names, bar])

    def spot_at(self, x: int) -> str | None:
        """The id of the tab whose name is at column ``x``."""
        return next((tab_id for tab_id, start, end in self.spans() if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        tab_id = self.spot_at(event.x)
        if tab_id is not None:
            self.post_message(self.Chosen(self, tab_id))
