"""Provides the styles of Sacred's config markers, shared by every view of a config.

Sacred's print_config shows modified entries blue, added green, type changed red and docs dim.
The blue is an explicit colour: the terminal palette's "blue" is drawn as purple by Textual's
default ANSI theme.
"""
from __future__ import annotations

__all__ = ["ADDED", "DOC", "MODIFIED", "TYPECHANGED"]

MODIFIED = "bold #4c9aff"
ADDED = "bold green"
TYPECHANGED = "bold red"
DOC = "dim"
