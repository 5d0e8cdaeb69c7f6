"""Provides Source and PackageDependency, and finds an experiment's local sources and package dependencies.

Discovery looks only at modules the experiment file already imported (its globals), looks package
versions up once per process (:mod:`core.host.distributions`), and never imports anything new
(numpy is listed only when the experiment already imported it).
"""
from __future__ import annotations

import functools
import operator
import os
import sys
from itertools import repeat
from stat import S_ISREG
from typing import Any, Iterable, Iterator

from core.host.distributions import distribution_for_module

_CHUNK = 1 << 20

_digests: dict[str, tuple[int, int, str]] = {}


def get_digest(filename: str) -> str:
    """Return the md5 hex digest of a file, cached while its mtime and size stay the same."""
    path = os.path.abspath(filename)
    return _digest_of(path, os.stat(path))


def digest_if_file(filename: str) -> str | None:
    """``get_digest(filename)`` if it names a regular file (as ``os.path.isfile``), else None; one ``stat``."""
    path = filename if os.path.isabs(filename) else os.path.abspath(filename)
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not S_ISREG(info.st_mode):
        return None
    return _digest_of(path, info)


def _digest_of(path: str, info: os.stat_result) -> str:
    cached = _digests.get(path)
    if cached is not None and cached[0] == info.st_mtime_ns and cached[1] == info.st_size:
        return cached[2]
    import hashlib

    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            md5.update(chunk)
    digest = md5.hexdigest()
    _digests[path] = (info.st_mtime_ns, info.st_size, digest)
    return digest


def relative_path(filename: str, base_dir: str) -> str:
    """``filename`` relative to ``base_dir``, resolving symlinks only if the plain paths do not nest."""
    key = (filename, base_dir)
    known = _relative_paths.get(key)
    if known is not None:
        return known
    rel = os.path.relpath(os.path.abspath(filename), os.path.abspath(base_dir))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return os.path.relpath(os.path.realpath(filename), os.path.realpath(base_dir))
    if os.path.isabs(filename) and os.path.isabs(base_dir):  # text alone decides it: remember
        if len(_relative_paths) >= 4096:
            _relative_paths.clear()
        _relative_paths[key] = rel
    return rel


_relative_paths: dict[tuple[str, str], str] = {}
"""``relative_path`` of absolute paths that nest (a string computation), asked again by every run."""


def get_py_file_if_possible(filename: str) -> str:
    """Map a compiled ``.pyc``/``.pyo`` path to its ``.py`` file when that exists."""
    if filename.endswith((".pyc", ".pyo")) and os.path.isfile(filename[:-1]):
        return filename[:-1]
    return filename


class Source:
    """A source file of the experiment: absolute path, md5 digest and, optionally, its git state."""

    __slots__ = ("filename", "digest", "repo", "commit", "is_dirty")

    def __init__(self, filename: str, digest: str, repo: str | None = None, commit: str | None = None,
                 is_dirty: bool = False) -> None:
        self.filename = filename
        self.digest = digest
        self.repo = repo
        self.commit = commit
        self.is_dirty = is_dirty

    @staticmethod
    def create(filename: str, save_git_info: bool = True) -> Source:
        """Make a Source for an existing file (git state included if ``save_git_info``).

        Raises:
            ValueError: the name is empty or no such file exists.
        """
        if not filename or not os.path.exists(filename):
            raise ValueError(f'invalid filename or file not found "{filename}"')
        path = get_py_file_if_possible(os.path.abspath(filename))
        repo = commit = None
        dirty = False
        if save_git_info:
            from core.host.git import GitProbe

            info = GitProbe().info_for(path)
            if info is not None:
                repo, commit, dirty = info.url, info.commit, info.dirty
        return Source(path, get_digest(path), repo, commit, dirty)

    def to_json(self, base_dir: str | None = None) -> tuple[str, str]:
        """Return ``(path, digest)``, the path relative to ``base_dir`` when one is given."""
        if base_dir:
            return relative_path(self.filename, base_dir), self.digest
        return self.filename, self.digest

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Source) and self.filename == other.filename

    def __lt__(self, other: Source) -> bool:
        return self.filename < other.filename

    def __hash__(self) -> int:
        return hash(self.filename)

    def __repr__(self) -> str:
        return f"<Source: {self.filename}>"


class PackageDependency:
    """An installed distribution the experiment uses; ``version`` None means unknown."""

    __slots__ = ("name", "version")

    def __init__(self, name: str, version: str | None) -> None:
        self.name = name
        self.version = version

    @classmethod
    def create(cls, mod: Any) -> PackageDependency:
        """Make the dependency for an imported top-level module (name mapped to its distribution)."""
        name, version = distribution_for_module(mod.__name__)
        return cls(name, version)

    def fill_missing_version(self) -> None:
        """Look the version up again if it is unknown."""
        if self.version is None:
            self.version = distribution_for_module(self.name)[1]

    def to_json(self) -> str:
        """Return ``"name==version"`` (``<unknown>`` as version when not known)."""
        return f"{self.name}=={self.version or '<unknown>'}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackageDependency) and self.name == other.name

    def __lt__(self, other: PackageDependency) -> bool:
        return self.name.lower() < other.name.lower()

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<PackageDependency: {self.name}={self.version}>"


