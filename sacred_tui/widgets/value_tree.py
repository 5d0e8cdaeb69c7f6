"""Provides ValueTree: a nested mapping as a tree whose branches are built when they are opened.

A config can hold hundreds of thousands of entries. The tree holds nodes only for what was opened:
a small mapping (up to ``EXPAND_ALL_LIMIT`` entries) opens whole, as before; a bigger one shows
its top level, and each branch builds its children when expanded, ``PAGE`` at a time (a last
"… more" entry adds the next ones). Which branches are open survives a refresh of the data.
Enter on a value too long for its line posts ``ValueChosen``, so the screen can show it whole.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from sacred_tui.data.config_diff import DOC_KEY, ChangeKind, ConfigDiff, is_encoded_leaf
from sacred_tui.data.value_display import format_value, is_shortened
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets import change_styles

__all__ = ["EXPAND_ALL_LIMIT", "KIND_STYLES", "PAGE", "ValueTree"]

KIND_STYLES: dict[ChangeKind, str] = {
    ChangeKind.MODIFIED: change_styles.MODIFIED,
    ChangeKind.ADDED: change_styles.ADDED,
    ChangeKind.TYPECHANGED: change_styles.TYPECHANGED,
}
DOC_STYLE = change_styles.DOC
EXPAND_ALL_LIMIT = 2_000
"""Mappings with at most this many entries (all levels) are shown with every branch open."""
PAGE = 500
"""Children built at once when a branch opens (or "… more" is chosen)."""


def _is_branch(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and not is_encoded_leaf(value)


def _count_up_to(data: Mapping[str, Any], limit: int) -> int:
    """Entries of ``data`` at every level, counting stops once past ``limit`` (so it stays cheap)."""
    count = 0
    stack = [data]
    while stack and count <= limit:
        mapping = stack.pop()
        count += len(mapping)
        stack.extend(value for value in islice(mapping.values(), limit + 1) if _is_branch(value))
    return count


class _Pending:
    """A branch's children still to build: its mapping, its dotted prefix and how many are built."""

    __slots__ = ("mapping", "prefix", "built")

    def __init__(self, mapping: Mapping[str, Any], prefix: str) -> None:
        self.mapping, self.prefix, self.built = mapping, prefix, 0


class ValueTree(Tree[str]):
    """A nested mapping as a tree; each node's data is its dotted key. Keeps collapsed branches."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open / whole value"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class ValueChosen(Message):
        """Enter on a value shown shortened: ``key`` (dotted) and the whole ``value``."""

        def __init__(self, tree: ValueTree, key: str, value: Any) -> None:
            super().__init__()
            self.tree, self.key, self.value = tree, key, value

        @property
        def control(self) -> ValueTree:
            """The tree the value is in."""
            return self.tree

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, data="", id=id)
        self.show_root = False
        self.guide_depth = 3
        self._diff: ConfigDiff | None = None
        self._only_changed = False
        self._open_all = True
        self._user_opened: set[str] = set()
        """Branches the user opened (when not everything opens by itself)."""
        self._user_closed: set[str] = set()
        """Branches the user closed (when everything opens by itself)."""
        self._pending: dict[int, _Pending] = {}
        self._more: dict[int, TreeNode[str]] = {}
        """"… more" entries -> the branch they continue."""
        self._values: dict[int, Any] = {}
        """Leaf node id -> its value (to show it whole)."""

    @property
    def fully_built(self) -> bool:
        """True when every entry has its node (nothing waits for a branch to open)."""
        return not self._pending and not self._more

    def show_data(self, data: Mapping[str, Any], diff: ConfigDiff | None = None,
                  only_changed: bool = False) -> None:
        """Replace the tree with ``data``, coloured by ``diff``; opened and closed branches stay so."""
        cursor_key = self.cursor_node.data if self.cursor_node is not None else None
        self._diff, self._only_changed = diff, only_changed
        self._open_all = only_changed or _count_up_to(data, EXPAND_ALL_LIMIT) <= EXPAND_ALL_LIMIT
        self._pending, self._more, self._values = {}, {}, {}
        self.clear()
        self.root.expand()
        root_doc = diff.docs.get("") if diff is not None else _doc_of(data)
        if root_doc:
            self.root.add_leaf(Text(visible(f'"""{root_doc}"""'), style=DOC_STYLE), data="__doc__")
        self._pending[self.root.id] = _Pending(data, "")
        self._grow(self.root)
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

    def _wants_open(self, dotted: str) -> bool:
        return dotted not in self._user_closed if self._open_all else dotted in self._user_opened

    def _grow(self, parent: TreeNode[str]) -> None:
        """Add the next page of ``parent``'s children (all of them when everything opens)."""
        pending = self._pending.pop(parent.id, None)
        if pending is None:
            return
        diff, prefix = self._diff, pending.prefix
        page = None if self._open_all else PAGE
        items = islice(pending.mapping.items(), pending.built, None)
        added = 0
        for key, value in items:
            if page is not None and added >= page:
                rest = len(pending.mapping) - pending.built - added
                more = parent.add_leaf(Text(f"… {rest:,} more entries (Enter shows {min(rest, PAGE):,} more)",
                                            style="italic"), data=None)
                pending.built += added
                self._pending[parent.id] = pending
                self._more[more.id] = parent
                return
            added += 1
            if key == DOC_KEY:
                continue
            dotted = f"{prefix}{key}"
            kind = diff.kind(dotted) if diff is not None else ChangeKind.UNCHANGED
            if self._only_changed and kind is ChangeKind.UNCHANGED:
                continue
            doc = diff.docs.get(dotted) if diff is not None else None
            if _is_branch(value):
                label = self._entry_label(str(key), dotted, value, True, kind, doc if doc is not None else _doc_of(value))
                node = parent.add(label, data=dotted, expand=self._wants_open(dotted))
                self._pending[node.id] = _Pending(value, dotted + ".")
                if self._open_all or node.is_expanded:
                    self._grow(node)  # a small tree is built whole, so a search sees it all
            else:
                node = parent.add_leaf(self._entry_label(str(key), dotted, value, False, kind, doc), data=dotted)
                self._values[node.id] = value

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        node = event.node
        if node.data:
            self._user_closed.discard(node.data)
            self._user_opened.add(node.data)
        if node.id in self._pending:
            self._grow(node)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[str]) -> None:
        if event.node.data:
            self._user_opened.discard(event.node.data)
            self._user_closed.add(event.node.data)

    def _on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        node = event.node
        parent = self._more.pop(node.id, None)
        if parent is not None:
            event.stop()
            node.remove()
            self._grow(parent)
            return
        value = self._values.get(node.id)
        if node.id in self._values and is_shortened(value):
            event.stop()
            self.post_message(self.ValueChosen(self, str(node.data), value))

    def value_of(self, node: TreeNode[str]) -> Any:
        """The value a leaf shows (None for branches and notes)."""
        return self._values.get(node.id)

    def _entry_label(self, key: str, dotted: str, value: Any, branch: bool, kind: ChangeKind,
               doc: str | None) -> Text:
        diff = self._diff
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
