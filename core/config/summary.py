"""Provides ``ConfigSummary``: the final config plus which keys were added, modified or changed type.

print_config, the config warnings, and the machine-readable ``--json`` output for the UI all read it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from core.config.updates import iterate_flattened, path_prefixes

SEED_DOC = "the random seed for this experiment"


class ConfigSummary:
    """A config with its change markers, keyed by dotted path from the config's root.

    Constructed as Sacred's (``ConfigSummary(added, modified, typechanged, ignored_fallbacks, docs)``), plus the
    config it describes and ``doc_sources``: functions giving more docs, read only when docs are first needed
    (print_config and ``--json`` need them; a plain run does not).
    """

    def __init__(self, added: Iterable[str] = (), modified: Iterable[str] = (),
                 typechanged: Mapping[str, tuple[type, type]] | Iterable = (), ignored_fallbacks: Iterable[str] = (),
                 docs: Mapping[str, str] | Iterable = (), *, config: dict | None = None,
                 doc_sources: Iterable[Callable[[], Mapping[str, str]]] = ()) -> None:
        self.config: dict = config if config is not None else {}
        self.added: set[str] = set(added)
        self.modified: set[str] = set(modified)
        self.typechanged: dict[str, tuple[type, type]] = dict(typechanged)
        self.ignored_fallbacks: set[str] = set(ignored_fallbacks)
        given_docs = dict(docs)
        self.doc_sources: list[Callable[[], Mapping[str, str]]] = [lambda: given_docs, *doc_sources]
        self._docs: dict[str, str] | None = None

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

    def __repr__(self) -> str:
        return (f"ConfigSummary(added={sorted(self.added)}, modified={sorted(self.modified)}, "
                f"typechanged={self.typechanged})")

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
