"""Runs the same script through real Sacred 0.8.7 and through ``core`` (imports rewritten).

``compat_compare`` compares the two outcomes.

What is compared, after removing what legitimately varies (times, ids of memory, hosts, digests of the two
differently-worded copies of a script): the exit code, stdout (colours compared as styles, not bytes), the
log lines on stderr, the last line of stderr when the run fails, and every file the observer wrote.
"""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

SCRIPTS = Path(__file__).parent / "scripts"
SERVER = Path(__file__).parent / "compat_forkserver.py"
LIBRARIES = ("sacred", "core")
OUR_EXTRA_FILES = {"metrics.jsonl", "process.json"}
OPTIONS_BLOCK = r"^Options:\n.*?\n\n"
"""For ``stdout_ignore``: the help's option descriptions are in our own words (and say what is not shipped)."""


@dataclass(frozen=True)
class Case:
    """One command line of one script.

    Attributes:
        name: the test id (also the name of its working folder).
        script: file name in ``scripts/``.
        argv: the arguments after the script name.
        files: more files from ``scripts/`` the script needs (helper modules, config files).
        env: extra environment variables for both runs.
        skip: parts not compared, with the reason kept in ``known``: any of ``stdout``, ``logs``, ``error``, ``files``,
            ``cout`` (the content of cout.txt).
        known: why something is skipped or allowed to differ (a deliberate fix listed in the README).
        stdout_ignore: regular expressions (multi-line, dot matches newlines) removed from both stdouts.
        git: ``"clean"`` or ``"dirty"``: the working folder is a git repository with the files committed
            (and, when dirty, the script changed afterwards).
        without_numpy: run in a new interpreter in which numpy cannot be imported (as if not installed).
    """

    name: str
    script: str
    argv: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    skip: frozenset[str] = frozenset()
    known: str = ""
    stdout_ignore: tuple[str, ...] = ()
    git: str = ""
    without_numpy: bool = False

    @property
    def seed_given(self) -> bool:
        """Whether the command line fixes the seed (else seeds are random and not compared)."""
        return any(arg.startswith("seed=") for arg in self.argv)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)


def rewrite_imports(text: str) -> str:
    """A migration: ``sacred`` imports become ``core`` imports; nothing else changes."""
    text = re.sub(r"^(\s*)from sacred(?=[.\s])", r"\1from core", text, flags=re.M)
    return re.sub(r"^(\s*)import sacred\b", r"\1import core as sacred", text, flags=re.M)


REGISTERED: list[Case] = []
"""Every case of the session; the test modules register theirs when imported, the fixture runs them all."""


def register(*cases: Case) -> list[Case]:
    """Add cases to the session's set (call at import time of a test module); returns them for parametrize."""
    names = {case.name for case in REGISTERED}
    for case in cases:
        if case.name in names:
            raise ValueError(f"two compat cases are named {case.name!r}")
        names.add(case.name)
    REGISTERED.extend(cases)
    return list(cases)


# ---------------------------------------------------------------------------------------------- running
class _Server:
    """One fork server process for one library."""

    def __init__(self, library: str) -> None:
        env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
        for name in ("FORCE_COLOR", "NO_COLOR", "COLUMNS", "PYTHONUNBUFFERED"):
            env.pop(name, None)
        self.process = subprocess.Popen([sys.executable, str(SERVER), library], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)

    def run(self, request: dict) -> int:
        if request.get("without_numpy"):
            return _run_without_numpy(request)
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server stopped (exit code {self.process.poll()})")
        return int(json.loads(answer)["code"])

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


_WITHOUT_NUMPY = ("import runpy, sys\n"
                  "sys.modules['numpy'] = None  # numpy cannot be imported, as if it were not installed\n"
                  "sys.argv = sys.argv[1:]\n"
                  "sys.path[0] = '.'\n"
                  "runpy.run_path(sys.argv[0], run_name='__main__')\n")


