"""Provides what a script offers (commands, named configs, default config) and config previews.

Both are learnt by running the script in a subprocess with ``print_named_configs --json`` and
``print_config --json [with ...]``: user code is never imported into the app. A script that does
not answer (syntax error, missing module, not an experiment, too slow) gives a ProbeError that
carries the script's own stderr.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sacred_tui.data.launch_spec import LaunchSpec, format_argv

__all__ = [
    "ConfigPreview", "Documented", "EntryMarks", "ProbeError", "ScriptInterface", "extract_json", "imports_sacred",
    "preview_config", "read_interface", "summarize_stderr",
]

DEFAULT_TIMEOUT = 20.0
_ERROR_WORDS = ("Error", "Exception", "error:", "Interrupt")


class ProbeError(Exception):
    """The script could not tell its interface or config; ``stderr`` is its own error output."""

    def __init__(self, summary: str, stderr: str = "", command: str = "") -> None:
        super().__init__(summary)
        self.summary = summary
        self.stderr = stderr
        self.command = command

    def details(self) -> str:
        """The summary, the command that was run and the script's stderr, for display."""
        parts = [self.summary]
        if self.command:
            parts.append(f"$ {self.command}")
        if self.stderr.strip():
            parts.append(self.stderr.rstrip())
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Documented:
    """A named thing with its docstring (a command or a named config)."""

    name: str
    doc: str = ""

    @property
    def first_line(self) -> str:
        """The first line of the doc, for lists."""
        return self.doc.strip().partition("\n")[0]


@dataclass(frozen=True, slots=True)
class EntryMarks:
    """What print_config says about one dotted key: its doc and how the run changed it."""

    doc: str = ""
    added: bool = False
    modified: bool = False
    typechanged: tuple[str, str] | None = None


@dataclass(slots=True)
class ConfigPreview:
    """The config a run would get, with the added / modified / type-changed marks per key."""

    config: dict[str, Any]
    entries: dict[str, EntryMarks] = field(default_factory=dict)
    named_configs: list[str] = field(default_factory=list)

    def keys(self) -> list[str]:
        """Every dotted key (dicts and leaves), sorted: what an update may name."""
        found: list[str] = []

        def walk(node: Mapping[str, Any], prefix: str) -> None:
            for key, value in node.items():
                if key == "__doc__":
                    continue
                path = f"{prefix}{key}"
                found.append(path)
                if isinstance(value, Mapping):
                    walk(value, path + ".")

        walk(self.config, "")
        return sorted(found)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConfigPreview:
        """Read the object printed by ``print_config --json``."""
        config = data.get("config")
        if not isinstance(config, dict):
            raise ValueError("print_config --json printed no 'config' object")
        entries = {}
        for key, marks in (data.get("entries") or {}).items():
            if not isinstance(marks, Mapping):
                continue
            change = marks.get("typechanged")
            entries[str(key)] = EntryMarks(
                str(marks.get("doc") or ""), bool(marks.get("added")), bool(marks.get("modified")),
                (str(change[0]), str(change[1])) if isinstance(change, list) and len(change) == 2 else None)
        named = data.get("named_configs")
        return cls(config, entries, [str(n) for n in named] if isinstance(named, list) else [])


@dataclass(slots=True)
class ScriptInterface:
    """The commands, named configs and default config of one script."""

    script: Path
    commands: list[Documented]
    default_command: str | None
    named_configs: list[Documented]
    defaults: ConfigPreview

    def named_config(self, name: str) -> Documented | None:
        """The named config called ``name``, if the script has one."""
        return next((item for item in self.named_configs if item.name == name), None)

    def user_commands(self) -> list[Documented]:
        """Commands worth launching: the default first, then the script's own (no built-ins)."""
        builtins = {"print_config", "print_dependencies", "save_config", "print_named_configs"}
        own = [c for c in self.commands if c.name not in builtins]
        own.sort(key=lambda c: c.name != self.default_command)
        return own


def extract_json(stdout: str) -> dict[str, Any]:
    """The JSON object a probe printed, even when the script printed other lines before it."""
    decoder = json.JSONDecoder()
    start = 0
    while True:
        index = stdout.find("{", start)
        if index < 0:
            break
        if index == 0 or stdout[index - 1] == "\n":
            try:
                value, _ = decoder.raw_decode(stdout, index)
            except ValueError:
                value = None
            if isinstance(value, dict):
                return value
        start = index + 1
    raise ValueError("no JSON object in the output")