def _module_parts(path: str) -> list[str]:
    parts = [p for p in os.path.splitext(path)[0].split(os.sep) if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return parts


@functools.lru_cache(maxsize=4096)
def _realpath(path: str) -> str:
    """``os.path.realpath``, remembered: each run asks again for the same module files."""
    return os.path.realpath(path)


def is_local_source(filename: str, modname: str, base_dir: str) -> bool:
    """True if ``filename`` lies under ``base_dir`` where module ``modname`` would be found.

    Requiring the path parts to match the module name keeps installed packages of a virtualenv
    inside ``base_dir`` (``.venv/lib/.../numpy/__init__.py``) out of the sources.
    """
    path = _realpath(filename)
    base = _realpath(base_dir)
    if not path.startswith(base.rstrip(os.sep) + os.sep):
        return False
    rel_parts = _module_parts(os.path.relpath(path, base))
    mod_parts = modname.split(".")
    if rel_parts == mod_parts:
        return True
    if len(rel_parts) > len(mod_parts):
        return False
    abs_parts = _module_parts(path)
    return abs_parts[len(abs_parts) - len(mod_parts):] == mod_parts


def _module_name_of(value: Any) -> str | None:
    if isinstance(value, type(sys)):
        return value.__name__
    try:
        name = getattr(value, "__module__", None)
    except Exception:  # objects with exotic __getattr__ must not break discovery
        return None
    return name if isinstance(name, str) and name else None


def iterate_imported_modules(globs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield ``(name, module)`` for every module (and dotted prefix) the globals refer to, once each."""
    seen: set[str] = set()
    for value in list(globs.values()):
        name = _module_name_of(value)
        if name is None:
            continue
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in seen:
                continue
            seen.add(prefix)
            module = sys.modules.get(prefix)
            if module is not None:
                yield prefix, module


def _is_stdlib(modname: str) -> bool:
    top = modname.partition(".")[0]
    return top in sys.stdlib_module_names or top in sys.builtin_module_names


def _local_file(module: Any, modname: str, base_dir: str) -> str | None:
    filename = getattr(module, "__file__", None)
    if not isinstance(filename, str) or not filename:
        return None
    filename = get_py_file_if_possible(os.path.abspath(filename))
    return filename if is_local_source(filename, modname, base_dir) else None


def _dependency(modname: str, known_only: bool) -> PackageDependency | None:
    if "." in modname or modname.startswith("_") or _is_stdlib(modname):
        return None
    name, version = distribution_for_module(modname)
    if known_only and version is None:
        return None
    return PackageDependency(name, version)


def _collect(items: Iterable[tuple[str, Any]], base_dir: str, want_sources: bool, want_deps: bool,
             known_only: bool) -> tuple[set[Source], set[PackageDependency]]:
    sources: set[Source] = set()
    dependencies: set[PackageDependency] = set()
    for modname, module in items:
        if _is_stdlib(modname):
            continue
        local = _local_file(module, modname, base_dir)
        if local is not None:
            if want_sources and os.path.isfile(local):
                sources.add(Source(local, get_digest(local)))
        elif want_deps:
            dependency = _dependency(modname, known_only)
            if dependency is not None:
                dependencies.add(dependency)
    return sources, dependencies


def _sources_in_dir(base_dir: str) -> set[Source]:
    """All ``*.py`` files under ``base_dir``, skipping hidden directories and virtualenvs."""
    found: set[Source] = set()
    for root, dirs, files in os.walk(base_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg")))
        for name in files:
            if name.endswith(".py"):
                path = os.path.abspath(os.path.join(root, name))
                found.add(Source(path, get_digest(path)))
    return found


_found: dict[tuple, tuple[tuple[str, ...], tuple[Any, ...], list[Any], list[str], list[tuple[str, str | None]]]] = {}
"""What ``_collect_imported`` found, per question: the names and modules looked at with their ``__file__``,
the local source files, the dependencies. A program making many runs of one experiment asks the same
question for every run; the answer is reused while the same modules are imported under the same names."""
_FOUND_LIMIT = 64

_names_seen: dict[int, tuple[dict[str, Any], list[Any], frozenset[str]]] = {}
"""Per globals dict: its values when last looked at, and the module names they gave. While every value
is the very same object, the names are the same too (found without a Python call per value)."""


def _module_names(globs: dict[str, Any]) -> frozenset[str]:
    """The names of the modules the globals' values are or come from."""
    values = list(globs.values())
    seen = _names_seen.get(id(globs))
    if seen is not None and seen[0] is globs and len(seen[1]) == len(values) \
            and all(map(operator.is_, values, seen[1])):
        return seen[2]
    names = frozenset(filter(None, map(_module_name_of, values)))
    if len(_names_seen) >= _FOUND_LIMIT:
        _names_seen.clear()
    _names_seen[id(globs)] = (globs, values, names)
    return names


def _collect_imported(globs: dict[str, Any], base_dir: str, want_sources: bool,
                      want_deps: bool) -> tuple[set[Source], set[PackageDependency]]:
    """``_collect`` over the modules the globals refer to, remembered across runs (see ``_found``).

    Digests are always taken again (a stat per file; the md5 only when the file changed)."""
    names = _module_names(globs)
    key = (base_dir, want_sources, want_deps, names)
    known = _found.get(key)
    modules = sys.modules
    if known is None or not all(map(operator.is_, map(modules.get, known[0]), known[1])) \
            or list(map(getattr, known[1], repeat("__file__"), repeat(None))) != known[2]:
        sources, dependencies = _collect(list(iterate_imported_modules(globs)), base_dir, want_sources, want_deps,
                                         known_only=False)
        if len(_found) >= _FOUND_LIMIT:
            _found.clear()
        prefixes = tuple({".".join(parts[:end]) for parts in map(str.split, names, repeat("."))
                          for end in range(1, len(parts) + 1)})
        looked_at = tuple(modules.get(prefix) for prefix in prefixes)  # also those not imported (yet)
        _found[key] = (prefixes, looked_at, [getattr(module, "__file__", None) for module in looked_at],
                       [source.filename for source in sources],
                       [(dependency.name, dependency.version) for dependency in dependencies])
        return sources, dependencies
    found = set()
    for path in known[3]:
        digest = digest_if_file(path)
        if digest is not None:
            found.add(Source(path, digest))
    return found, {PackageDependency(name, version) for name, version in known[4]}


SOURCE_STRATEGIES = ("imported", "sys", "dir", "none")
DEPENDENCY_STRATEGIES = ("imported", "sys", "none")


def gather_sources_and_dependencies(globs: dict[str, Any], base_dir: str | None, main_file: str | None,
                                    sources_strategy: str | None = None,
                                    dependencies_strategy: str | None = None,
                                    ) -> tuple[set[Source], set[PackageDependency]]:
    """Find the local source files and the package dependencies of an experiment file.

    Args:
        globs: the globals of the file that defines the experiment.
        base_dir: directory under which imported modules count as sources; defaults to the
            directory of ``main_file`` (or the current directory).
        main_file: the experiment file, always a source; None in interactive sessions.
        sources_strategy / dependencies_strategy: ``SETTINGS.DISCOVER_SOURCES`` /
            ``DISCOVER_DEPENDENCIES`` values; the settings are used when None.

    Sources carry no git state: that is read when the run's experiment info is made.

    Raises:
        ValueError: ``main_file`` does not exist, or a strategy name is unknown.
    """
    if sources_strategy is None or dependencies_strategy is None:
        from core.settings import SETTINGS

        sources_strategy = sources_strategy or SETTINGS.DISCOVER_SOURCES
        dependencies_strategy = dependencies_strategy or SETTINGS.DISCOVER_DEPENDENCIES
    if sources_strategy not in SOURCE_STRATEGIES:
        raise ValueError(f"Unknown source discovery strategy {sources_strategy!r}; "
                         f"allowed: {', '.join(SOURCE_STRATEGIES)}")
    if dependencies_strategy not in DEPENDENCY_STRATEGIES:
        raise ValueError(f"Unknown dependency discovery strategy {dependencies_strategy!r}; "
                         f"allowed: {', '.join(DEPENDENCY_STRATEGIES)}")
    if base_dir is None:
        base_dir = os.path.dirname(os.path.abspath(main_file)) if main_file else os.getcwd()

    sources, dependencies = _collect_imported(globs, base_dir, sources_strategy == "imported",
                                              dependencies_strategy == "imported")
    if sources_strategy == "sys" or dependencies_strategy == "sys":
        more_sources, more_deps = _collect(list(sys.modules.items()), base_dir, sources_strategy == "sys",
                                           dependencies_strategy == "sys", known_only=True)
        sources |= more_sources
        dependencies |= more_deps
    if sources_strategy == "dir":
        sources |= _sources_in_dir(base_dir)
    if main_file is not None:
        sources.add(Source.create(main_file, save_git_info=False))
    if dependencies_strategy != "none" and "numpy" in sys.modules:
        dependencies.add(PackageDependency(*distribution_for_module("numpy")))
    return sources, dependencies
