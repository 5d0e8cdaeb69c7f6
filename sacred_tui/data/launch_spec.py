"""Provides LaunchSpec, what to run (script, command, named configs, updates, options), and its argv.

The argument list is the only form a launch ever takes: every value the user typed becomes one
argv element, so text such as ``x; rm -rf ~`` reaches the script as a string and nothing else.
Option values are written as ``--long=VALUE`` so a value starting with ``-`` cannot be read as a
flag. The display form (``shlex.join``) is for people; it is never run through a shell.
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.config.updates import parse_updates
from core.errors import CommandLineError

__all__ = [
    "CAPTURE_MODES", "FLAG_OPTIONS", "VALUE_OPTIONS", "LaunchSpec", "check_option", "check_word",
    "format_argv", "malformed_value", "quote_word", "split_updates",
]

VALUE_OPTIONS: dict[str, str] = {
    "--comment": "-c", "--name": "-n", "--beat-interval": "-b", "--capture": "-C", "--priority": "-P",
    "--loglevel": "-l", "--mongo_db": "-m", "--sql": "-s", "--s3": "-S", "--tiny_db": "-t",
}
"""Options that take a value, by long name (the short form is what people know them by)."""

FLAG_OPTIONS: dict[str, str] = {
    "--force": "-f", "--debug": "-d", "--enforce_clean": "-e", "--print-config": "-p",
}
"""Options that are plain switches. ``--pdb``, ``--queue``, ``--unobserved``, ``--help`` and
``--id`` are left out on purpose: a launched run is observed, runs now and has a fresh id."""

CAPTURE_MODES = ("fd", "sys", "no")

_REFUSED = {
    "--file_storage": "the runs folder being browsed is always added as -F",
    "--id": "a launched run gets a new id (reusing one fails)",
    "--queue": "a launched run runs now",
    "--unobserved": "an unobserved run would not appear in the runs folder",
    "--pdb": "a launched run has no terminal to debug in",
    "--help": "help does not start a run",
}


def check_word(word: str, *, named: bool) -> str | None:
    """Why a ``with`` word cannot be passed (None when it can).

    ``named`` words are named configs or config files; the others must be ``KEY=VALUE``.
    A word may never start with ``-``: after ``with`` it would be read as an option.
    """
    text = word.strip()
    if not text:
        return "an empty word"
    if text.startswith("-"):
        return f"{text!r} starts with '-', which the command line would read as an option"
    if named:
        if "=" in text:
            return f"{text!r} is an update (KEY=VALUE), not a named config"
        return None
    if "=" not in text:
        return f"{text!r} is not an update: write KEY=VALUE, e.g. lr=0.1"
    try:
        parse_updates([text])
    except CommandLineError as exc:
        return str(exc)
    return None


_KEY_START = re.compile(r"[A-Za-z_][\w.]*=")
_OPENERS, _CLOSERS = "([{", ")]}"


def split_updates(text: str) -> list[str]:
    """Split pasted text into ``KEY=VALUE`` words: ``lr=0.07 eval_every=5`` gives two.

    Lines are split first. Within a line, whitespace separates words only outside quotes and
    brackets, and only before a ``KEY=`` (``msg=hello world`` and ``layers=[32, 16]`` stay whole).
    """
    words: list[str] = []
    for line in text.splitlines():
        pieces: list[str] = []
        current, depth, quote = "", 0, ""
        for char in line:
            if quote:
                current += char
                quote = "" if char == quote else quote
            elif char in "'\"":
                current, quote = current + char, char
            elif char in _OPENERS or char in _CLOSERS:
                depth = max(0, depth + (1 if char in _OPENERS else -1))
                current += char
            elif char.isspace() and depth == 0:
                if current:
                    pieces.append(current)
                current = ""
            else:
                current += char
        if current:
            pieces.append(current)
        line_words: list[str] = []
        for piece in pieces:
            if line_words and not _KEY_START.match(piece):
                line_words[-1] += " " + piece  # a value with spaces, not a new update
            else:
                line_words.append(piece)
        words.extend(line_words)
    return words


def malformed_value(word: str) -> str | None:
    """Why the value of ``KEY=VALUE`` looks like a literal but is not one (None when fine).

    Sacred passes such a value as text (``lr=[1,`` sets lr to the string ``'[1,'``), which is
    rarely what was meant.
    """
    key, _, value = word.partition("=")
    text = value.strip()
    if not text or not (text[0] in _OPENERS + "'\"" or text[-1] in _CLOSERS + "'\""):
        return None
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return (f"{key.strip()}={text} is not a Python literal (an unclosed bracket or quote?); "
                f"it would be passed as the text {text!r}")
    return None


def check_option(name: str, value: str | bool) -> str | None:
    """Why ``name=value`` cannot be passed as an option (None when it can)."""
    if name in _REFUSED:
        return f"{name} is not allowed here: {_REFUSED[name]}"
    if name in FLAG_OPTIONS:
        return None if isinstance(value, bool) else f"{name} is a switch (True/False), got {value!r}"
    if name not in VALUE_OPTIONS:
        if not (name.startswith("--") and len(name) > 2 and " " not in name):
            return f"unknown option {name!r}: options are long flags such as --comment"
        return None
    if isinstance(value, bool):
        return f"{name} needs a value, got {value!r}"
    if name == "--capture" and value not in CAPTURE_MODES:
        return f"--capture must be one of {', '.join(CAPTURE_MODES)}, got {value!r}"
    if name in ("--beat-interval", "--priority"):
        try:
            float(value)
        except ValueError:
            return f"{name} must be a number, got {value!r}"
    return None


@dataclass(frozen=True)
class LaunchSpec:
    """One experiment invocation: ``python SCRIPT [COMMAND] [with WORDS...] [OPTIONS] -F RUNS``."""

    script: Path
    """Absolute path of the experiment script; it runs in its own directory."""
    command: str | None = None
    """The command to run; None runs the default (main) command."""
    named_configs: tuple[str, ...] = ()
    """Named configs (or config files), applied in this order."""
    updates: tuple[str, ...] = ()
    """``KEY=VALUE`` words; they always win over named configs."""
    options: Mapping[str, str | bool] = field(default_factory=dict)
    """Long option name -> value (True for switches)."""
    python: str = sys.executable
    """The interpreter that runs the script."""

    @property
    def cwd(self) -> Path:
        """The directory the script runs in (its own)."""
        return self.script.parent

    def words(self) -> list[str]:
        """The ``with`` words: named configs first (in order), then updates."""
        return [*self.named_configs, *self.updates]

    def option_words(self) -> list[str]:
        """Options as argv elements: ``--flag`` or ``--long=VALUE`` (one element each)."""
        words: list[str] = []
        for name, value in self.options.items():
            if value is False or value is None or value == "":
                continue
            words.append(name if value is True else f"{name}={value}")
        return words

    def argv(self, runs_dir: str | os.PathLike[str] | None = None,
             head: Sequence[str] = ()) -> list[str]:
        """The argument list; ``head`` goes right after the script (e.g. ``print_config --json``)."""
        name = self.script.name
        argv = [self.python, name if not name.startswith("-") else str(self.script), *head]
        if self.command and not head:
            argv.append(self.command)
        words = self.words()
        if words:
            argv += ["with", *words]
        argv += self.option_words()
        if runs_dir is not None:
            argv += ["-F", os.path.abspath(runs_dir)]
        return argv

    def problems(self) -> list[str]:
        """Everything that would make the launch invalid, as readable sentences."""
        found: list[str] = []
        if not self.script.is_file():
            found.append(f"The script {str(self.script)!r} does not exist or is not a file.")
        if self.command is not None and (not self.command or self.command.startswith("-")
                                         or " " in self.command):
            found.append(f"Invalid command name {self.command!r}: a command is one word, e.g. main.")
        for word in self.named_configs:
            if (why := check_word(word, named=True)) is not None:
                found.append(f"Named config: {why}.")
        for word in self.updates:
            if (why := check_word(word, named=False)) is not None:
                found.append(f"Update: {why}")
        for name, value in self.options.items():
            if (why := check_option(name, value)) is not None:
                found.append(f"Option: {why}.")
        return found

    def with_changes(self, **changes: object) -> LaunchSpec:
        """A copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def create(cls, script: str | os.PathLike[str], command: str | None = None,
               named_configs: Iterable[str] = (), updates: Iterable[str] = (),
               options: Mapping[str, str | bool] | None = None,
               python: str | None = None) -> LaunchSpec:
        """Build a spec with the script made absolute and the sequences made tuples."""
        return cls(Path(os.path.abspath(script)), command or None, tuple(named_configs),
                   tuple(updates), dict(options or {}), python or sys.executable)


def quote_word(word: str) -> str:
    """Shell-quote one word for display; ``msg='hi'`` reads as ``"msg='hi'"``, not ``'msg='"'"'hi'"'"''``."""
    quoted = shlex.quote(word)
    if quoted != word and "'" in word and not any(char in word for char in '"$`\\!'):
        return f'"{word}"'
    return quoted


def format_argv(argv: Sequence[str], cwd: str | os.PathLike[str] | None = None) -> str:
    """The display form of an argument list: shell-quoted, prefixed by ``cd DIR &&``."""
    command = " ".join(quote_word(word) for word in argv)
    return f"cd {quote_word(str(cwd))} && {command}" if cwd is not None else command
