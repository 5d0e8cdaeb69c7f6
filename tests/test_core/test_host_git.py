"""Tests of git state read from .git files plus one ``git status`` per repository (core.host.git)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core.host import Source, get_experiment_info
from core.host import git as host_git
from core.host.git import GitProbe, find_repo, read_head_commit, read_remote_url

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, check=True,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one commit holding two files, no remote."""
    path = tmp_path / "repo"
    (path / "pkg").mkdir(parents=True)
    (path / "exp.py").write_text("a = 1\n")
    (path / "pkg" / "mod.py").write_text("b = 2\n")
    git(path, "init", "-q")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "first")
    return path


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def info(path: Path) -> host_git.GitInfo | None:
    return GitProbe().info_for(str(path))


def test_clean_repo_without_remote(repo: Path) -> None:
    assert info(repo / "pkg" / "mod.py") == host_git.GitInfo("git:/" + str(repo), head(repo), False)


def test_dirty_after_editing_tracked_file(repo: Path) -> None:
    (repo / "pkg" / "mod.py").write_text("b = 3\n")
    assert info(repo / "exp.py").dirty is True


def test_staged_change_is_dirty_untracked_file_is_not(repo: Path) -> None:
    (repo / "new.py").write_text("untracked\n")
    assert info(repo / "exp.py").dirty is False
    git(repo, "add", "new.py")
    assert info(repo / "exp.py").dirty is True


def test_origin_remote_url_wins(repo: Path) -> None:
    git(repo, "remote", "add", "upstream", "https://example.org/up.git")
    assert info(repo / "exp.py").url == "https://example.org/up.git"
    git(repo, "remote", "add", "origin", "git@example.org:me/exp.git")
    assert info(repo / "exp.py").url == "git@example.org:me/exp.git"


def test_remote_url_config_parsing_quotes_and_comments(repo: Path) -> None:
    config = repo / ".git" / "config"
    config.write_text(config.read_text() + '[Remote "origin"] ; comment\n\tURL = "https://x.org/a b.git" # c\n')
    assert read_remote_url(find_repo(str(repo))) == "https://x.org/a b.git"


def test_repo_without_commits_records_nothing(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "exp.py").write_text("a = 1\n")
    found = find_repo(str(tmp_path / "exp.py"))
    assert found is not None and read_head_commit(found) is None
    assert info(tmp_path / "exp.py") is None
    source = Source.create(str(tmp_path / "exp.py"))
    assert (source.repo, source.commit, source.is_dirty) == (None, None, False)
    assert get_experiment_info("e", str(tmp_path), None, [source], [])["repositories"] == []


def test_packed_refs_and_detached_head(repo: Path) -> None:
    sha = head(repo)
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert read_head_commit(find_repo(str(repo))) == sha
    (repo / "exp.py").write_text("a = 5\n")
    git(repo, "commit", "-q", "-am", "second")
    git(repo, "checkout", "-q", "--detach", sha)
    assert read_head_commit(find_repo(str(repo))) == sha


def test_linked_worktree_uses_gitdir_file(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(other))
    assert (other / ".git").is_file()
    found = find_repo(str(other / "exp.py"))
    assert found.worktree == str(other)
    assert info(other / "exp.py") == host_git.GitInfo("git:/" + str(other), head(repo), False)


def test_file_outside_any_repo(tmp_path: Path) -> None:
    (tmp_path / "solo").mkdir()
    (tmp_path / "solo" / "x.py").write_text("")
    assert find_repo(str(tmp_path / "solo" / "x.py")) is None
    assert info(tmp_path / "solo" / "x.py") is None


def test_one_git_status_per_repository(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = host_git._run_git
    monkeypatch.setattr(host_git, "_run_git", lambda r, args: calls.append(args) or real(r, args))
    files = [repo / "exp.py", repo / "pkg" / "mod.py"]
    result = get_experiment_info("e", str(repo), "exp.py", [str(f) for f in files], [])
    assert [r["commit"] for r in result["repositories"]] == [head(repo)] * 2
    assert calls == [["status", "--porcelain", "--untracked-files=no"]]


def test_missing_git_means_clean(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "exp.py").write_text("changed\n")
    monkeypatch.setattr(host_git, "_git_executable", lambda: None)
    assert info(repo / "exp.py") == host_git.GitInfo("git:/" + str(repo), head(repo), False)


def test_failing_git_status_is_logged_and_clean(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    fake = tmp_path / "fakegit"
    fake.write_text("#!/bin/sh\necho 'fatal: detected dubious ownership' >&2\nexit 128\n")
    fake.chmod(0o755)
    monkeypatch.setattr(host_git, "_git_executable", lambda: str(fake))
    assert info(repo / "exp.py").dirty is False
    assert "git status failed" in caplog.text and "dubious ownership" in caplog.text


def test_source_create_records_git_state(repo: Path) -> None:
    (repo / "exp.py").write_text("edited\n")
    source = Source.create(str(repo / "exp.py"))
    assert (source.repo, source.commit, source.is_dirty) == ("git:/" + str(repo), head(repo), True)
