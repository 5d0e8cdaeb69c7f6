"""Provides LineStatic: a one-line Static that redraws only when its text changes.

The runs screen sets its status and row lines after every batch of a loading folder and every
cursor move. ``Static.update`` lays the whole screen out again each time (a 160x48 screen costs
tens of milliseconds); a line of fixed height needs no layout, and the same text needs no redraw.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

__all__ = ["LineStatic"]


class LineStatic(Static):
    """A Static of fixed size (set in CSS) whose :meth:`show` skips unchanged content."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, classes=classes, markup=False)
        self._shown: str | Text = ""

    def show(self, content: str | Text) -> None:
        """Show ``content`` (plain text or a Rich Text) unless it is shown already."""
        if type(content) is type(self._shown) and content == self._shown:
            return
        self._shown = content.copy() if isinstance(content, Text) else content
        self.update(content, layout=False)
