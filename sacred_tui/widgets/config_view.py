"""Provides ConfigView: the config tree with Sacred's colours, a legend, search and "only changed".

Colours follow Sacred's print_config: modified keys blue, added green, type changed red, docs dim.
The tree (ValueTree) builds branches as they are opened, so a config of any size shows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static
from textual.widgets.tree import TreeNode

from sacred_tui.data.config_diff import ChangeKind, ConfigDiff
from sacred_tui.data.text_search import SearchPattern
from sacred_tui.data.value_display import MAX_VALUE_CHARS, format_value
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.text_search_state import TextSearchState
from sacred_tui.widgets.value_tree import DOC_STYLE, KIND_STYLES, ValueTree

__all__ = ["KIND_STYLES", "MAX_VALUE_CHARS", "ConfigView", "ValueTree", "format_value"]


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
        yield Static(Text("Reading the run's config…", style="italic"), id="config-legend")
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
        if not self.tree.fully_built:
            legend.append(" · a big config: branches are read as you open them (Enter), / searches the open ones",
                          style="italic")
        if not self._config:
            legend.append("\nNo config stored for this run.", style="bold")
        self.query_one("#config-legend", Static).update(legend)
