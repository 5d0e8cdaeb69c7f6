"""Provides the ``experiment`` entry of run.json, the ``--enforce_clean`` check and print_dependencies text."""
from __future__ import annotations

import os
from typing import Any, Iterable

from core.host.git import GitProbe
from core.host.sources import PackageDependency, Source, digest_if_file, relative_path

_RED = "\x1b[31m"
_RESET = "\x1b[0m"


def _as_source(source: Source | str) -> Source:
    return source if isinstance(source, Source) else Source.create(source, save_git_info=False)


def _dependency_json(dependency: PackageDependency | str) -> str:
    return dependency if isinstance(dependency, str) else dependency.to_json()


def _mainfile_json(mainfile: Source | str | None, base_dir: str) -> str | None:
    if mainfile is None:
        return None
    path = mainfile.filename if isinstance(mainfile, Source) else mainfile
    if not os.path.isabs(path):
        return path
    return relative_path(path, base_dir)


def get_experiment_info(name: str, base_dir: str, mainfile: Source | str | None,
                        sources: Iterable[Source | str], dependencies: Iterable[PackageDependency | str],
                        save_git_info: bool = True) -> dict[str, Any]:
    """Build the ``experiment`` entry of run.json in Sacred's shape.

    Digests are re-checked (one ``stat`` per file, md5 only if the file changed) and git state is
    read now, with at most one ``git status`` per repository. ``repositories`` has one entry per
    source file inside a repository with commits, duplicates kept, in the order of ``sources``.
    The given Source objects are updated with the digest and git state that were recorded.

    Args:
        mainfile: the main file (a Source or a path; relative paths are taken as relative to
            ``base_dir``), or None in interactive sessions.
    """
    ordered = sorted({_as_source(source) for source in sources})
    probe = GitProbe() if save_git_info else None
    source_entries: list[list[str]] = []
    repositories: list[dict[str, Any]] = []
    for source in ordered:
        digest = digest_if_file(source.filename)
        if digest is not None:
            source.digest = digest
        source_entries.append(list(source.to_json(base_dir)))
        info = probe.info_for(source.filename) if probe is not None else None
        if info is None:
            source.repo, source.commit, source.is_dirty = None, None, False
            continue
        source.repo, source.commit, source.is_dirty = info.url, info.commit, info.dirty
        repositories.append({"url": info.url, "commit": info.commit, "dirty": info.dirty})
    deps = sorted((_dependency_json(dep) for dep in dependencies), key=lambda text: text.lower())
    return {
        "base_dir": base_dir,
        "dependencies": deps,
        "mainfile": _mainfile_json(mainfile, base_dir),
        "name": name,
        "repositories": repositories,
        "sources": source_entries,
    }


def enforce_clean(experiment_info: dict[str, Any]) -> None:
    """Refuse to run when no repository was found or any repository has uncommitted changes.

    Raises:
        RuntimeError: with Sacred's messages for ``-e/--enforce_clean``.
    """
    repositories = experiment_info.get("repositories") or []
    if not repositories:
        raise RuntimeError("No version control detected. Cannot enforce clean repository.\n"
                           "Make sure that your sources under VCS and the corresponding python package "
                           "is installed.")
    for repository in repositories:
        if repository.get("dirty"):
            raise RuntimeError(f'EnforceClean: Uncommited changes in the "{repository}" repository.')


def format_dependencies(experiment_info: dict[str, Any], color: bool = True) -> str:
    """Return the text of the ``print_dependencies`` command; ``print()`` it to match Sacred exactly.

    ``color`` False leaves out the ANSI codes (the red ``M`` of a dirty repository and the reset).
    """
    lines = ["Dependencies:"]
    for dependency in experiment_info.get("dependencies", []):
        name, _, version = dependency.partition("==")
        lines.append(f"  {name:<20} == {version}")
    lines += ["", "Sources:"]
    for path, digest in experiment_info.get("sources", []):
        lines.append(f"  {path:<43}  {digest}")
    repositories = experiment_info.get("repositories") or []
    if repositories:
        lines += ["", "Version Control:"]
        red, reset = (_RED, _RESET) if color else ("", "")
        for repository in repositories:
            mark = red + "M" if repository.get("dirty") else " "
            lines.append(f"{mark} {repository.get('url'):<43}  {repository.get('commit')}{reset}")
    return "\n".join(lines) + "\n"
