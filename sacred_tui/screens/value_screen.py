"""Provides ValueScreen: one config (or info) value shown whole, however long it is.

The tree shows long values cut to one line; Enter on such a value opens this screen. The text is
written in a worker thread (a list of a million numbers takes a while to spell out), then shown
wrapped by WrappedText, which draws only the lines on screen.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from sacred_tui.data.artifact_preview import human_size
from sacred_tui.data.value_display import full_text
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.wrapped_text import WrappedText

__all__ = ["ValueScreen"]


class ValueScreen(Screen[None]):
    """The whole of one value; Esc, Backspace or q goes back."""

    DEFAULT_CSS = """
    ValueScreen > #value-header { height: 1; background: $panel; padding: 0 1;
                                  text-wrap: nowrap; text-overflow: ellipsis; }
    ValueScreen > WrappedText { height: 1fr; }
    """
    BINDINGS = [Binding("escape,backspace,q", "close", "Back")]

    def __init__(self, title: str, key: str, value: Any) -> None:
        super().__init__()
        self.title_text, self.key, self.value = title, key, value
        self.text: str | None = None
        """The text shown, once written."""

    def compose(self) -> ComposeResult:
        yield Static(Text(visible(f"{self.title_text} · {self.key} · writing the value…")), id="value-header")
        yield WrappedText(id="value-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(WrappedText).focus()
        self._write()

    @work(thread=True, exclusive=True, group="value-text", exit_on_error=False)
    def _write(self) -> None:
        text = full_text(self.value)
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        if not self.is_attached:
            return
        self.text = text
        kind = "string" if isinstance(self.value, str) else type(self.value).__name__
        size = f"{len(text):,} characters" if len(text) < 10_000 else human_size(len(text.encode("utf-8", "replace")))
        header = f"{self.title_text} · {self.key} · {kind}, {size}"
        self.query_one("#value-header", Static).update(Text(visible(header)))
        self.query_one(WrappedText).set_text(text)

    def action_close(self) -> None:
        """Back to the tree."""
        self.dismiss(None)
