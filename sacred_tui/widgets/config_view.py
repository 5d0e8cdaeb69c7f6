"""Provides ValueTree (a nested dict as a tree) and ConfigView (config tree with Sacred's colours).

Colours follow Sacred's print_config: modified keys blue, added green, type changed red, docs dim.
Stored values keep jsonpickle's shapes (numpy scalars, tuples, arrays); they are shown as the
Python values they stand for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from sacred_tui.data.config_diff import DOC_KEY, ChangeKind, ConfigDiff, is_encoded_leaf
from sacred_tui.data.text_search import SearchPattern
from sacred_tui.data.value_repr import sacred_repr
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.text_search_state import TextSearchState

__all__ = ["KIND_STYLES", "ConfigView", "ValueTree", "format_value"]

KIND_STYLES: dict[ChangeKind, str] = {
    ChangeKind.MODIFIED: change_styles.MODIFIED,
    ChangeKind.ADDED: change_styles.ADDED,
    ChangeKind.TYPECHANGED: change_styles.TYPECHANGED,
}
DOC_STYLE = change_styles.DOC
MAX_VALUE_CHARS = 160


def format_value(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """Short display form of a stored value, decoding jsonpickle shapes; cut at `limit` chars."""
    text = _display(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _display(value: Any) -> str:
    if isinstance(value, Mapping):
        if is_encoded_leaf(value):
            return _display_encoded(value)
        return "{" + ", ".join(f"{key!r}: {_display(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        shown = ", ".join(_display(item) for item in value[:50])
        return "[" + shown + (", …" if len(value) > 50 else "") + "]"
    return repr(value)


def _display_encoded(value: Mapping[str, Any]) -> str:
    """numpy.float64 {value: 0.25} -> 0.25, ndarray -> array([...]), py/tuple -> (...), and so on."""
    kind = str(value.get("py/object", ""))
    if kind.startswith("numpy.") and "value" in value:
        return _display(value["value"])
    if kind == "numpy.ndarray" and "values" in value:
        return re.sub(r"\n\s*", " ", sacred_repr(value, width=100_000))
    if "py/tuple" in value and isinstance(value["py/tuple"], list):
        items = [_display(item) for item in value["py/tuple"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if "py/set" in value and isinstance(value["py/set"], list):
        return "{" + ", ".join(_display(item) for item in value["py/set"]) + "}"
    for tag, word in (("py/function", "function"), ("py/type", "class"), ("py/mod", "module")):
        if tag in value:
            return f"<{word} {value[tag]}>"
    if kind:
        return f"<{kind}>"
    return "{" + ", ".join(f"{key!r}: {_display(item)}" for key, item in value.items()) + "}"


class ValueTree(Tree[str]):
    """A nested mapping as a tree; each node's data is its dotted key. Keeps collapsed branches."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, data="", id=id)
        self.show_root = False
        self.guide_depth = 3

    def show_data(self, data: Mapping[str, Any], diff: ConfigDiff | None = None,
                  only_changed: bool = False) -> None:
        """Replace the tree with `data`, coloured by `diff`; branches the user collapsed stay so."""
        collapsed = {node.data for node in self._walk(self.root) if node.allow_expand and not node.is_expanded}
        cursor_key = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self.root.expand()
        root_doc = diff.docs.get("") if diff is not None else _doc_of(data)
        if root_doc:
            self.root.add_leaf(Text(visible(f'"""{root_doc}"""'), style=DOC_STYLE), data="__doc__")
        self._add_branch(self.root, data, "", diff, only_changed, collapsed)
        if cursor_key is not None:
            for node in self._walk(self.root):
                if node.data == cursor_key:
                    self.move_cursor(node)
                    break

    def _walk(self, node: TreeNode[str]) -> list[TreeNode[str]]:
        nodes: list[TreeNode[str]] = []
        stack = list(node.children)
        while stack:
            current = stack.pop()
            nodes.append(current)
            stack.extend(current.children)
        return nodes

    def _add_branch(self, parent: TreeNode[str], data: Mapping[str, Any], prefix: str,
                      diff: ConfigDiff | None, only_changed: bool, collapsed: set[str | None]) -> None:
        for key, value in data.items():
            if key == DOC_KEY:
                continue
            dotted = f"{prefix}{key}"
            kind = diff.kind(dotted) if diff is not None else ChangeKind.UNCHANGED
            if only_changed and kind is ChangeKind.UNCHANGED:
                continue
            doc = diff.docs.get(dotted) if diff is not None else None
            branch = isinstance(value, Mapping) and bool(value) and not is_encoded_leaf(value)
            if branch:
                if doc is None:
                    doc = _doc_of(value)
                label = self._label(str(key), dotted, value, True, kind, doc, diff)
                node = parent.add(label, data=dotted, expand=dotted not in collapsed)
                self._add_branch(node, value, dotted + ".", diff, only_changed, collapsed)
            else:
                parent.add_leaf(self._label(str(key), dotted, value, False, kind, doc, diff), data=dotted)

    @staticmethod
    def _label(key: str, dotted: str, value: Any, branch: bool, kind: ChangeKind, doc: str | None,
               diff: ConfigDiff | None) -> Text:
        label = Text()
        label.append(visible(key), style=KIND_STYLES.get(kind) or None)
        label.append(":" if branch else " = " + visible(format_value(value)))
        old_new = diff.type_changes.get(dotted) if diff is not None else None
        if old_new is not None:
            label.append(visible(f"  ({old_new[0]} → {old_new[1]})"), style="red")
        if diff is not None and not branch and dotted in diff.defaults:
            label.append(visible(f"  (default {format_value(diff.defaults[dotted], 60)})"), style=DOC_STYLE)
        named = diff.named.get(dotted) if diff is not None else None
        if named:
            label.append(visible(f"  set by {named}"), style="italic")
        if doc:
            label.append(visible(f"  # {doc}"), style=DOC_STYLE)
        return label


