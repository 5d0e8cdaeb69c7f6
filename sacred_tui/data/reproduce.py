"""Provides the command line that reproduces a stored run, rebuilt from its `meta` entry.

When the run was started from the command line, `meta.options` holds what was typed: the command
(`COMMAND`), every `with` argument in order (`UPDATE`, named configs included) and the options.
Those are used verbatim. Runs started with `ex.run()` have no such record, so the command line is
rebuilt from `meta.command`, `meta.named_configs` and `meta.config_updates` (values written as
Python literals, which Sacred parses back with `ast.literal_eval`). `--id` is left out (the run
directory exists already, reusing it fails), and so are `--help` and `--queue` (the point is to
run it).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from sacred_tui.data.config_diff import flatten_config

__all__ = ["format_command", "reproduce_argv"]

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
) -> list[str]:
    """Argument list that runs the same command with the same configuration again."""
    options = options or {}
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
