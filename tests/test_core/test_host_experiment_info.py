"""Tests of the run.json ``experiment`` entry, ``--enforce_clean`` and print_dependencies text."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from reference_data import REFERENCE_RUNS, sacred_experiment_dir
from core.host import (
    PackageDependency,
    Source,
    enforce_clean,
    format_dependencies,
    gather_sources_and_dependencies,
    get_experiment_info,
)

DATA = sacred_experiment_dir()
REFERENCE_RUN = REFERENCE_RUNS / "1"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


@pytest.fixture
def refexp(tmp_path: Path) -> Path:
    """The reference experiment's two files in a one-commit repository without remote."""
    base = tmp_path / "refexp"
    base.mkdir()
    for name in ("ref_experiment.py", "helper_module.py"):
        (base / name).write_bytes((DATA / name).read_bytes())
    git(base, "init", "-q")
    git(base, "add", ".")
    git(base, "commit", "-q", "-m", "initial")
    return base


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_experiment_info_matches_reference_shape(refexp: Path) -> None:
    reference = json.loads((REFERENCE_RUN / "run.json").read_text())["experiment"]
    sources = {Source.create(str(refexp / "helper_module.py"), save_git_info=False),
               Source.create(str(refexp / "ref_experiment.py"), save_git_info=False)}
    deps = {PackageDependency("sacred", "0.8.7"), PackageDependency("numpy", "2.4.6")}
    result = get_experiment_info("ref_exp", str(refexp), "ref_experiment.py", sources, deps)
    commit = git(refexp, "rev-parse", "HEAD")
    repository = {"commit": commit, "dirty": False, "url": "git:/" + str(refexp)}
    assert result == {
        "base_dir": str(refexp),
        "dependencies": reference["dependencies"],
        "mainfile": reference["mainfile"],
        "name": reference["name"],
        "repositories": [repository, repository],
        "sources": [["helper_module.py", md5(refexp / "helper_module.py")],
                    ["ref_experiment.py", md5(refexp / "ref_experiment.py")]],
    }
    assert [s[0] for s in result["sources"]] == [s[0] for s in reference["sources"]]
    assert set(result) == set(reference)
    assert set(result["repositories"][0]) == set(reference["repositories"][0])
    # The reference digests are of the very same files.
    assert [s[1] for s in result["sources"]] == [s[1].rsplit("_", 1)[1][:-3] for s in reference["sources"]]


def test_experiment_info_dirty_after_edit_and_refreshed_digest(refexp: Path) -> None:
    helper = refexp / "helper_module.py"
    source = Source.create(str(helper), save_git_info=False)
    helper.write_text(helper.read_text() + "# edited\n")
    st = helper.stat()
    os.utime(helper, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
    result = get_experiment_info("e", str(refexp), str(refexp / "ref_experiment.py"), [source], [])
    assert result["sources"] == [["helper_module.py", md5(helper)]]
    assert result["repositories"][0]["dirty"] is True
    assert result["mainfile"] == "ref_experiment.py"
    assert source.is_dirty is True and source.digest == md5(helper)


def test_experiment_info_without_git_and_sorting(tmp_path: Path) -> None:
    for name in ("b.py", "A.py", "sub/c.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(name)
    files = [str(tmp_path / n) for n in ("sub/c.py", "b.py", "A.py")]
    deps = [PackageDependency("zeta", "1"), PackageDependency("Alpha", None), "beta==2"]
    result = get_experiment_info("n", str(tmp_path), None, files, deps, save_git_info=False)
    assert [s[0] for s in result["sources"]] == ["A.py", "b.py", os.path.join("sub", "c.py")]
    assert result["dependencies"] == ["Alpha==<unknown>", "beta==2", "zeta==1"]
    assert result["repositories"] == [] and result["mainfile"] is None


def test_enforce_clean_without_repositories() -> None:
    with pytest.raises(RuntimeError) as info:
        enforce_clean({"repositories": []})
    assert str(info.value) == ("No version control detected. Cannot enforce clean repository.\n"
                               "Make sure that your sources under VCS and the corresponding python package "
                               "is installed.")


def test_enforce_clean_dirty_and_clean() -> None:
    dirty = {"url": "git://r", "commit": "abc", "dirty": True}
    with pytest.raises(RuntimeError) as info:
        enforce_clean({"repositories": [{"url": "git://r", "commit": "abc", "dirty": False}, dirty]})
    assert str(info.value) == f'EnforceClean: Uncommited changes in the "{dirty}" repository.'
    enforce_clean({"repositories": [{"url": "git://r", "commit": "abc", "dirty": False}]})


EXPERIMENT_INFO = {
    "dependencies": ["numpy==2.4.6", "sacred==0.8.7"],
    "sources": [["helper_module.py", "d7074ac4557c2d8356348cc7330ba4dc"],
                ["ref_experiment.py", "de0377a787bbc9986a1d47d722a2d729"]],
    "repositories": [{"commit": "d68d9a8", "dirty": True, "url": "git://home/researcher/refexp"},
                     {"commit": "d68d9a8", "dirty": False, "url": "git://home/researcher/refexp"}],
}
URL_PADDED = "git://home/researcher/refexp" + " " * (43 - 28)


def test_format_dependencies_with_color() -> None:
    expected = (
        "Dependencies:\n"
        "  numpy                == 2.4.6\n"
        "  sacred               == 0.8.7\n"
        "\n"
        "Sources:\n"
        "  helper_module.py                             d7074ac4557c2d8356348cc7330ba4dc\n"
        "  ref_experiment.py                            de0377a787bbc9986a1d47d722a2d729\n"
        "\n"
        "Version Control:\n"
        f"\x1b[31mM {URL_PADDED}  d68d9a8\x1b[0m\n"
        f"  {URL_PADDED}  d68d9a8\x1b[0m\n"
    )
    assert format_dependencies(EXPERIMENT_INFO, color=True) == expected


def test_format_dependencies_plain_without_repositories() -> None:
    plain = format_dependencies(EXPERIMENT_INFO, color=False)
    assert "\x1b" not in plain
    assert plain.splitlines()[-2:] == [f"M {URL_PADDED}  d68d9a8", f"  {URL_PADDED}  d68d9a8"]
    bare = format_dependencies({"dependencies": [], "sources": [], "repositories": []}, color=True)
    assert bare == "Dependencies:\n\nSources:\n"


def test_whole_pipeline_is_fast(refexp: Path) -> None:
    for index in range(3):
        (refexp / f"extra_{index}.py").write_text(f"v = {index}\n")
    git(refexp, "add", ".")
    git(refexp, "commit", "-q", "-m", "more")
    files = [str(p) for p in refexp.glob("*.py")]
    started = time.perf_counter()
    sources, deps = gather_sources_and_dependencies({"json": json}, str(refexp), files[0], "imported", "imported")
    result = get_experiment_info("e", str(refexp), files[0], set(files) | sources, deps)
    elapsed = time.perf_counter() - started
    print(f"gather + get_experiment_info on {len(files)} files: {elapsed * 1000:.1f} ms")
    assert len(result["repositories"]) == len(files) == 5
    assert elapsed < 2.0  # generous bound for loaded machines; the printed figure is the benchmark
