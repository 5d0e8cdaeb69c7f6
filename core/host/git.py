"""Provides git facts for source files (repository url, HEAD commit, dirty flag) without GitPython.

The repository, its HEAD commit and its remote url are read from the files under ``.git``; only the
dirty check runs ``git``, once per repository per :class:`GitProbe`, instead of once per source file.
"""
from __future__ import annotations

import logging
import os
import stat
from typing import NamedTuple

logger = logging.getLogger(__name__)

GIT_STATUS_TIMEOUT = 10.0
"""Seconds ``git status`` may take before the repository is recorded as clean with a warning."""

_MAX_SYMREF_DEPTH = 5


class GitRepo(NamedTuple):
    """A located repository: its work tree, its git dir and the dir holding shared refs/config."""

    worktree: str
    git_dir: str
    common_dir: str


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _git_dir_of(dot_git: str) -> str | None:
    """Return the git dir behind a ``.git`` entry (a directory or a ``gitdir:`` file)."""
    try:
        mode = os.stat(dot_git).st_mode
    except (OSError, ValueError):  # usually: no .git here (one failed lookup per directory walked)
        return None
    if stat.S_ISDIR(mode):
        return dot_git if os.path.isfile(os.path.join(dot_git, "HEAD")) else None
    text = _read_text(dot_git)
    if text is None or not text.startswith("gitdir:"):
        return None
    target = text[len("gitdir:"):].strip()
    target = os.path.normpath(os.path.join(os.path.dirname(dot_git), target))
    return target if os.path.isfile(os.path.join(target, "HEAD")) else None


def find_repo(path: str) -> GitRepo | None:
    """Find the repository containing ``path`` (a file or directory) by walking up to the root."""
    directory = os.path.abspath(path)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        git_dir = _git_dir_of(os.path.join(directory, ".git"))
        if git_dir is not None:
            common = _read_text(os.path.join(git_dir, "commondir"))
            common_dir = os.path.normpath(os.path.join(git_dir, common.strip())) if common else git_dir
            return GitRepo(worktree=directory, git_dir=git_dir, common_dir=common_dir)
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _packed_ref(common_dir: str, ref: str) -> str | None:
    text = _read_text(os.path.join(common_dir, "packed-refs"))
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith(("#", "^")):
            continue
        sha, _, name = line.partition(" ")
        if name.strip() == ref:
            return sha.strip()
    return None


def _looks_like_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def read_head_commit(repo: GitRepo) -> str | None:
    """Return the sha HEAD points to, or None for a repository without commits (or unreadable refs)."""
    head = (_read_text(os.path.join(repo.git_dir, "HEAD")) or "").strip()
    for _ in range(_MAX_SYMREF_DEPTH):
        if not head.startswith("ref:"):
            return head if _looks_like_sha(head) else _rev_parse_fallback(repo)
        ref = head[len("ref:"):].strip()
        found = None
        for base in (repo.git_dir, repo.common_dir):
            found = _read_text(os.path.join(base, *ref.split("/")))
            if found is not None:
                break
        if found is None:
            found = _packed_ref(repo.common_dir, ref)
        if found is None:
            return _rev_parse_fallback(repo)
        head = found.strip()
    return None


def _rev_parse_fallback(repo: GitRepo) -> str | None:
    """Ask git only for ref storage we cannot read as files (reftable)."""
    if not os.path.isdir(os.path.join(repo.common_dir, "reftable")):
        return None
    out = _run_git(repo, ["rev-parse", "--verify", "-q", "HEAD"])
    sha = (out or "").strip()
    return sha if _looks_like_sha(sha) else None


def _parse_remotes(config_text: str) -> list[tuple[str, str]]:
    """Return ``[(remote name, url), ...]`` in file order from the text of a git config file."""
    remotes: list[tuple[str, str]] = []
    current: str | None = None
    seen: set[str] = set()
    for raw in config_text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            header, _, rest = line[1:].partition("]")
            kind, _, sub = header.strip().partition(" ")
            current = sub.strip().strip('"') if kind.lower() == "remote" and sub else None
            line = rest.strip()
            if not line:
                continue
        if current is None or current in seen:
            continue
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "url":
            remotes.append((current, _config_value(value)))
            seen.add(current)
    return remotes


def _config_value(value: str) -> str:
    """Strip quotes and trailing comments from a git config value."""
    out: list[str] = []
    quoted = False
    for char in value.strip():
        if char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
    return "".join(out).strip()


def read_remote_url(repo: GitRepo) -> str:
    """Return the url of remote ``origin`` (else the first remote), else ``"git:/" + worktree``."""
    remotes = _parse_remotes(_read_text(os.path.join(repo.common_dir, "config")) or "")
    for name, url in remotes:
        if name == "origin":
            return url
    if remotes:
        return remotes[0][1]
    return "git:/" + repo.worktree


def _git_executable() -> str | None:
    import shutil

    return shutil.which("git")


def _run_git(repo: GitRepo, args: list[str]) -> str | None:
    """Run git in the work tree; None (and a log line) if git is missing, fails or times out."""
    import subprocess

    git = _git_executable()
    if git is None:
        logger.debug("git is not installed; cannot run git %s in %s", args[0], repo.worktree)
        return None
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        done = subprocess.run([git, *args], cwd=repo.worktree, capture_output=True, env=env,
                              timeout=GIT_STATUS_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("Could not run git %s in %s: %s", args[0], repo.worktree, exc)
        return None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        logger.warning("git %s failed in %s (exit code %s): %s", args[0], repo.worktree, done.returncode,
                       message)
        return None
    return done.stdout.decode("utf-8", "replace")


def is_dirty(repo: GitRepo) -> bool:
    """True if tracked files differ from HEAD (staged or not); untracked files are ignored."""
    out = _run_git(repo, ["status", "--porcelain", "--untracked-files=no"])
    if out is None:
        logger.debug("Repository %s is recorded as clean: its state is unknown", repo.worktree)
        return False
    return bool(out.strip())


class GitInfo(NamedTuple):
    """What run.json records about the repository of one source file."""

    url: str
    commit: str
    dirty: bool


class GitProbe:
    """Answers :meth:`info_for` per file while running at most one ``git status`` per repository.

    Create one per experiment-info call: the cache is meant to live as long as that call.
    """

    def __init__(self) -> None:
        self._repos: dict[str, GitRepo | None] = {}
        self._infos: dict[str, GitInfo | None] = {}

    def _repo_for_dir(self, directory: str) -> GitRepo | None:
        if directory not in self._repos:
            self._repos[directory] = find_repo(directory)
        return self._repos[directory]

    def info_for(self, filename: str) -> GitInfo | None:
        """Git facts for the repository holding ``filename``; None if none or it has no commits."""
        repo = self._repo_for_dir(os.path.dirname(os.path.abspath(filename)))
        if repo is None:
            return None
        if repo.worktree not in self._infos:
            commit = read_head_commit(repo)
            if commit is None:
                logger.debug("Repository %s has no commits; not recorded", repo.worktree)
                self._infos[repo.worktree] = None
            else:
                self._infos[repo.worktree] = GitInfo(read_remote_url(repo), commit, is_dirty(repo))
        return self._infos[repo.worktree]
