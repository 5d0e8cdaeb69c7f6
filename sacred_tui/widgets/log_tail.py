"""Provides LogTail, a scrolling view of captured output that follows the end like `tail -f`.

Text goes through TerminalText, so `\\r` progress bars show their latest state on one line. The
view follows new output while it is scrolled to the bottom, pauses when the user scrolls up, and
follows again on End (or when scrolled back down). Earlier output can be prepended without moving
what the user is looking at. Only visible lines are rendered (Textual's line API).
"""

from __future__ import annotations


from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from sacred_tui.data.artifact_preview import human_size
from sacred_tui.data.run_detail_data import StdoutChunk
from sacred_tui.data.terminal_text import TerminalText, render_terminal_text
from sacred_tui.data.text_search import SearchPattern, next_line, traceback_lines
from sacred_tui.widgets.text_search_state import TextSearchState
from sacred_tui.data.visible_text import visible

__all__ = ["LogTail", "StdoutPane"]



class LogTail(ScrollView, can_focus=True):
    """Follows appended text; `following` is False while the user looks at earlier lines."""

    DEFAULT_CSS = """
    LogTail {
        background: $surface;
        overflow: auto;
    }
    """
    BINDINGS = [
        Binding("end,G", "follow", "Follow end"),
        Binding("home,g", "scroll_home", "Top", show=False),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("ctrl+d", "page_down", "Page down", show=False),
        Binding("ctrl+u", "page_up", "Page up", show=False),
        Binding("left_square_bracket", "load_earlier", "Load earlier"),
        Binding("T", "next_traceback", "Next traceback"),
    ]

    following: reactive[bool] = reactive(True)
    """True while new output scrolls into view."""

    class EarlierRequested(Message):
        """The user asked for the output before the first shown line."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = []
        self._terminal = TerminalText()
        self._width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(1024)
        self._last_traceback: int | None = None
        self.search = TextSearchState()
        """The search typed with / (highlighted in the lines drawn)."""

    @property
    def lines(self) -> list[str]:
        """Every line shown, the unfinished last one included (as a terminal would show it)."""
        current = self._terminal.current_line
        return self._lines + [current] if current else list(self._lines)

    @property
    def line_count(self) -> int:
        """Number of lines shown."""
        return len(self._lines) + (1 if self._terminal.current_line else 0)

    # -- search ----------------------------------------------------------------------------
    def shown_lines(self) -> list[str]:
        """The lines as drawn (tabs expanded, control characters made visible): what a search sees."""
        return [self._clean(line) for line in self.lines]

    def set_search(self, pattern: SearchPattern | None) -> str:
        """Highlight ``pattern`` (None: stop searching); returns the search's status text."""
        self.search.set(pattern)
        self._cache.clear()
        self.refresh()
        return self.search.status(self.shown_lines())

    def jump(self, forward: bool = True) -> str:
        """Scroll to the next (or previous) match; returns the status text."""
        match = self.search.jump(self.shown_lines(), int(self.scroll_y), forward)
        if match is not None:
            self._show_line(match.line, match.end)
        return self.search.status(self.shown_lines())

    def action_next_traceback(self) -> None:
        """Scroll to the first Python traceback, then to the next one at each press (wrapping)."""
        starts = traceback_lines(self.lines)
        last = self._last_traceback
        line = next_line(starts, -1 if last is None else last)
        if line is None:
            self.notify("No traceback in the output shown.", timeout=3)
            return
        self._last_traceback = line
        self._show_line(line, 0, top=True)
        number = starts.index(line) + 1
        self.notify(f"Traceback {number} of {len(starts)} (line {line + 1}); T jumps to the next.", timeout=3)

    def _show_line(self, line: int, column: int, top: bool = False) -> None:
        """Put ``line`` in view (at the top, or in the middle) and stop following the end."""
        self.following = False
        height = max(self.size.height, 1)
        target = line if top else max(0, line - height // 2)
        width = max(self.size.width, 1)
        x = 0 if column < width else column - width // 2
        self.scroll_to(x=x, y=min(target, self.max_scroll_y), animate=False, immediate=True)
        self._cache.clear()
        self.refresh()

    def clear(self) -> None:
        """Remove all text."""
        self._last_traceback = None
        self._lines = []
        self._terminal = TerminalText()
        self._width = 0
        self._cache.clear()
        self._update_virtual_size()
        self.scroll_home(animate=False, immediate=True)
        self.following = True
        self.refresh()

    def append_text(self, text: str) -> None:
        """Add output at the end (may complete or redraw the unfinished last line)."""
        if not text:
            return
        before = len(self._lines)
        completed = self._terminal.feed(text)
        if completed:
            self._lines.extend(completed)
            self._grow_width(completed)
        self._grow_width([self._terminal.current_line])
        self._cache.discard(before)
        self._update_virtual_size()
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def prepend_text(self, text: str) -> None:
        """Insert earlier output before the first line, keeping the visible lines in place."""
        lines = render_terminal_text(text)
        if not lines:
            return
        self._lines[:0] = lines
        self._grow_width(lines)
        self._cache.clear()
        was_following = self.following
        self._update_virtual_size()
        if was_following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.scroll_to(y=self.scroll_y + len(lines), animate=False, immediate=True)
        self.refresh()

    def _grow_width(self, lines: list[str]) -> None:
        widest = max((cell_len(self._clean(line)) for line in lines), default=0)
        self._width = max(self._width, widest)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._width, self.line_count)

    @staticmethod
    def _clean(line: str) -> str:
        """Tabs to spaces and stray control characters to visible marks."""
        return line if line.isprintable() else visible(line.expandtabs())

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.size.height:  # a hidden tab has no height: its scroll position means nothing
            self.following = new_value >= self.max_scroll_y

    def on_resize(self) -> None:
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_show(self) -> None:
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_follow(self) -> None:
        """Jump to the end and follow new output again."""
        self.following = True
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_load_earlier(self) -> None:
        """Ask the owner for the chunk of output before the first line."""
        self.post_message(self.EarlierRequested())

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if index >= self.line_count:
            return Strip.blank(width, style)
        strip = self._cache.get(index)
        if strip is None:
            text = self._lines[index] if index < len(self._lines) else self._terminal.current_line
            clean = self._clean(text)
            line = Text(clean, no_wrap=True, style=style)
            self.search.highlight(line, index)
            strip = Strip(line.render(self.app.console), cell_len(clean))
            if index < len(self._lines):
                self._cache[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)


