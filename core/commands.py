"""Provides the built-in commands: print_config, print_dependencies, save_config, print_named_configs.

Layouts follow Sacred's; ``--json`` gives the machine-readable forms tools (such as our UI) read.
"""
from __future__ import annotations

import inspect
import json
import os
import pprint
import sys
import textwrap
from typing import Any, Iterable

from core.config.summary import ConfigSummary

RED, GREEN, BLUE, DIM, RESET = "\x1b[31m", "\x1b[32m", "\x1b[34m", "\x1b[2m", "\x1b[0m"
COLOURS = {"typechanged": RED, "added": GREEN, "modified": BLUE}
COLOR_DIRTY, COLOR_TYPECHANGED, COLOR_ADDED, COLOR_MODIFIED, COLOR_DOC, ENDC = RED, RED, GREEN, BLUE, DIM, RESET
"""Sacred's names of the same escape codes."""
LEGEND = (f"({COLOR_MODIFIED}modified{ENDC}, {COLOR_ADDED}added{ENDC}, {COLOR_TYPECHANGED}typechanged{ENDC}, "
          f"{COLOR_DOC}doc{ENDC})")


def use_colour(stream: Any = None) -> bool:
    """Colour on a terminal or with FORCE_COLOR; never with NO_COLOR or when piped."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{colour}{text}{RESET}" if enabled and colour else text


def format_config(summary: ConfigSummary, colour: bool) -> str:
    """The ``print_config`` text: a legend, then the config walked level by level."""
    legend = ", ".join(_paint(name, COLOURS[name], colour) for name in ("modified", "added", "typechanged"))
    header = f"Configuration ({legend}, {_paint('doc', DIM, colour)}):"
    lines = [header]
    changed = summary.changed_paths()
    _format_level(summary.config, "", 0, summary, changed, colour, lines)
    return "\n".join(lines)


def _format_level(config: dict, path: str, depth: int, summary: ConfigSummary, changed: set[str],
                  colour: bool, lines: list[str]) -> None:
    indent = "  " + "  " * depth
    if "__doc__" in config:
        doc = str(config["__doc__"]).replace("\n", "\n" + indent)
        lines.append(_paint(f'{indent}"""{doc}"""', DIM, colour))
    leaves = sorted((k for k, v in config.items() if k != "__doc__" and not (isinstance(v, dict) and v)), key=str)
    branches = sorted((k for k, v in config.items() if isinstance(v, dict) and v), key=str)
    for key in leaves:
        full = f"{path}.{key}" if path else str(key)
        text = _with_doc(f"{indent}{key} = {pprint.PrettyPrinter().pformat(config[key])}", summary.docs.get(full),
                         colour)
        lines.append(_marked(text, summary.marker(full) if full in changed else None, colour))
    for key in branches:
        full = f"{path}.{key}" if path else str(key)
        lines.append(_marked(_with_doc(f"{indent}{key}:", summary.docs.get(full), colour),
                             "modified" if full in changed else None, colour))
        _format_level(config[key], full, depth + 1, summary, changed, colour, lines)


def _with_doc(text: str, doc: str | None, colour: bool) -> str:
    """An entry line with its comment doc, dimmed, in Sacred's column (35 characters) or after it."""
    if not doc:
        return text
    doc_text = _paint(f"# {doc}", DIM, colour)
    return f"{text:<35}  {doc_text}" if len(text) <= 35 else f"{text}    {doc_text}"


def _marked(text: str, marker: str | None, colour: bool) -> str:
    if not colour or marker is None:
        return text
    return f"{COLOURS[marker]}{text}{RESET}"


def format_named_configs(named: Iterable[tuple[str, Any]], colour: bool) -> str:
    """The ``print_named_configs`` text."""
    lines = [f"Named Configurations ({_paint('doc', DIM, colour)}):"]
    entries = list(named)
    if not entries:
        lines.append("  No named configs")
    for name, conf in entries:
        doc = getattr(conf, "__doc__", None)  # a scope's docstring as Python keeps it; None for a dict
        if doc is None:
            lines.append(f"  {name}")
        elif doc.strip().count("\n") == 0:
            lines.append(f"  {name}" + _paint(f"   # {doc.strip()}", DIM, colour))
        else:
            body = doc.replace("\n", "\n  ")
            lines.append(f"  {name}" + _paint(f'\n    """{body}"""', DIM, colour))
    return "\n".join(lines)


def named_config_doc(conf: Any) -> str | None:
    """A named config's doc for machine-readable output: a scope's docstring, or a dict's ``__doc__`` entry."""
    doc = getattr(conf, "doc", None) or getattr(conf, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def _command_doc(func: Any) -> str:
    return textwrap.dedent(getattr(func, "__doc__", None) or "").strip()


# ---------------------------------------------------------------------- the commands themselves
def print_config(_run: Any) -> None:
    """Print the updated configuration and exit.

    Text is colour-coded: modified blue, added green, type changed red, docs dim.
    With --json: the final config and, per dotted key, its markers and doc.
    """
    summary = _run.config_modifications
    if getattr(_run, "json_output", False):
        data = summary.to_json()
        data["named_configs"] = list(_run.meta_info.get("named_configs", []))
        data["command"] = _run.meta_info.get("command")
        print(json.dumps(data, sort_keys=True, indent=2, allow_nan=True))
        return
    print(format_config(summary, use_colour()))


def print_dependencies(_run: Any) -> None:
    """Print the detected source-files and dependencies."""
    from core import host
    print(host.format_dependencies(_run.experiment_info, use_colour()))


def save_config(_config: dict, _log: Any, config_filename: str = "config.json") -> None:
    """Store the updated configuration in a file.

    By default config.json; set another file with config_filename=FILE (.json, .yaml or .pickle).
    """
    from core.config.loaders import save_config_file
    from core.config.values import flatten
    config = {k: v for k, v in _config.items() if k != "config_filename"}
    _log.info('Saving config to "%s"', config_filename)
    save_config_file(flatten(config), config_filename)  # the JSON form in every format, as Sacred saves it


def print_named_configs(_run: Any) -> None:
    """Print the available named configs and exit.

    With --json: named configs and commands with their docs.
    """
    experiment = _run.experiment
    named = list(experiment.gather_named_configs())
    if getattr(_run, "json_output", False):
        data = {
            "named_configs": [{"name": n, "doc": named_config_doc(c)} for n, c in named],
            "commands": [{"name": n, "doc": _command_doc(f)} for n, f in experiment.gather_commands()],
            "default_command": experiment.default_command,
        }
        print(json.dumps(data, sort_keys=True, indent=2))
        return
    print(format_named_configs(named, use_colour()))


BUILTIN_COMMANDS = (print_config, print_dependencies, save_config, print_named_configs)


def help_for_command(command: Any) -> str:
    """The help text of a command: its signature and docstring (or the comment above it)."""
    from core.commandline import format_command_help
    return format_command_help(getattr(command, "__name__", ""), command)