def summarize_stderr(stderr: str) -> str:
    """The line of a script's stderr that says what went wrong (the last error-looking line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if any(word in line for word in _ERROR_WORDS) and not line.startswith(("INFO", "WARNING")):
            return line
    return lines[-1] if lines else ""


def _run(argv: Sequence[str], cwd: Path, timeout: float) -> str:
    command = format_argv(argv, cwd)
    env = dict(os.environ)
    env.pop("PYTHONINSPECT", None)
    try:
        done = subprocess.run(list(argv), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        stderr = (exc.stderr or b"").decode("utf-8", errors="replace")
        raise ProbeError(f"The script did not answer within {timeout:g} s (does it do work at import "
                         f"time?).", stderr, command) from None
    except OSError as exc:
        raise ProbeError(f"Cannot run the interpreter {argv[0]!r}: {exc.strerror or exc}. "
                         f"Choose another with --python.", "", command) from None
    stdout = done.stdout.decode("utf-8", errors="replace")
    stderr = done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0:
        reason = summarize_stderr(stderr) or f"exit code {done.returncode}"
        raise ProbeError(f"The script failed: {reason}", stderr, command)
    return _json_text(stdout, stderr, command)


def _json_text(stdout: str, stderr: str, command: str) -> Any:
    try:
        return extract_json(stdout)
    except ValueError:
        raise ProbeError("The script printed no JSON: is it an experiment built with core "
                         "(from core import Experiment) whose file ends in ex.run_commandline() or "
                         "uses @ex.automain?", stderr or stdout[-2000:], command) from None


def _documented(items: Any) -> list[Documented]:
    if not isinstance(items, list):
        return []
    return [Documented(str(item.get("name")), str(item.get("doc") or ""))
            for item in items if isinstance(item, Mapping) and item.get("name")]


_SACRED_IMPORT = re.compile(r"^\s*(from\s+sacred[\s.]|import\s+sacred\b)", re.MULTILINE)


def imports_sacred(script: str | os.PathLike[str]) -> bool:
    """Whether a script imports Sacred itself (``from sacred import ...``)."""
    try:
        text = Path(script).read_text(errors="replace")
    except OSError:
        return False
    return _SACRED_IMPORT.search(text) is not None


def _explained(exc: ProbeError, script: Path) -> ProbeError:
    """A failed probe of a script built with Sacred itself, which has no ``--json``: say so."""
    if not imports_sacred(script):
        return exc
    return ProbeError(f"{script.name} builds its experiment with Sacred itself, which cannot print its "
                      f"commands and config as JSON, so the launcher cannot list or preview them. Tick -f "
                      f"to launch it as composed, or change its imports to `from core import Experiment` "
                      f"for the full launcher.", exc.stderr, exc.command)


def read_interface(script: str | os.PathLike[str], python: str,
                   timeout: float = DEFAULT_TIMEOUT) -> ScriptInterface:
    """Ask ``script`` (in a subprocess) for its commands, named configs and default config."""
    path = Path(os.path.abspath(script))
    if not path.is_file():
        raise ProbeError(f"The script {str(path)!r} does not exist or is not a file.")
    spec = LaunchSpec.create(path, python=python)
    try:
        named = _run(spec.argv(head=("print_named_configs", "--json")), path.parent, timeout)
        defaults = _run(spec.argv(head=("print_config", "--json")), path.parent, timeout)
    except ProbeError as exc:
        raise _explained(exc, path) from None
    try:
        preview = ConfigPreview.from_json(defaults)
    except ValueError as exc:
        raise ProbeError(f"Unexpected print_config output: {exc}") from None
    default = named.get("default_command")
    return ScriptInterface(path, _documented(named.get("commands")),
                           str(default) if default else None, _documented(named.get("named_configs")),
                           preview)


def preview_config(spec: LaunchSpec, timeout: float = DEFAULT_TIMEOUT) -> ConfigPreview:
    """Run ``print_config --json`` with the spec's words and options; ProbeError when it fails."""
    try:
        data = _run(spec.argv(head=("print_config", "--json")), spec.cwd, timeout)
    except ProbeError as exc:
        raise _explained(exc, spec.script) from None
    try:
        return ConfigPreview.from_json(data)
    except ValueError as exc:
        raise ProbeError(f"Unexpected print_config output: {exc}") from None
