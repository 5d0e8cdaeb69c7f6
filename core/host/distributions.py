"""Provides the installed distribution (name, version) behind an imported top-level module, cached per process.

Most modules are named like their distribution (``numpy``), so a listing of the ``*.dist-info``
folders on ``sys.path`` answers them without importing ``importlib.metadata`` (about 15 ms).
Only names that differ (``yaml`` -> ``PyYAML``) build ``importlib.metadata``'s full module map, once.
"""
from __future__ import annotations

import os
import re
import sys

OWN_DISTRIBUTION = "sacred-tui"
"""Distribution providing this package; it is listed like Sacred lists itself."""

_OWN_TOP_LEVEL = __name__.split(".")[0]
_SEPARATORS = re.compile(r"[-_.]+")

_versions: dict[str, tuple[str, str | None]] = {}
_index: dict[str, str] | None = None
_module_map: dict[str, list[str]] | None = None


def _normalize(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def _dist_info_index() -> dict[str, str]:
    """Map normalized distribution name -> ``.dist-info`` folder; the first on ``sys.path`` wins."""
    global _index
    if _index is None:
        index: dict[str, str] = {}
        for entry in sys.path:
            try:
                names = os.listdir(entry or ".")
            except OSError:
                continue
            for name in names:
                if name.endswith(".dist-info"):
                    index.setdefault(_normalize(name[:-len(".dist-info")].partition("-")[0]),
                                     os.path.join(entry or ".", name))
        _index = index
    return _index


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _name_and_version(dist_info: str) -> tuple[str, str] | None:
    """Read ``Name`` and ``Version`` from the header of a METADATA file (the body is not parsed)."""
    text = _read(os.path.join(dist_info, "METADATA"))
    if text is None:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in fields:
            fields[key] = value.strip()
    if "Name" in fields and "Version" in fields:
        return fields["Name"], fields["Version"]
    return None


def _from_index(dist_name: str, modname: str) -> tuple[str, str] | None:
    dist_info = _dist_info_index().get(_normalize(dist_name))
    if dist_info is None:
        return None
    top_level = _read(os.path.join(dist_info, "top_level.txt"))
    if dist_name == modname and top_level is not None and modname not in top_level.split():
        return None  # same name, but this distribution does not provide the module
    return _name_and_version(dist_info)


def _packages_distributions() -> dict[str, list[str]]:
    global _module_map
    if _module_map is None:
        from importlib import metadata

        _module_map = metadata.packages_distributions()
    return _module_map


def _lookup(modname: str) -> tuple[str, str | None]:
    candidates = [OWN_DISTRIBUTION, modname] if modname == _OWN_TOP_LEVEL else [modname]
    for candidate in candidates:
        found = _from_index(candidate, modname)
        if found is not None:
            return found
    from importlib import metadata

    for dist_name in _packages_distributions().get(modname, []):
        try:
            return dist_name, metadata.version(dist_name)
        except metadata.PackageNotFoundError:
            continue
    return modname, None


def distribution_for_module(modname: str) -> tuple[str, str | None]:
    """Return ``(distribution name, version)`` of a top-level module; ``(modname, None)`` if unknown."""
    found = _versions.get(modname)
    if found is None:
        found = _versions[modname] = _lookup(modname)
    return found


def clear_cache() -> None:
    """Forget cached lookups (after installing or removing packages in a long-lived process)."""
    global _index, _module_map
    _versions.clear()
    _index = None
    _module_map = None
