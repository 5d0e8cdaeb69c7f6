"""Provides SourcesView: the experiment's stored source files, listed and syntax-highlighted.

The view never reads files: it posts SourcesView.Wanted for a source whose text it does not have,
and the owner answers with `show_text()`, giving the lexer that colours it (chosen where the file
was read: choosing one can take a second the first time).
"""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.runs.stored import SourceEntry
from sacred_tui.data.text_search import SearchPattern
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.widgets.text_search_state import CURRENT_STYLE, MATCH_STYLE, TextSearchState

__all__ = ["SourcesView"]


class SourcesView(Horizontal):
    """File list on the left, the chosen file on the right."""

    DEFAULT_CSS = """
    SourcesView > OptionList { width: 36; max-width: 30%; height: 1fr; }
    SourcesView > VerticalScroll { width: 1fr; height: 1fr; }
    """
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Wanted(Message):
        """The text of `entry` is needed to show it."""

        def __init__(self, entry: SourceEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[SourceEntry] = []
        self._mainfile: str | None = None
        self.texts: dict[str, str | None] = {}
        self.lexers: dict[str, str] = {}
        self.shown: str | None = None
        self.search = TextSearchState()
        """The search typed with / in the shown file."""

    def compose(self) -> ComposeResult:
        yield OptionList(id="sources-list")
        with VerticalScroll(id="sources-body"):
            yield Static(Text("No sources recorded for this run."), id="sources-text")

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def show_entries(self, entries: list[SourceEntry], mainfile: str | None = None) -> None:
        """List the run's source files, the run's main file first (and shown)."""
        if entries == self.entries and self._mainfile == mainfile:
            return
        self._mainfile = mainfile
        # A run.json may list a file twice: each path is shown once.
        unique = list({entry.relpath: entry for entry in reversed(entries)}.values())[::-1]
        self.entries = sorted(unique, key=lambda entry: entry.relpath != mainfile)
        options = self.query_one(OptionList)
        options.clear_options()
        for entry in self.entries:
            name = visible(entry.relpath)
            label = Text(name) if entry.exists else Text(f"{name} (missing)", style="dim red")
            options.add_option(Option(label, id=entry.relpath))
        if self.entries:
            options.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        entry = next((e for e in self.entries if e.relpath == event.option.id), None)
        if entry is None:
            return
        self.shown = entry.relpath
        self.search.set(self.search.pattern)  # the matches are the new file's
        if entry.relpath in self.texts:
            self._display_entry(entry)
        elif not entry.exists:
            self.show_text(entry, None)
        else:
            self.query_one("#sources-text", Static).update(Text(f"Loading {visible(entry.relpath)}…"))
            self.post_message(self.Wanted(entry))

    def show_text(self, entry: SourceEntry, text: str | None, lexer: str = "default") -> None:
        """Remember a file's text (None: unreadable) and its lexer; show it if it is the chosen one."""
        self.texts[entry.relpath] = text
        self.lexers[entry.relpath] = lexer
        if self.shown == entry.relpath:
            self._display_entry(entry)

    def shown_lines(self) -> list[str]:
        """The lines of the file shown (as drawn), what a search looks in."""
        text = self.texts.get(self.shown or "")
        return visible_block(text).splitlines() if text else []

    def set_search(self, pattern: SearchPattern | None) -> str:
        """Highlight ``pattern`` in the shown file (None: stop); returns the search's status text."""
        self.search.set(pattern)
        self._redisplay()
        return self.search.status(self.shown_lines())

    def jump(self, forward: bool = True) -> str:
        """Scroll to the next (or previous) match in the shown file; returns the status text."""
        body = self.query_one("#sources-body", VerticalScroll)
        match = self.search.jump(self.shown_lines(), int(body.scroll_y), forward)
        self._redisplay()
        if match is not None:
            body.scroll_to(y=max(0, match.line - body.size.height // 2), animate=False, immediate=True)
        return self.search.status(self.shown_lines())

    def _redisplay(self) -> None:
        entry = next((e for e in self.entries if e.relpath == self.shown), None)
        if entry is not None and entry.relpath in self.texts:
            self._display_entry(entry)

    def _display_entry(self, entry: SourceEntry) -> None:
        text = self.texts.get(entry.relpath)
        body = self.query_one("#sources-text", Static)
        if text is None:
            where = entry.stored_path or "its stored copy"
            body.update(Text(visible(f"Cannot read {entry.relpath}: {where} is missing or unreadable."),
                             style="bold red"))
            return
        shown = visible_block(text)
        syntax = Syntax(shown, self.lexers.get(entry.relpath, "default"), line_numbers=True, word_wrap=False, background_color="default")
        if self.search.pattern is not None:
            lines = shown.splitlines()
            self.search.status(lines)
            current = self.search.matches[self.search.current] if self.search.current is not None else None
            for match in self.search.matches:
                style = CURRENT_STYLE if match == current else MATCH_STYLE
                syntax.stylize_range(style, (match.line + 1, match.start), (match.line + 1, match.end))
        body.update(syntax)
