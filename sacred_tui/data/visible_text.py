"""Provides visible(): text that came from a run, made safe to draw in a terminal.

Run folders hold whatever a program (or a person) put there: a folder named ``\\x1b[2J`` clears
the screen when printed, ``\\x1b]0;...\\x07`` in an experiment name retitles the terminal, a lone
surrogate in run.json cannot even be encoded. Every string that comes from a run goes through
these functions before a widget shows it: control characters become visible symbols (``␛[2J``),
so nothing a run wrote can drive the terminal, and what was there can still be read.
"""
from __future__ import annotations

import re

__all__ = ["visible", "visible_block"]

_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
"""U+2400 CONTROL PICTURES: ␀ ␁ ... ␛ ... ␟ stand for the C0 controls."""
_SINGLE_LINE = {**_C0_PICTURES, 0x09: " ", 0x0A: "\u2424", 0x7F: "\u2421"}
_BLOCK = {**_C0_PICTURES, 0x09: "\t", 0x0A: "\n", 0x7F: "\u2421"}
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"           # C0, DEL and C1 controls (C1 CSI \x9b starts escapes too)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks and overrides (reorder what is shown)
    "\ud800-\udfff]"                # lone surrogates (from JSON "\\ud800"; not encodable)
)


def _replace(text: str, pictures: dict[int, str]) -> str:
    def symbol(match: re.Match[str]) -> str:
        code = ord(match.group())
        return pictures.get(code, "\ufffd")

    return _UNSAFE.sub(symbol, text)


def visible(text: object) -> str:
    """One line of text with every control character shown as a symbol (tab as a space, newline as ␤)."""
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable():
        return text
    return _replace(text, _SINGLE_LINE)


def visible_block(text: str) -> str:
    """Multi-line text (a traceback, a file) with newlines and tabs kept and other controls shown.

    ``\\r\\n`` line ends become ``\\n``; a lone ``\\r`` is shown as ␍.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if _UNSAFE.search(text) is None:
        return text
    return _replace(text, _BLOCK)

