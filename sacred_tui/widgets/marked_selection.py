"""Provides MarkedSelectionList and MarkedCheckbox: boxes that show ✓ or nothing, not only a colour.

Textual's SelectionList and Checkbox draw the same ``X`` in every box and tell chosen from not
chosen by colour alone, which some users cannot see and some terminals do not show.
"""
from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["CHOSEN", "MarkedCheckbox", "MarkedSelectionList", "NOT_CHOSEN"]

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


class MarkedCheckbox(Checkbox):
    """A Checkbox whose box holds a ✓ when ticked and stays empty when not."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 - the name Textual's ToggleButton reads
        return CHOSEN if self.value else NOT_CHOSEN
