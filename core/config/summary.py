"""Provides ``ConfigSummary``: the final config plus which keys were added, modified or changed type.

print_config, the config warnings, and the machine-readable ``--json`` output for the UI all read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from core.config.updates import iterate_flattened, path_prefixes

SEED_DOC = "the random seed for this experiment"


@dataclass
class ConfigSummary:
    """A config with its change markers, keyed by dotted path from the config's root."""

    config: dict
    added: set[str] = field(default_factory=set)
    modified: set[str] = field(default_factory=set)
    typechanged: dict[str, tuple[type, type]] = field(default_factory=dict)
    doc_sources: list[Callable[[], Mapping[str, str]]] = field(default_factory=list, repr=False)
    """Where the docs come from; read on first use, since only print_config and --json need them."""
    _docs: dict[str, str] | None = field(default=None, repr=False)

    @property
    def docs(self) -> dict[str, str]:
        """Dotted key -> the comment documenting it (the first source that documents a key wins)."""
        if self._docs is None:
            docs: dict[str, str] = {}
            for source in self.doc_sources:
                for key, doc in source().items():
                    docs.setdefault(key, doc)
            self._docs = docs
        return self._docs

    def changed_paths(self) -> set[str]:
        """Every marked key plus each of its parent paths (parents of a change count as modified)."""
        marked = self.added | self.modified | set(self.typechanged)
        parents = {prefix for key in marked for prefix in path_prefixes(key)}
        return marked | parents

    def marker(self, key: str) -> str | None:
        """``typechanged``, ``added``, ``modified`` or None, with Sacred's precedence."""
        if key in self.typechanged:
            return "typechanged"
        if key in self.added:
            return "added"
        if key in self.modified or key in self.changed_paths():
            return "modified"
        return None

    def to_json(self) -> dict[str, Any]:
        """The machine-readable form: final config and, per dotted key, its marker and doc."""
        from core.config.values import flatten
        entries = {}
        keys = {key for key, _ in iterate_flattened(self.config)} | set(self.docs)
        changed = self.changed_paths()
        for key in sorted(keys | changed):
            entry: dict[str, Any] = {}
            if key in self.typechanged:
                old, new = self.typechanged[key]
                entry["typechanged"] = [old.__name__, new.__name__]
            if key in self.added:
                entry["added"] = True
            if key in self.modified or (key in changed and key not in self.added):
                entry["modified"] = True
            if key in self.docs:
                entry["doc"] = self.docs[key]
            if entry:
                entries[key] = entry
        return {"config": flatten(self.config), "entries": entries}


def prefixed(summary_part: dict | set, prefix: str) -> Any:
    """Re-key a set or dict of dotted keys under ``prefix``."""
    if not prefix:
        return summary_part
    if isinstance(summary_part, dict):
        return {f"{prefix}.{k}": v for k, v in summary_part.items()}
    return {f"{prefix}.{k}" for k in summary_part}
