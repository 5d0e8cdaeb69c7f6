"""Runs the same script through real Sacred 0.8.7 and through ``core`` (imports rewritten) and compares them.

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


# ---------------------------------------------------------------------------------------------- comparing
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOURS = {"30": "black", "31": "red", "32": "green", "33": "yellow", "34": "blue", "35": "magenta",
            "36": "cyan", "37": "white", "39": None}


def colour_semantics(text: str) -> str:
    """Text with each change of style written as ``{red}``/``{dim}``/``{}``: equal styles compare equal."""
    out: list[str] = []
    colour: str | None = None
    dim = bold = False
    shown = ""
    position = 0
    for match in _SGR.finditer(text + "\x1b[m"):
        chunk = text[position:match.start()]
        if chunk:
            style = "{" + ",".join(x for x in (colour, "dim" if dim else "", "bold" if bold else "") if x) + "}"
            if style != shown:
                out.append(style)
                shown = style
            out.append(chunk)
        for code in (match.group(1) or "0").split(";"):
            code = code or "0"
            if code == "0":
                colour, dim, bold = None, False, False
            elif code == "1":
                bold = True
            elif code == "2":
                dim = True
            elif code == "22":
                dim = bold = False
            elif code in _COLOURS:
                colour = _COLOURS[code]
        position = match.end()
    result = "".join(out)
    return result[2:] if result.startswith("{}") else result


def normalise_text(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<WORK>")
    text = re.sub(r"\b[0-9a-f]{40}\b", "<sha>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<md5>", text)
    text = re.sub(r"\bafter \d+:\d\d:\d\d\b", "after <duration>", text)  # a loaded machine may take a second
    text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x?", text)
    text = re.sub(r"\b(sacred|core)(\.[a-z_]+)*\.(?=[A-Z]\w*(Error|Interrupt)\b)", "", text)
    return text


def _comparable_stdout(case: Case, outcome: Outcome) -> str:
    text = _random_seed_hidden(case, normalise_text(outcome.stdout, outcome.folder))
    for pattern in case.stdout_ignore:
        text = re.sub(pattern, "", text, flags=re.M | re.S)
    return text


def _random_seed_hidden(case: Case, text: str) -> str:
    return text if case.seed_given else re.sub(r"\bseed = \d+ *", "seed = <random> ", text)


def log_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if re.match(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) - ", line)]


def error_line(stderr: str) -> str:
    """The last line with text, marked when a blank line follows it (Sacred ends some reports so)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last + " <blank line>" if stderr.endswith("\n\n") else last


_VOLATILE_RUN_KEYS = ("start_time", "stop_time", "heartbeat", "host")
_MD5 = re.compile(r"[0-9a-f]{32}")


def _normalise_run_json(record: dict, folder: Path) -> dict:
    for key in _VOLATILE_RUN_KEYS:
        if key in record:
            record[key] = "<volatile>"
    experiment = record.get("experiment", {})
    for key in ("base_dir", "dependencies", "repositories"):
        if key in experiment:
            experiment[key] = "<volatile>"
    if "sources" in experiment:
        experiment["sources"] = json.loads(_MD5.sub("<md5>", json.dumps(experiment["sources"])))
    meta = record.get("meta", {})
    if "queue_time" in meta:
        meta["queue_time"] = "<volatile>"
    if "fail_trace" in record:
        record["fail_trace"] = [normalise_text(line, folder) for line in (record["fail_trace"] or [""])[-1:]]
    if "resources" in record:
        record["resources"] = json.loads(_MD5.sub("<md5>", json.dumps(record["resources"]).replace(
            str(folder), "<WORK>")))
    return record


def _normalise_metrics(metrics: dict) -> dict:
    for entry in metrics.values():
        if isinstance(entry, dict) and "timestamps" in entry:
            entry["timestamps"] = len(entry["timestamps"])
    return metrics


