"""Provides KeyBar: Textual's footer, rebuilt only when the keys it shows change.

The footer rebuilds all its key widgets whenever the screen's bindings may have changed: every
focus change, every ``refresh_bindings``. Opening a run's screen did that seven times for the same
keys, each rebuild mounting and styling a dozen widgets. KeyBar compares what it would show with
what it shows and rebuilds only on a difference.
"""
from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyBar"]


class KeyBar(Footer):
    """A Footer that skips rebuilds which would show the very same keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[str, str, str, bool, bool, str], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Footer's own handler, with the rebuild made conditional (it sets the same private flag).
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    def _keys(self) -> tuple[tuple[str, str, str, bool, bool, str], ...]:
        """Every active binding as the footer may show it (hidden ones too: the command palette's)."""
        return tuple((binding.key, binding.action, binding.description, binding.show, enabled, tooltip or "")
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values())

    async def _rebuild_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await self.recompose()
