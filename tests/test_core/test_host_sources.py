"""Tests of source and dependency discovery and digests (core.host.sources)."""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import core.host
from core.host import PackageDependency, Source, gather_sources_and_dependencies, get_digest
from core.host.sources import is_local_source


LOCAL_FILES = sorted(["exp_main.py", os.path.join("hostpkg_local", "__init__.py"),
                      os.path.join("hostpkg_local", "sub.py"), "hostmod_local.py"])


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An experiment dir with a local package, plus a module outside it, all imported."""
    base = tmp_path / "proj"
    pkg = base / "hostpkg_local"
    pkg.mkdir(parents=True)
    (base / "exp_main.py").write_text("x = 1\n")
    (pkg / "__init__.py").write_text("")
    (pkg / "sub.py").write_text("def func():\n    return 1\n")
    (base / "hostmod_local.py").write_text("class Thing:\n    pass\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "hostmod_outside.py").write_text("value = 3\n")
    venv_pkg = base / ".venv" / "lib" / "site-packages" / "hostpkg_venv"
    venv_pkg.mkdir(parents=True)
    (venv_pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(outside))
    monkeypatch.syspath_prepend(str(venv_pkg.parent))
    monkeypatch.syspath_prepend(str(base))
    names = ["hostpkg_local", "hostpkg_local.sub", "hostmod_local", "hostmod_outside", "hostpkg_venv"]
    modules = {name: importlib.import_module(name) for name in names}
    yield {"base": base, "outside": outside, "venv_pkg": venv_pkg, **modules}
    for name in names:
        sys.modules.pop(name, None)


def test_digest_is_md5_of_content(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * (1 << 20) + 17))
    assert get_digest(str(path)) == md5_of(path)


def test_digest_changes_when_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("a = 1\n")
    first = get_digest(str(path))
    path.write_text("a = 2\n")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
    assert get_digest(str(path)) == md5_of(path) != first


def test_source_create_missing_file_message(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.py")
    with pytest.raises(ValueError) as info:
        Source.create(missing)
    assert str(info.value) == f'invalid filename or file not found "{missing}"'
    with pytest.raises(ValueError, match='invalid filename or file not found ""'):
        Source.create("")


def test_source_create_maps_pyc_to_py(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("a = 1\n")
    (tmp_path / "m.pyc").write_bytes(b"\x00")
    source = Source.create(str(tmp_path / "m.pyc"), save_git_info=False)
    assert source.filename == str(tmp_path / "m.py")
    assert source.digest == md5_of(tmp_path / "m.py")
    assert source.repo is None and source.commit is None and source.is_dirty is False


def test_source_equality_order_and_json(tmp_path: Path) -> None:
    a, b = Source(str(tmp_path / "a.py"), "1"), Source(str(tmp_path / "b.py"), "2")
    assert a == Source(str(tmp_path / "a.py"), "other") and a != b
    assert sorted([b, a]) == [a, b]
    assert a.to_json(str(tmp_path)) == ("a.py", "1")
    assert a.to_json() == (str(tmp_path / "a.py"), "1")


def test_package_dependency_json_and_order() -> None:
    deps = [PackageDependency("numpy", "2.0"), PackageDependency("Beta", None), PackageDependency("alpha", "1")]
    assert [d.to_json() for d in sorted(deps)] == ["alpha==1", "Beta==<unknown>", "numpy==2.0"]
    assert PackageDependency.create(yaml).to_json() == f"PyYAML=={importlib.metadata.version('PyYAML')}"


def test_is_local_source_requires_matching_module_path(project: dict[str, Any]) -> None:
    base = str(project["base"])
    assert is_local_source(project["hostpkg_local.sub"].__file__, "hostpkg_local.sub", base)
    assert is_local_source(project["hostpkg_local"].__file__, "hostpkg_local", base)
    assert not is_local_source(project["hostpkg_venv"].__file__, "hostpkg_venv", base)
    assert not is_local_source(project["hostmod_outside"].__file__, "hostmod_outside", base)


def test_gather_local_sources_dependencies_and_stdlib(project: dict[str, Any]) -> None:
    base = project["base"]
    globs = {
        "os": os, "dumps": json.dumps, "func": project["hostpkg_local.sub"].func,
        "Thing": project["hostmod_local"].Thing, "hostmod_outside": project["hostmod_outside"],
        "hostpkg_venv": project["hostpkg_venv"], "yaml": yaml, "pytest": pytest,
        "fixture": pytest.fixture,  # defined in _pytest: private top-level names are no dependency
        "Source": Source, "number": 3, "__name__": "__main__",
    }
    sources, deps = gather_sources_and_dependencies(globs, str(base), str(base / "exp_main.py"),
                                                    "imported", "imported")
    assert sorted(os.path.relpath(s.filename, base) for s in sources) == LOCAL_FILES
    for source in sources:
        assert source.digest == md5_of(Path(source.filename))
    found = {d.to_json() for d in deps}
    version = importlib.metadata.version
    expected = {f"PyYAML=={version('PyYAML')}", f"pytest=={version('pytest')}",
                f"sacred-tui=={version('sacred-tui')}", "hostmod_outside==<unknown>", "hostpkg_venv==<unknown>"}
    if "numpy" in sys.modules:
        expected.add(f"numpy=={version('numpy')}")
    assert found == expected


def test_numpy_listed_only_when_already_imported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import numpy

    monkeypatch.delitem(sys.modules, "numpy")
    _, deps = gather_sources_and_dependencies({}, str(tmp_path), None, "imported", "imported")
    assert deps == set()
    assert "numpy" not in sys.modules
    monkeypatch.setitem(sys.modules, "numpy", numpy)
    _, deps = gather_sources_and_dependencies({}, str(tmp_path), None, "imported", "imported")
    assert {d.to_json() for d in deps} == {f"numpy=={numpy.__version__}"}


def test_gather_none_strategies_keep_only_main(project: dict[str, Any]) -> None:
    base = project["base"]
    globs = {"func": project["hostpkg_local.sub"].func, "yaml": yaml}
    sources, deps = gather_sources_and_dependencies(globs, str(base), str(base / "exp_main.py"), "none", "none")
    assert [s.filename for s in sources] == [str(base / "exp_main.py")]
    assert deps == set()


def test_gather_dir_strategy_skips_hidden_dirs(project: dict[str, Any]) -> None:
    base = project["base"]
    sources, _ = gather_sources_and_dependencies({}, str(base), None, "dir", "none")
    assert sorted(os.path.relpath(s.filename, base) for s in sources) == LOCAL_FILES


def test_gather_sys_strategy_finds_imported_local_modules(project: dict[str, Any]) -> None:
    base = project["base"]
    sources, deps = gather_sources_and_dependencies({}, str(base), None, "sys", "sys")
    assert {os.path.relpath(s.filename, base) for s in sources} >= {"hostmod_local.py"}
    names = {d.name for d in deps}
    assert "PyYAML" in names and "hostmod_outside" not in names  # unknown versions are left out in "sys"


def test_gather_rejects_unknown_strategy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unknown source discovery strategy 'all'; allowed: imported"):
        gather_sources_and_dependencies({}, str(tmp_path), None, "all", "imported")
    with pytest.raises(ValueError, match="Unknown dependency discovery strategy 'x'"):
        gather_sources_and_dependencies({}, str(tmp_path), None, "imported", "x")


def test_gather_uses_settings_by_default(project: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import SETTINGS

    monkeypatch.setitem(SETTINGS, "DISCOVER_DEPENDENCIES", "none")
    base = project["base"]
    sources, deps = gather_sources_and_dependencies({"Thing": project["hostmod_local"].Thing}, str(base), None)
    assert deps == set()
    assert [os.path.relpath(s.filename, base) for s in sources] == ["hostmod_local.py"]


def test_gather_survives_objects_with_odd_module_attribute(tmp_path: Path) -> None:
    class Weird:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("no attributes here")

    class NonStr:
        __module__ = 42  # type: ignore[assignment]

    sources, deps = gather_sources_and_dependencies({"w": Weird(), "n": NonStr()}, str(tmp_path), None,
                                                    "imported", "imported")
    assert sources == set()
    assert all(d.name != "42" for d in deps)


def test_package_exports() -> None:
    assert set(core.host.__all__) <= set(dir(core.host))


def test_source_path_relative_through_symlinked_base_dir(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.py").write_text("a = 1\n")
    (tmp_path / "link").symlink_to(real)
    source = Source.create(str(real / "a.py"), save_git_info=False)
    assert source.to_json(str(tmp_path / "link"))[0] == "a.py"
    linked = Source.create(str(tmp_path / "link" / "a.py"), save_git_info=False)
    assert linked.to_json(str(tmp_path / "link"))[0] == "a.py"
    assert linked.to_json(str(tmp_path))[0] == os.path.join("link", "a.py")


def make_dist(site: Path, folder: str, name: str, version: str, top_level: str | None) -> None:
    dist_info = site / folder
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"
                                        "Name: not-this\nVersion: 0\n")
    if top_level is not None:
        (dist_info / "top_level.txt").write_text(top_level)


def test_distribution_lookup_from_dist_info_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.host import distributions

    site = tmp_path / "site"
    make_dist(site, "fake_dist_one-1.2.3.dist-info", "Fake.Dist-One", "1.2.3", None)
    make_dist(site, "samename-2.0.dist-info", "samename", "2.0", "othermod\n")
    make_dist(site, "provider-3.1.dist-info", "Provider", "3.1", "othermod\n")
    (site / "othermod").mkdir()
    (site / "othermod" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    distributions.clear_cache()
    try:
        assert distributions.distribution_for_module("fake_dist_one") == ("Fake.Dist-One", "1.2.3")
        assert distributions.distribution_for_module("samename") == ("samename", None)
        assert distributions.distribution_for_module("othermod")[1] in ("2.0", "3.1")
        assert distributions.distribution_for_module("hostnothing_here") == ("hostnothing_here", None)
    finally:
        distributions.clear_cache()


def test_own_package_is_listed_as_sacred_tui() -> None:
    assert core.host.distribution_for_module("core") == ("sacred-tui", importlib.metadata.version("sacred-tui"))


def test_version_lookup_needs_no_importlib_metadata_for_plain_names() -> None:
    import subprocess

    code = ("import sys, numpy\nfrom core.host import distribution_for_module as d\n"
            "print(d('numpy'), d('core'), d('pytest'), 'importlib.metadata' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    version = importlib.metadata.version
    assert out.stdout.split(") (")[0] == f"('numpy', '{version('numpy')}'"
    assert out.stdout.strip().endswith(f"('sacred-tui', '{version('sacred-tui')}') "
                                       f"('pytest', '{version('pytest')}') False")


def test_repeated_gathering_follows_changed_globals_and_files(project: dict[str, Any]) -> None:
    """Asked again for the same globals (every run of a process does), the answer follows what changed:
    a global rebound to another module, a source file edited, a source file removed."""
    base = project["base"]
    globs = {"Thing": project["hostmod_local"].Thing, "number": 1}

    def local_sources() -> dict[str, str]:
        sources, _ = gather_sources_and_dependencies(globs, str(base), None, "imported", "imported")
        return {os.path.relpath(s.filename, base): s.digest for s in sources}

    assert local_sources() == {"hostmod_local.py": md5_of(base / "hostmod_local.py")}
    assert local_sources() == {"hostmod_local.py": md5_of(base / "hostmod_local.py")}
    globs["number"] = 2  # another value, the same modules
    assert list(local_sources()) == ["hostmod_local.py"]
    globs["func"] = project["hostpkg_local.sub"].func
    assert sorted(local_sources()) == sorted(["hostmod_local.py", os.path.join("hostpkg_local", "__init__.py"),
                                              os.path.join("hostpkg_local", "sub.py")])
    del globs["func"]
    (base / "hostmod_local.py").write_text("class Thing:\n    pass\n# edited, longer\n")
    assert local_sources() == {"hostmod_local.py": md5_of(base / "hostmod_local.py")}
    (base / "hostmod_local.py").unlink()
    assert local_sources() == {}