class StdoutPane(Vertical):
    """LogTail with a status line: follow state, how much of the file is shown, missing output."""

    DEFAULT_CSS = """
    StdoutPane > #stdout-status { height: 1; color: $text-muted; }
    StdoutPane > LogTail { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.start_offset = 0
        self.total_size = 0
        self.problem: str | None = None
        """Why cout.txt cannot be read, when it cannot."""

    def compose(self) -> ComposeResult:
        yield Static("", id="stdout-status")
        yield LogTail(id="stdout-log")

    @property
    def log_view(self) -> LogTail:
        """The scrolling text view."""
        return self.query_one(LogTail)

    def apply_chunk(self, chunk: StdoutChunk) -> None:
        """Show new output (a reset chunk replaces what is shown)."""
        log = self.log_view
        if chunk.reset:
            log.clear()
        log.append_text(chunk.text)
        self.start_offset = chunk.start_offset
        self.total_size = chunk.total_size
        self.problem = chunk.problem
        self.update_status()

    def prepend(self, text: str, start_offset: int) -> None:
        """Show an earlier chunk above the current first line."""
        self.log_view.prepend_text(text)
        self.start_offset = start_offset
        self.update_status()

    def on_mount(self) -> None:
        if not self.query(LogTail):
            return  # mounted as its screen was being removed: Textual gave it no children
        self.watch(self.log_view, "following", lambda _following: self.update_status(), init=False)
        self.update_status()

    def update_status(self) -> None:
        """Rewrite the status line from the current state."""
        log = self.log_view
        parts = ["following the end" if log.following else "paused (End follows again)"]
        if self.problem is not None:
            self.query_one("#stdout-status", Static).update(Text(visible(self.problem), style="bold red"))
            return
        if self.total_size == 0 and log.line_count == 0:
            parts.append("no output captured (yet)")
        elif self.start_offset > 0:
            shown = human_size(self.total_size - self.start_offset)
            parts.append(f"showing last {shown} of {human_size(self.total_size)}: [ loads earlier output")
        else:
            parts.append(f"{log.line_count} lines, {human_size(self.total_size)}")
        self.query_one("#stdout-status", Static).update(Text(" · ".join(parts)))
