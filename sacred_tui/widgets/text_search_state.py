"""Provides TextSearchState: the search of one text view (pattern, matches, current match) and its highlights."""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from sacred_tui.data.text_search import Match, SearchPattern, describe, find_matches, next_match

MATCH_STYLE = "black on dark_goldenrod"
CURRENT_STYLE = "bold black on yellow"


class TextSearchState:
    """What a view searches for; matches are found again when the text changed (by line count)."""

    def __init__(self) -> None:
        self.pattern: SearchPattern | None = None
        self.matches: list[Match] = []
        self.current: int | None = None
        self._counted: tuple[int, str] | None = None
        """(how many lines, the last line) of the text the matches were found in."""

    def set(self, pattern: SearchPattern | None) -> None:
        """Search for ``pattern`` from now on (None: no search)."""
        self.pattern, self.matches, self.current, self._counted = pattern, [], None, None

    def _update(self, lines: Sequence[str]) -> None:
        key = (len(lines), lines[-1] if lines else "")
        if self.pattern is not None and key != self._counted:
            self.matches = find_matches(lines, self.pattern)
            self._counted = key
            if self.current is not None and self.current >= len(self.matches):
                self.current = None

    def status(self, lines: Sequence[str]) -> str:
        """``3/17 matches for 'loss' · n next, N previous`` (or why there is none)."""
        self._update(lines)
        return describe(self.pattern, self.matches, self.current)

    def jump(self, lines: Sequence[str], from_line: int, forward: bool) -> Match | None:
        """Move to the next (previous) match after the current one, or from ``from_line``."""
        self._counted = None  # the text may have grown since the last count
        self._update(lines)
        self.current = next_match(self.matches, self.current, from_line, forward)
        return None if self.current is None else self.matches[self.current]

    def highlight(self, line: Text, number: int) -> None:
        """Style the matches in ``line`` (line ``number`` of the text), the current one brighter."""
        if self.pattern is None:
            return
        current = self.matches[self.current] if self.current is not None else None
        for hit in self.pattern.regex.finditer(line.plain):
            if hit.end() > hit.start():
                chosen = current is not None and current.line == number and current.start == hit.start()
                line.stylize(CURRENT_STYLE if chosen else MATCH_STYLE, hit.start(), hit.end())
