"""Provides WrappedText: a long text wrapped to the widget's width, rendering only the lines on screen.

A config value can be a 10 MB string on one line. Rich would lay out all of it for a Static; this
view keeps the text and the offsets where each screen line starts (found with ``str.find`` and
``range`` at each new width, a few milliseconds for 10 MB), and draws only the visible slice.
Characters that move the cursor (control characters, escapes) are shown as visible symbols.
"""
from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from rich.segment import Segment

from sacred_tui.data.visible_text import visible

__all__ = ["WrappedText", "wrap_offsets"]


def wrap_offsets(text: str, width: int) -> list[int]:
    """Start offset of every screen line: the text's own lines, cut every ``width`` characters."""
    width = max(1, width)
    starts: list[int] = []
    position = 0
    while True:
        end = text.find("\n", position)
        stop = len(text) if end < 0 else end
        starts.extend(range(position, max(stop, position + 1), width))
        if end < 0:
            return starts
        position = end + 1


class WrappedText(ScrollView, can_focus=True):
    """Read-only text, soft-wrapped at the widget's width; j/k, Page keys, Home/End scroll."""

    DEFAULT_CSS = """
    WrappedText { background: $surface; overflow-y: auto; overflow-x: hidden; scrollbar-gutter: stable; }
    """
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("home,g", "scroll_home", "Top", show=False),
        Binding("end,G", "scroll_end", "End", show=False),
    ]

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = text
        self._starts: list[int] = []
        self._width = 0

    @property
    def text(self) -> str:
        """The whole text shown."""
        return self._text

    @property
    def line_count(self) -> int:
        """Screen lines at the current width."""
        return len(self._starts)

    def set_text(self, text: str) -> None:
        """Show ``text`` from its start."""
        self._text = text
        self._width = 0
        self._rewrap()
        self.scroll_home(animate=False)

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        if width == self._width and self._starts:
            return
        self._width = width
        self._starts = wrap_offsets(self._text, width)
        self.virtual_size = Size(width, len(self._starts))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._starts):
            return Strip.blank(width)
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._text)
        line = visible(self._text[start:end].rstrip("\n"))
        return Strip([Segment(line)]).crop_extend(0, width, None)
