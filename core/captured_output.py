"""Provides CapturedOutput: a run's captured chunks in, the changes observers store out, memory bounded.

Observers do not need the whole output again at every flush: most of it never changes once a line is
complete. ``feed`` turns new raw chunks into an ``OutputChange``: text that is final from now on
(``appended``) and the current unfinished last line (``unfinished``), which a ``\\r`` progress bar keeps
redrawing. Only a custom ``captured_out_filter``, which may rewrite anything, needs the whole text, and
only observers that cannot take changes need it handed over at every beat; otherwise the whole output
is never held in memory, however much a run prints.

With the built-in ``apply_backspaces_and_linefeeds`` filter, stdout and stderr keep their own lines: a
line of one stream that arrives while the other stream's line is unfinished (a log line during a ``\\r``
progress bar) ends that line first, so carriage returns and backspaces only ever act on text of their
own stream and line.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from core.output_filter import OutputFilter, apply_backspaces_and_linefeeds

__all__ = ["CapturedOutput", "OutputChange"]

LINE_LIMIT = 1 << 20
"""An unfinished line longer than this is taken as final (a terminal would have wrapped it long ago)."""
TAIL_CHARACTERS = 1 << 16
"""How much of the final text is kept when the whole output is not."""

_CONTROL = re.compile(r"[\r\x08]")
_TOKENS = re.compile(r"[^\r\x08]+|\r+|\x08+")


class OutputChange(NamedTuple):
    """What changed in a run's (filtered) output since the previous change."""

    appended: str
    """Text that is final, to add after the final text so far."""
    unfinished: str
    """The unfinished end of the output (replaces the previous one; "" when the last line is complete)."""
    whole: str | None = None
    """The whole output, when a custom filter may have changed earlier text (then the rest is unused)."""


class CapturedOutput:
    """The output of one run as observers store it; fed from one thread at a time."""

    def __init__(self, filter_fn: OutputFilter | None = None, keep_whole: bool = False) -> None:
        self.filter_fn = filter_fn
        self._custom = filter_fn is not None and filter_fn is not apply_backspaces_and_linefeeds
        self.keeps_whole = keep_whole or self._custom
        self._final_parts: list[str] = []  # all final text (keeps_whole) or a tail of it
        self._final_length = 0
        self._raw_parts: list[str] = []  # a custom filter's input
        self._filtered = ""
        self._line = _Line()

    # ------------------------------------------------------------------ feeding
    def feed(self, chunks: list[tuple[int, str]]) -> OutputChange | None:
        """Take new ``(stream, text)`` chunks in writing order; None when nothing changed."""
        if not chunks:
            return None
        if self._custom:
            return self._feed_custom(chunks)
        if self.filter_fn is None:
            appended = "".join(text for _, text in chunks)
            self._keep(appended)
            return OutputChange(appended, "")
        before = self._line.text()
        appended = "".join(self._line.feed(stream, text) for stream, text in chunks)
        unfinished = self._line.text()
        if not appended and unfinished == before:
            return None
        self._keep(appended)
        return OutputChange(appended, unfinished)

    def _feed_custom(self, chunks: list[tuple[int, str]]) -> OutputChange:
        self._raw_parts.append("".join(text for _, text in chunks))
        raw = "".join(self._raw_parts)
        self._raw_parts = [raw]
        filtered = self.filter_fn(raw)  # type: ignore[misc]
        if not isinstance(filtered, str):
            raise TypeError(f"captured_out_filter must return str, got {type(filtered).__name__}: "
                            f"{filtered!r:.80}")
        self._filtered = filtered
        return OutputChange("", "", filtered)

    def _keep(self, appended: str) -> None:
        if not appended:
            return
        self._final_parts.append(appended)
        self._final_length += len(appended)
        if not self.keeps_whole and self._final_length > 2 * TAIL_CHARACTERS:
            tail = "".join(self._final_parts)[-TAIL_CHARACTERS:]
            self._final_parts, self._final_length = [tail], len(tail)

    # ------------------------------------------------------------------ reading
    @property
    def text(self) -> str:
        """The whole filtered output so far (only its last ``TAIL_CHARACTERS`` unless ``keeps_whole``)."""
        if self._custom:
            return self._filtered
        if len(self._final_parts) > 1:
            self._final_parts = ["".join(self._final_parts)]
        final = self._final_parts[0] if self._final_parts else ""
        return final + self._line.text()

    @property
    def raw_text(self) -> str:
        """What a custom filter received last ("" without one)."""
        return self._raw_parts[0] if self._raw_parts else ""


class _Line:
    """The unfinished last line under the built-in filter: rendered text, cursor, and its stream.

    Per line, ``\\r`` moves the cursor to column 0 and ``\\b`` one column back (never below 0); other
    characters overwrite what is under the cursor or extend the line; a ``\\r`` that is the last
    character so far is shown, as ``apply_backspaces_and_linefeeds`` keeps a final ``\\r``.
    """

    __slots__ = ("stream", "chars", "cursor", "ends_with_cr")

    def __init__(self) -> None:
        self.stream: int | None = None
        self.chars = ""
        self.cursor = 0
        self.ends_with_cr = False

    def text(self) -> str:
        return self.chars + "\r" if self.ends_with_cr else self.chars

    def feed(self, stream: int, text: str) -> str:
        """Take ``text`` of ``stream``; return the text that became final."""
        finished = []
        if stream != self.stream:
            if self.chars:
                finished.append(self.chars + "\n")  # the other stream's line ends here
            self._reset()
            self.stream = stream
        pieces = text.split("\n")
        if len(pieces) > 1:
            self._advance(pieces[0])
            finished.append(self.chars + "\n")
            self._reset()
            middle = pieces[1:-1]
            if middle:
                joined = "\n".join(middle) + "\n"
                finished.append(apply_backspaces_and_linefeeds(joined) if _CONTROL.search(joined) else joined)
        self._advance(pieces[-1])
        if len(self.chars) > LINE_LIMIT:
            finished.append(self.chars)
            self._reset()
        return "".join(finished)

    def _reset(self) -> None:
        self.chars, self.cursor, self.ends_with_cr = "", 0, False

    def _advance(self, piece: str) -> None:
        if not piece:
            return
        chars, cursor = self.chars, self.cursor
        if not _CONTROL.search(piece):
            tokens = [piece]
        else:
            tokens = _TOKENS.findall(piece)
        for token in tokens:
            first = token[0]
            if first == "\r":
                cursor = 0
            elif first == "\x08":
                cursor = max(0, cursor - len(token))
            elif cursor == len(chars):
                chars += token
                cursor = len(chars)
            else:
                end = cursor + len(token)
                chars = chars[:cursor] + token + chars[end:]
                cursor = end
        self.chars, self.cursor = chars, cursor
        self.ends_with_cr = piece[-1] == "\r"
