"""Provides SearchBar: the one-line regex search field of the run detail's text tabs."""
from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

__all__ = ["SearchBar"]


class SearchBar(Input):
    """Hidden until ``/``; searches as you type, Enter keeps the search, Esc drops it."""

    DEFAULT_CSS = """
    SearchBar { dock: bottom; display: none; margin-bottom: 1; }
    SearchBar, SearchBar:focus { height: 1; border: none; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "drop", "Stop searching", priority=True)]

    class Dropped(Message):
        """The user left the search with Esc: highlights go."""

    def __init__(self) -> None:
        super().__init__(placeholder="search (regular expression; ignores case unless it has capitals) "
                         "· Enter: keep, n / N jump · Esc: stop", id="search-bar", select_on_focus=False)

    def open(self, text: str = "") -> None:
        """Show the field with ``text`` (the view's current search) and focus it."""
        with self.prevent(Input.Changed):
            self.value = text
        self.display = True
        # Focused at once, not after the keys already waiting: what is typed right after / goes here.
        self.screen.set_focus(self)
        self.cursor_position = len(self.value)

    def close(self) -> None:
        """Hide the field."""
        self.display = False

    def action_drop(self) -> None:
        """Hide the field and stop searching."""
        self.close()
        self.post_message(self.Dropped())