def _run_without_numpy(request: dict) -> int:
    """Run the request in a new interpreter (the fork servers have imported numpy already)."""
    env = dict(os.environ, PYTHONHASHSEED="0", **request["env"])
    for name in (*request["unset"], "PYTHONUNBUFFERED"):
        env.pop(name, None)
    with open(request["stdout"], "w") as out, open(request["stderr"], "w") as err:
        return subprocess.run([sys.executable, "-c", _WITHOUT_NUMPY, request["script"], *request["argv"]],
                              cwd=request["cwd"], env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                              timeout=request["timeout"]).returncode


def _prepare(case: Case, library: str, root: Path) -> Path:
    folder = root / library / case.name
    folder.mkdir(parents=True)
    for name in (case.script, *case.files):
        source = SCRIPTS / name
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
            continue
        text = source.read_text() if source.suffix == ".py" else None
        if text is not None and library == "core":
            text = rewrite_imports(text)
        if text is None:
            shutil.copyfile(source, target)
        else:
            target.write_text(text)
    if library == "core":
        for path in folder.rglob("*.py"):
            path.write_text(rewrite_imports(path.read_text()))
    if case.git:
        _make_repository(folder, dirty_file=folder / case.script if case.git == "dirty" else None)
    return folder


def _make_repository(folder: Path, dirty_file: Path | None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="compat", GIT_AUTHOR_EMAIL="compat@example.org",
               GIT_COMMITTER_NAME="compat", GIT_COMMITTER_EMAIL="compat@example.org")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "experiment"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)
    if dirty_file is not None:
        with dirty_file.open("a") as handle:
            handle.write("# changed after the commit\n")


def _request(case: Case, library: str, folder: Path) -> dict:
    env = dict(case.env)
    unset = []
    if library == "core":
        env["FORCE_COLOR"] = "1"  # Sacred always colours; we do only on a terminal or when asked
    else:
        unset.append("FORCE_COLOR")
    return {"script": case.script, "argv": list(case.argv), "cwd": str(folder), "env": env, "unset": unset,
            "stdout": str(folder / ".stdout"), "stderr": str(folder / ".stderr"), "timeout": 60,
            "without_numpy": case.without_numpy}


def _collect(case: Case, folder: Path, code: int) -> Outcome:
    stdout = (folder / ".stdout").read_text(errors="replace")
    stderr = (folder / ".stderr").read_text(errors="replace")
    inputs = {case.script, *case.files}
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if (not path.is_file() or relative in (".stdout", ".stderr") or "__pycache__" in relative
                or relative.startswith(".git/")):
            continue
        if relative in inputs or any(relative.startswith(name + "/") for name in inputs):
            continue
        files[relative] = path.read_bytes()
    return Outcome(code, stdout, stderr, folder, files)


def run_cases(cases: Iterable[Case], root: Path, workers_per_library: int = 2) -> dict[str, dict[str, Outcome]]:
    """Run every case with both libraries (``workers_per_library`` fork servers each); outcomes by case name."""
    cases = [case for case in cases if not case.git or shutil.which("git")]  # the others are skipped
    results: dict[str, dict[str, Outcome]] = {case.name: {} for case in cases}
    jobs: queue.Queue = queue.Queue()
    for case in cases:
        for library in LIBRARIES:
            jobs.put((case, library, _prepare(case, library, root)))
    errors: list[BaseException] = []

    def work(library_order: tuple[str, ...]) -> None:
        servers = {library: _Server(library) for library in library_order}
        try:
            while True:
                try:
                    case, library, folder = jobs.get_nowait()
                except queue.Empty:
                    return
                code = servers[library].run(_request(case, library, folder))
                results[case.name][library] = _collect(case, folder, code)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            for server in servers.values():
                server.close()

    threads = [threading.Thread(target=work, args=(LIBRARIES,)) for _ in range(workers_per_library)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
