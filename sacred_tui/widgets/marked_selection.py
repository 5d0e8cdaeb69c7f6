"""Provides MarkedSelectionList: a SelectionList whose boxes show ✓ or nothing, not only a colour.

Textual's SelectionList draws the same ``X`` in every box and tells chosen from not chosen by
colour alone, which some users cannot see and some terminals do not show.
"""
from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["CHOSEN", "MarkedSelectionList", "NOT_CHOSEN"]

CHOSEN = "✓"
NOT_CHOSEN = " "


class MarkedSelectionList(SelectionList):  # type: ignore[type-arg]
    """A SelectionList whose chosen entries carry a ✓ in their box."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        mark = CHOSEN if selection.value in self._selected else NOT_CHOSEN
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)
