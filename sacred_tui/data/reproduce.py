"""Provides the command line that reproduces a stored run, rebuilt from its `meta` entry.

When the run was started from the command line, `meta.options` holds what was typed: the command
(`COMMAND`), every `with` argument in order (`UPDATE`, named configs included) and the options.
Those are used verbatim. Runs started with `ex.run()` have no such record, so the command line is
rebuilt from `meta.command`, `meta.named_configs` and `meta.config_updates` (values written as
Python literals, which Sacred parses back with `ast.literal_eval`). `--id` is left out (the run
directory exists already, reusing it fails), and so are `--help` and `--queue` (the point is to
run it).

So that the command gives the same result, the run's seed is added (``seed=N``, unless the run set
it itself), a runs folder given as a relative path is written as the absolute path of the folder
the run is in (the command starts with ``cd`` into the script's folder), and the interpreter is the
one the run used: from process.json, or one of the Python version the run's host recorded.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sacred_tui.data.config_diff import flatten_config

__all__ = ["Interpreter", "Reproduction", "choose_interpreter", "format_command", "python_version_of",
           "reproduce_argv", "reproduce_run", "run_seed"]

_SHORT_FLAGS = {
    "--beat-interval": "-b", "--capture": "-C", "--comment": "-c", "--debug": "-d",
    "--enforce_clean": "-e", "--file_storage": "-F", "--force": "-f", "--loglevel": "-l",
    "--mongo_db": "-m", "--name": "-n", "--pdb": "-D", "--print-config": "-p", "--priority": "-P",
    "--s3": "-S", "--sql": "-s", "--tiny_db": "-t", "--unobserved": "-u",
}
_NOT_REPEATED = {"--id", "--help", "--queue", "help", "with", "COMMAND", "UPDATE"}


def reproduce_argv(
    mainfile: str | None,
    meta_command: str | None,
    named_configs: Sequence[str] = (),
    config_updates: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    python: str = "python",
    *,
    seed: int | None = None,
    runs_dir: str | None = None,
) -> list[str]:
    """Argument list that runs the same command with the same configuration again.

    ``seed`` is added as ``seed=N`` unless the words set it; ``runs_dir`` replaces the value of
    ``-F`` (a relative runs folder only means something in the folder the run was started from).
    """
    options = dict(options or {})
    if runs_dir and options.get("--file_storage"):
        options["--file_storage"] = runs_dir
    argv = [python, mainfile or "<script>"]
    if "COMMAND" in options:
        command = options.get("COMMAND")
    else:
        command = meta_command if meta_command != "main" else None
    if command:
        argv.append(str(command))
    updates = options.get("UPDATE")
    if isinstance(updates, list):
        words = [str(word) for word in updates]
    else:
        words = [str(name) for name in named_configs]
        words += [f"{key}={value!r}" for key, value in flatten_config(config_updates or {})]
    if seed is not None and not any(word.partition("=")[0].strip() == "seed" for word in words):
        words.append(f"seed={seed}")
    if words:
        argv.append("with")
        argv.extend(words)
    argv.extend(_option_words(options))
    return argv


def _option_words(options: Mapping[str, Any]) -> list[str]:
    """Command-line words for the options that were set (falsy values were not applied by Sacred)."""
    words: list[str] = []
    for name in sorted(options):
        value = options[name]
        if name in _NOT_REPEATED or not name.startswith("-") or value in (None, False, ""):
            continue
        flag = _SHORT_FLAGS.get(name, name)
        words.append(flag)
        if value is not True:
            words.append(_option_value(value))
    return words


def _option_value(value: Any) -> str:
    """Write an option value as typed (priorities are stored as floats: 3.0 was typed as 3)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_command(argv: Sequence[str], base_dir: str | None = None) -> str:
    """Shell-quoted display form, prefixed by `cd <base_dir> &&` when the directory is known."""
    command = shlex.join(argv)
    if base_dir:
        return f"cd {shlex.quote(base_dir)} && {command}"
    return command


def run_seed(config: Mapping[str, Any] | None) -> int | None:
    """The seed a run used (``config["seed"]``), or None when it recorded none."""
    seed = (config or {}).get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


_VERSION = re.compile(r"^(\d+)\.(\d+)")


@lru_cache(maxsize=16)
def python_version_of(python: str) -> str | None:
    """``major.minor`` of an interpreter (asked once, in a subprocess; this one is known)."""
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        return f"{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        done = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.match(done.stdout.strip())
    return f"{found.group(1)}.{found.group(2)}" if done.returncode == 0 and found else None


@dataclass(frozen=True, slots=True)
class Interpreter:
    """The interpreter to run a run's script with, and how it was chosen (for the user)."""

    path: str
    why: str


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def choose_interpreter(recorded: str | None, host_version: str | None,
                       launcher: str | None = None) -> Interpreter:
    """The interpreter a run used, or the nearest one this machine has.

    Args:
        recorded: The interpreter process.json names (runs written by ``core``).
        host_version: ``host.python_version`` of run.json (``3.11.7``; real Sacred records only this).
        launcher: The interpreter the app launches runs with (``--python``).
    """
    if recorded and _runnable(recorded):
        return Interpreter(recorded, "the interpreter the run used")
    wanted = _VERSION.match(host_version or "")
    version = f"{wanted.group(1)}.{wanted.group(2)}" if wanted else None
    gone = f"the run used {recorded}, which is gone; " if recorded else ""
    if launcher and version and python_version_of(launcher) == version:
        return Interpreter(launcher, f"{gone}the launcher's Python {version}, as the run's host recorded")
    if version:
        name = f"python{version}"
        found = shutil.which(name)
        if found:
            return Interpreter(name, f"{gone}Python {version}, as the run's host recorded")
        return Interpreter(name, f"{gone}Python {version}, as the run's host recorded "
                                 f"(not found on this machine's PATH)")
    if launcher:
        return Interpreter(launcher, f"{gone}the launcher's interpreter (the run recorded none)")
    return Interpreter("python3", f"{gone}the run recorded no interpreter")


@dataclass(frozen=True, slots=True)
class Reproduction:
    """The command that runs a stored run again, to paste into a shell, and its parts."""

    command: str
    interpreter: Interpreter
    seed: int | None
    note: str = ""
    """What keeps the command from working here (the script's folder is not on this machine)."""


def reproduce_run(record: Any, config: Mapping[str, Any] | None, runs_dir: str | os.PathLike[str],
                  recorded_python: str | None = None, launcher: str | None = None) -> Reproduction:
    """The reproduce command of a run (a ``core.runs.RunRecord``) stored in ``runs_dir``."""
    interpreter = choose_interpreter(recorded_python, record.host.python_version, launcher)
    seed = run_seed(config)
    argv = reproduce_argv(record.mainfile, record.meta_command, record.named_configs,
                          record.config_updates, record.options, interpreter.path, seed=seed,
                          runs_dir=os.path.abspath(runs_dir))
    note = ""
    if record.base_dir and not os.path.isdir(record.base_dir):
        note = (f"{record.base_dir} is not on this machine: r re-runs a copy of the run's stored "
                f"sources instead.")
    return Reproduction(format_command(argv, record.base_dir), interpreter, seed, note)
