"""Provides SearchableTabsScreen: a polled, tabbed screen whose text tabs can be searched.

``/`` opens the search bar for the active tab's text (a regular expression, every match
highlighted as it is typed), Enter keeps the search and jumps to the first match, ``n``/``N`` jump
on, Escape drops it. Subclasses say which view of the active tab searches (``_searched``) and
which widget takes the focus back (``_focus_active_tab``); they compose a ``SearchBar`` and a
``#search-status`` line.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Input, Static

from sacred_tui.data.text_search import compile_search
from sacred_tui.data.visible_text import visible
from sacred_tui.screens.polling import PollingTabsScreen
from sacred_tui.widgets.search_bar import SearchBar

__all__ = ["SearchableTabsScreen"]


class SearchableTabsScreen(PollingTabsScreen):
    """Search in the text of the active tab (see the module's docstring)."""

    def _searched(self) -> Any:
        """The view of the active tab that searches, or None (a tab without text)."""
        return None

    def _focus_active_tab(self) -> None:
        """Focus the active tab's widget (after the search bar closes)."""

    def search_follows_tab(self) -> None:
        """After a tab change: close the bar, show that tab's own search, focus the tab."""
        self.query_one(SearchBar).close()
        searched = self._searched()
        self._search_status(searched.search.status(searched.shown_lines())
                            if searched is not None and searched.search.pattern is not None else "")
        self._focus_active_tab()
        self.refresh_bindings()

    def action_search(self) -> None:
        """Search the active tab's text (a regular expression), highlighting every match."""
        target = self._searched()
        pattern = target.search.pattern if target is not None else None
        self.query_one(SearchBar).open(pattern.text if pattern is not None else "")

    def action_search_next(self, forward: bool = True) -> None:
        """Jump to the next (or previous) match."""
        target = self._searched()
        if target is not None:
            self._search_status(target.jump(forward))

    def _search_status(self, text: str) -> None:
        status = self.query_one("#search-status", Static)
        status.update(Text(visible(text), style="italic"))
        status.display = bool(text)

    @on(Input.Changed, "#search-bar")
    def _search_typed(self, event: Input.Changed) -> None:
        target = self._searched()
        if target is not None:
            self._search_status(target.set_search(compile_search(event.value)))

    @on(Input.Submitted, "#search-bar")
    def _search_kept(self, event: Input.Submitted) -> None:
        bar = self.query_one(SearchBar)
        bar.close()
        target = self._searched()
        if target is not None and event.value:
            self._search_status(target.jump(True))
        self._focus_active_tab()
        self.refresh_bindings()

    @on(SearchBar.Dropped)
    def _search_dropped(self) -> None:
        target = self._searched()
        if target is not None:
            target.set_search(None)
        self._search_status("")
        self._focus_active_tab()
        self.refresh_bindings()
