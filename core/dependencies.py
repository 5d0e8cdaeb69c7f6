"""Sacred's ``sacred.dependencies``: source files and package dependencies of an experiment."""
from __future__ import annotations

import os
import re
from typing import Any

from core.host.sources import (PackageDependency, Source, get_digest, get_py_file_if_possible, is_local_source,
                               iterate_imported_modules)

__all__ = ["PEP440_VERSION_PATTERN", "PackageDependency", "Source", "gather_sources_and_dependencies",
           "get_digest", "get_main_file", "get_py_file_if_possible", "is_local_source",
           "iterate_imported_modules"]

PEP440_VERSION_PATTERN = re.compile(r"^(\d+!)?\d[\d.]*(?<=\d)((a|b|c|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def get_main_file(globs: dict, save_git_info: bool = True) -> tuple[str, Any]:
    """``(experiment directory, Source of the main file)``; the current directory and None without one."""
    filename = globs.get("__file__")
    if filename is None:
        return os.path.abspath(os.path.curdir), None
    main = Source.create(filename, save_git_info)
    return os.path.dirname(main.filename), main


def gather_sources_and_dependencies(globs: dict, save_git_info: bool = True,
                                    base_dir: str | None = None) -> tuple[Any, set, set]:
    """``(main file Source, sources, dependencies)`` of the module whose globals are ``globs``."""
    from core.host.sources import gather_sources_and_dependencies as gather
    experiment_path, main = get_main_file(globs, save_git_info)
    sources, dependencies = gather(globs, base_dir or experiment_path, globs.get("__file__"))
    if main is not None:
        sources.discard(main)
        sources.add(main)
    return main, sources, dependencies
