"""Provides config_preview_text: a config as print_config shows it, in Sacred's colours.

Modified entries are blue, added ones green, entries whose type changed red, docs dim. Per dict
level the docstring comes first, then the plain values sorted by key, then the sub-dicts.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from sacred_tui.data.config_diff import is_encoded_leaf
from sacred_tui.data.script_interface import ConfigPreview, EntryMarks
from sacred_tui.data.value_repr import sacred_repr
from sacred_tui.data.visible_text import visible, visible_block
from sacred_tui.widgets import change_styles

__all__ = ["LEGEND", "config_preview_text", "marks_style"]

_STYLES = {"typechanged": change_styles.TYPECHANGED, "added": change_styles.ADDED,
           "modified": change_styles.MODIFIED}


def marks_style(marks: EntryMarks | None) -> str:
    """The colour of an entry: type changed (red) beats added (green) beats modified (blue)."""
    if marks is None:
        return ""
    if marks.typechanged:
        return _STYLES["typechanged"]
    if marks.added:
        return _STYLES["added"]
    if marks.modified:
        return _STYLES["modified"]
    return ""


LEGEND = Text.assemble("Configuration (", ("modified", _STYLES["modified"]), ", ",
                       ("added", _STYLES["added"]), ", ", ("typechanged", _STYLES["typechanged"]),
                       ", ", ("doc", "dim"), "):")


def _sort_key(key: Any) -> str:
    return str(key)


def _is_branch(value: Any) -> bool:
    """A sub-config (a dict), not a tagged value such as a numpy array."""
    return isinstance(value, Mapping) and bool(value) and not is_encoded_leaf(value)


def _walk(text: Text, node: Mapping[str, Any], entries: Mapping[str, EntryMarks], prefix: str,
          depth: int) -> None:
    indent = "  " * (depth + 1)
    doc = node.get("__doc__")
    if isinstance(doc, str):
        text.append(f'\n{indent}"""{visible_block(doc)}"""', style="dim")
    plain = [k for k in sorted(node, key=_sort_key) if k != "__doc__" and not _is_branch(node[k])]
    nested = [k for k in sorted(node, key=_sort_key) if _is_branch(node[k])]
    for key in plain:
        path = f"{prefix}{key}"
        marks = entries.get(path)
        assign = visible_block(f"{indent}{visible(key)} = {sacred_repr(node[key], width=80)}")
        text.append("\n")
        text.append(assign, style=marks_style(marks))
        if marks is not None and marks.typechanged:
            text.append(visible(f"  ({marks.typechanged[0]} → {marks.typechanged[1]})"), style="red")
        if marks is not None and marks.doc:
            pad = " " * max(2, 37 - len(assign)) if len(assign) <= 35 else "    "
            text.append(f"{pad}# {visible(marks.doc)}", style="dim")
    for key in nested:
        path = f"{prefix}{key}"
        text.append("\n")
        text.append(f"{indent}{visible(key)}:", style=marks_style(entries.get(path)))
        _walk(text, node[key], entries, path + ".", depth + 1)


def config_preview_text(preview: ConfigPreview) -> Text:
    """The whole config with the legend line first."""
    text = LEGEND.copy()
    _walk(text, preview.config, preview.entries, "", 0)
    return text