def _doc_of(data: Mapping[str, Any]) -> str | None:
    doc = data.get(DOC_KEY)
    return doc.strip() if isinstance(doc, str) and doc.strip() else None


class ConfigView(Vertical):
    """Legend and basis line above the config tree; `c` shows only the changed entries."""

    DEFAULT_CSS = """
    ConfigView > #config-legend { height: auto; color: $text-muted; }
    ConfigView > ValueTree { height: 1fr; }
    """
    BINDINGS = [Binding("c", "toggle_changed", "Only changed")]

    only_changed: reactive[bool] = reactive(False)
    """Hide entries that are not modified, added or type changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config: Mapping[str, Any] = {}
        self._diff: ConfigDiff | None = None
        self._note = ""
        self.search = TextSearchState()
        """The search typed with /: over every entry's line, collapsed ones included."""
        self._labels: dict[int, Text] = {}
        """Each entry's label as built, before highlighting (by node id; a rebuild starts afresh)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="config-legend")
        yield ValueTree("config", id="config-tree")

    @property
    def tree(self) -> ValueTree:
        """The config tree."""
        return self.query_one(ValueTree)

    def show(self, config: Mapping[str, Any], diff: ConfigDiff | None, note: str = "") -> None:
        """Display a config with its diff against the defaults (``note``: what is still going on)."""
        self._config, self._diff, self._note = config, diff, note
        self._refresh_view()

    def action_toggle_changed(self) -> None:
        """Switch between the whole config and only what changed."""
        self.only_changed = not self.only_changed

    def watch_only_changed(self) -> None:
        self._refresh_view()

    # -- search ----------------------------------------------------------------------------
    def _entry_nodes(self) -> list[TreeNode[str]]:
        """Every entry in the order shown when all is expanded."""
        nodes: list[TreeNode[str]] = []
        stack = list(reversed(self.tree.root.children))
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack.extend(reversed(node.children))
        return nodes

    def shown_lines(self) -> list[str]:
        """One line per entry (key, value, docs), what a search looks in."""
        return [str(node.label) for node in self._entry_nodes()]

    def set_search(self, pattern: SearchPattern | None) -> str:
        """Highlight ``pattern`` in the entries (None: stop); returns the search's status text."""
        self.search.set(pattern)
        self._highlight()
        return self.search.status(self.shown_lines())

    def jump(self, forward: bool = True) -> str:
        """Move the cursor to the next (or previous) matching entry, opening its branches."""
        tree = self.tree
        nodes = self._entry_nodes()
        cursor = tree.cursor_node
        line = nodes.index(cursor) if cursor in nodes else 0
        match = self.search.jump(self.shown_lines(), line, forward)
        self._highlight()
        if match is not None:
            node = nodes[match.line]
            parent = node.parent
            while parent is not None:
                parent.expand()
                parent = parent.parent
            self.call_after_refresh(tree.move_cursor, node)
        return self.search.status(self.shown_lines())

    def _highlight(self) -> None:
        """Restyle every entry's label: matches marked, the current one brighter."""
        nodes = self._entry_nodes()
        lines = [str(node.label) for node in nodes]
        self.search.status(lines)
        originals = self._labels
        for number, node in enumerate(nodes):
            original = originals.setdefault(node.id, node.label.copy())
            label = original.copy()
            self.search.highlight(label, number)
            if label.spans != node.label.spans:
                node.set_label(label)

    def _refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self._labels = {}
        self.tree.show_data(self._config, self._diff, self.only_changed)
        if self.search.pattern is not None:
            self.search.set(self.search.pattern)
            self._highlight()
        legend = Text()
        for kind, word in ((ChangeKind.MODIFIED, "modified"), (ChangeKind.ADDED, "added"),
                           (ChangeKind.TYPECHANGED, "type changed")):
            legend.append(word, style=KIND_STYLES[kind]).append("  ")
        legend.append("doc", style=DOC_STYLE)
        if self._diff is not None and self._diff.named:
            legend.append("  set by NAME", style="italic").append(": a named config set it")
        if self._diff is not None:
            legend.append(visible(f" · {self._diff.basis}"))
            if self._diff.unattributed_named_configs:
                names = ", ".join(self._diff.unattributed_named_configs)
                legend.append(visible(f" · keys set by named configs ({names}) are not marked"))
        if self._note:
            legend.append(f" · {self._note}", style="italic")
        if self.only_changed:
            legend.append(" · only changed entries (c shows all)")
        if not self._config:
            legend.append("\nNo config stored for this run.", style="bold")
        self.query_one("#config-legend", Static).update(legend)
