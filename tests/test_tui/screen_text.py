"""Provides screen_lines: the plain text of what an app shows, line by line (for layout checks)."""
from __future__ import annotations

from textual.app import App


def screen_lines(app: App[object]) -> list[str]:
    """Every line of the current screen as plain text (a full redraw, styles dropped)."""
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    if update is None:
        return []
    return ["".join(strip.text for strip in line) for line in update.strips]  # type: ignore[union-attr]