def normalise_files(case: Case, outcome: Outcome) -> dict[str, Any]:
    """File name (digests replaced) -> comparable content."""
    result: dict[str, Any] = {}
    for name, data in outcome.files.items():
        base = name.rsplit("/", 1)[-1]
        if base in OUR_EXTRA_FILES:
            continue
        key = _MD5.sub("<md5>", name)
        if name.endswith(".json"):
            try:
                value = json.loads(data.decode())
            except ValueError:
                result[key] = data
                continue
            if base == "run.json":
                value = _normalise_run_json(value, outcome.folder)
            elif base == "metrics.json":
                value = _normalise_metrics(value)
            elif base == "config.json" and not case.seed_given and isinstance(value, dict) and "seed" in value:
                value["seed"] = "<random>"
            result[key] = value
        elif name.endswith((".txt", ".py", ".yaml", ".html", ".csv")):
            text = normalise_text(data.decode(errors="replace"), outcome.folder)
            result[key] = rewrite_imports(text) if name.endswith(".py") else text
        else:
            result[key] = data
    return result


def differences(case: Case, sacred: Outcome, ours: Outcome) -> list[str]:
    """Every user-visible difference between the two outcomes, as readable lines (empty: the same)."""
    problems: list[str] = []
    if sacred.code != ours.code:
        problems.append(f"exit code: sacred {sacred.code}, core {ours.code}")
    if "stdout" not in case.skip:
        theirs = colour_semantics(_comparable_stdout(case, sacred))
        mine = colour_semantics(_comparable_stdout(case, ours))
        if theirs != mine:
            problems.append(f"stdout differs:\n--- sacred\n{theirs}\n--- core\n{mine}")
    if "logs" not in case.skip:
        theirs_logs = [normalise_text(line, sacred.folder) for line in log_lines(sacred.stderr)]
        my_logs = [normalise_text(line, ours.folder) for line in log_lines(ours.stderr)]
        if theirs_logs != my_logs:
            problems.append("log lines differ:\n--- sacred\n" + "\n".join(theirs_logs) + "\n--- core\n"
                            + "\n".join(my_logs))
    if "error" not in case.skip and sacred.code != 0:
        theirs_error = normalise_text(error_line(sacred.stderr), sacred.folder)
        my_error = normalise_text(error_line(ours.stderr), ours.folder)
        if theirs_error != my_error:
            problems.append(f"error line: sacred {theirs_error!r}, core {my_error!r}")
    if "files" not in case.skip:
        problems += _file_differences(case, normalise_files(case, sacred), normalise_files(case, ours))
    return problems


def _contains_lines(whole: str, part: str) -> bool:
    """Every line of ``part`` is in ``whole`` (as often). Order across stdout and stderr is not compared:
    when the two streams go to different files each library interleaves them only approximately."""
    from collections import Counter
    return not Counter(part.splitlines()) - Counter(whole.splitlines())


def _file_differences(case: Case, theirs: dict[str, Any], mine: dict[str, Any]) -> list[str]:
    problems = []
    if sorted(theirs) != sorted(mine):
        problems.append(f"files: sacred {sorted(theirs)}, core {sorted(mine)}")
    for name in sorted(set(theirs) & set(mine)):
        if theirs[name] == mine[name]:
            continue
        if name.endswith("cout.txt") and ("cout" in case.skip or _contains_lines(mine[name], theirs[name])):
            continue  # Sacred loses output its capture had not read yet; ours is complete
        shown_theirs = json.dumps(theirs[name], indent=1, sort_keys=True, default=repr)
        shown_mine = json.dumps(mine[name], indent=1, sort_keys=True, default=repr)
        problems.append(f"{name} differs:\n--- sacred\n{shown_theirs}\n--- core\n{shown_mine}")
    return problems


def assert_same(case: Case, outcomes: dict[str, dict[str, Outcome]]) -> None:
    """Fail with every difference between Sacred's and our outcome of ``case``."""
    if case.name not in outcomes:
        import pytest
        pytest.skip("this case needs git, which is not installed")
    outcome = outcomes[case.name]
    problems = differences(case, outcome["sacred"], outcome["core"])
    assert not problems, f"{case.name}: " + "\n\n".join(problems)
