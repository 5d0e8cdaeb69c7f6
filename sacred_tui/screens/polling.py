"""Provides ``PollingTabsScreen``: a tabbed screen fed by a data source polled in a worker thread.

The run-detail and compare screens share this: at most one poll runs at a time (a request during a
poll schedules one more), a reader that raises becomes a notification instead of a crash (once per
distinct error, not on every poll), and the tab keys (numbers, ``h``/``l``) work the same way.
"""
from __future__ import annotations

from typing import Any

from textual import work
from textual.screen import Screen
from textual.widgets import TabbedContent


class PollingTabsScreen(Screen[None]):
    """Subclasses set ``TAB_IDS``, ``self.source`` (with ``poll()``) and implement ``apply_update``."""

    TAB_IDS: tuple[str, ...] = ()
    source: Any

    def __init__(self) -> None:
        super().__init__()
        self._polling = False
        self._poll_again = False
        self._poll_error: str | None = None

    def poll_error_title(self) -> str:
        """Title of the notification shown when reading fails."""
        return "Cannot read the run"

    def apply_update(self, update: Any) -> None:
        """Show what the poll found (called on the UI thread)."""
        raise NotImplementedError

    def refresh_from_files(self) -> None:
        """Read what changed and update the screen (never two polls at once)."""
        if self._polling:
            self._poll_again = True
            return
        self._polling = True
        self._poll()

    @work(thread=True, group="screen-poll", exit_on_error=False)
    def _poll(self) -> None:
        try:
            update = self.source.poll()
        except Exception as exc:  # a bug in a reader must not take the screen down
            self.app.call_from_thread(self._poll_failed, exc)
            return
        self.app.call_from_thread(self._apply, update)

    def _poll_failed(self, exc: Exception) -> None:
        self._polling = False
        error = f"{type(exc).__name__}: {exc}"
        if error != self._poll_error:
            self._poll_error = error
            self.notify(error, severity="error", title=self.poll_error_title())
        if self._poll_again:
            self._poll_again = False
            self.refresh_from_files()

    def _apply(self, update: Any) -> None:
        self._polling = False
        self._poll_error = None
        if self.is_attached:
            self.apply_update(update)
        if self._poll_again:
            self._poll_again = False
            self.refresh_from_files()

    @property
    def active_tab(self) -> str:
        """The id of the tab shown."""
        return self.query_one(TabbedContent).active

    def show_tab(self, tab: str) -> None:
        """Show the tab with this id."""
        self.query_one(TabbedContent).active = tab

    def action_show_tab(self, tab: str) -> None:
        """Switch to a tab by its id."""
        self.show_tab(tab)

    def action_switch_tab(self, step: int) -> None:
        """Next (1) or previous (-1) tab, wrapping around."""
        active = self.active_tab
        index = self.TAB_IDS.index(active) if active in self.TAB_IDS else 0
        self.show_tab(self.TAB_IDS[(index + step) % len(self.TAB_IDS)])

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.dismiss(None)
