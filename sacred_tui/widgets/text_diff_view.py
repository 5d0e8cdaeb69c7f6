"""Provides TextDiffView (a coloured unified diff) and TextDiffPanel (choosers above that view).

A diff of two long outputs can hold tens of thousands of lines; rendering them all up front (as
RichLog does) would stall the UI, so the view keeps the plain lines and styles each one when it
scrolls into sight. The panel only asks for diffs (`TextDiffPanel.Wanted`); whoever owns the data
computes them and hands the result to `show_result`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Select, Static

from sacred_tui.data.compare_text import STDOUT, DiffLine, DiffResult, summary
from sacred_tui.data.visible_text import visible

__all__ = ["DIFF_STYLES", "TextDiffPanel", "TextDiffView"]

DIFF_STYLES: dict[str, Style] = {
    "file": Style(bold=True),
    "hunk": Style(color="cyan"),
    "added": Style(color="green"),
    "removed": Style(color="red"),
    "context": Style(),
    "note": Style(color="yellow", italic=True),
}
MAX_WIDTH = 2000
"""Lines are cut at this many cells (horizontal scrolling stays bounded)."""


def _clean(text: str) -> str:
    return visible(text.expandtabs(4))[:MAX_WIDTH]


class TextDiffView(ScrollView, can_focus=True):
    """Shows DiffLines; arrows, PageUp/PageDown, Home/End and j/k scroll."""

    DEFAULT_CSS = """
    TextDiffView { height: 1fr; background: $surface; overflow: auto; }
    """
    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[DiffLine] = []
        self._texts: list[str] = []

    def show_lines(self, lines: Sequence[DiffLine]) -> None:
        """Replace the shown diff and scroll to its top."""
        self.lines = list(lines)
        self._texts = [_clean(line.text) for line in self.lines]
        width = max((cell_len(text) for text in self._texts), default=0)
        self.virtual_size = Size(width, len(self._texts))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self._texts):
            return Strip.blank(width, base)
        style = base + DIFF_STYLES.get(self.lines[index].kind, Style())
        strip = Strip([Segment(self._texts[index], style)])
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, index)


class TextDiffPanel(Vertical):
    """Two run choosers and a text chooser (stdout or a source file) above a TextDiffView."""

    DEFAULT_CSS = """
    TextDiffPanel > #diff-controls { height: auto; }
    TextDiffPanel > #diff-controls > Select { width: 1fr; }
    TextDiffPanel > #diff-summary { height: auto; padding: 0 1; color: $text-muted; }
    """

    class Wanted(Message):
        """The diff of `what` (STDOUT or a source path) between runs `a` and `b` is wanted."""

        def __init__(self, a: str, b: str, what: str) -> None:
            super().__init__()
            self.a, self.b, self.what = a, b, what

    def __init__(self, run_ids: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run_ids = list(run_ids)
        self.result: DiffResult | None = None
        """The diff shown, None before the first one arrived."""
        self.active = False
        """Whether a choice change asks for a new diff (set once the diff was first wanted)."""
        self._sources: list[str] = []

    def compose(self) -> ComposeResult:
        runs = [(Text(f"run {visible(run_id)}"), run_id) for run_id in self.run_ids]
        second = self.run_ids[1 % len(self.run_ids)]
        with Horizontal(id="diff-controls"):
            yield Select(runs, value=self.run_ids[0], allow_blank=False, id="diff-a")
            yield Select(runs, value=second, allow_blank=False, id="diff-b")
            yield Select([("stdout (cout.txt)", STDOUT)], value=STDOUT, allow_blank=False, id="diff-what")
        yield Static("Open this tab to compute the diff.", id="diff-summary")
        yield TextDiffView(id="diff-view")

    @property
    def choice(self) -> tuple[str, str, str]:
        """(run a, run b, what) as chosen now."""
        a, b, what = (self.query_one(f"#diff-{name}", Select).value for name in ("a", "b", "what"))
        return str(a), str(b), str(what)

    def set_sources(self, names: Sequence[str]) -> None:
        """Offer these source files next to stdout (the choice is kept when still offered)."""
        if list(names) == self._sources:
            return
        self._sources = list(names)
        what = self.query_one("#diff-what", Select)
        current = what.value
        what.set_options([("stdout (cout.txt)", STDOUT), *((Text(f"source {visible(name)}"), name) for name in names)])
        what.value = current if current in names else STDOUT

    def request(self) -> None:
        """Ask for the diff of the current choice."""
        self.active = True
        a, b, what = self.choice
        self.query_one("#diff-summary", Static).update(Text(visible(f"Comparing {what} of run {a} and run {b}…")))
        self.post_message(self.Wanted(a, b, what))

    def swap(self) -> None:
        """Swap the two runs (a new diff follows if one was shown)."""
        first, second = self.query_one("#diff-a", Select), self.query_one("#diff-b", Select)
        first.value, second.value = second.value, first.value

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.active:
            self.request()

    def show_result(self, result: DiffResult, a: str, b: str, what: str) -> None:
        """Show a computed diff, unless the choice changed since it was asked for."""
        if (a, b, what) != self.choice:
            return
        self.result = result
        text = Text(visible(f"{what}: {summary(result, [f'run {a}', f'run {b}'])}"), style="bold")
        text.append("  (s swaps the sides, r recomputes)", style="dim")
        self.query_one("#diff-summary", Static).update(text)
        self.query_one(TextDiffView).show_lines(result.lines)

    def show_error(self, message: str) -> None:
        """Tell in place that the diff could not be computed."""
        self.query_one("#diff-summary", Static).update(Text(visible(f"Diff failed: {message}"), style="bold red"))
