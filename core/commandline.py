"""Provides the command-line grammar: ``script.py [COMMAND] [with UPDATE...] [options]``, and help text.

Spellings are Sacred's (``--beat-interval``, ``--print-config``, ``--file_storage``) plus the ones its docs
use (``--beat_interval``, ``--print_config``). Unambiguous prefixes of long options are accepted.
"""
from __future__ import annotations

import difflib
import inspect
import os
import shlex
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

from core.errors import CommandLineError, UnsupportedObserverError


@dataclass(frozen=True)
class Option:
    """One command-line option; ``key`` is the long spelling recorded in ``meta.options``."""

    short: str | None
    key: str
    takes_value: bool
    help: str
    aliases: tuple[str, ...] = ()
    unsupported: str | None = None
    recorded: bool = True
    apply: Callable[[Any, Any], None] | None = None

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.key,) + self.aliases

    # Sacred's CLIOption interface
    @property
    def is_flag(self) -> bool:
        return not self.takes_value

    @property
    def arg(self) -> str | None:
        return "VALUE" if self.takes_value else None

    arg_description = None

    def get_flag(self) -> str:
        return self.key

    def get_short_flag(self) -> str | None:
        return self.short

    def get_flags(self) -> tuple[str | None, str]:
        return self.short, self.key

    def get_description(self) -> str:
        return self.help

    def usage(self) -> str:
        short = f"{self.short} " if self.short else ""
        if self.takes_value:
            return f"{short}VALUE {self.key}=VALUE" if self.short else f"{self.key}=VALUE"
        return f"{short}{self.key}"


def _unsupported(store: str) -> str:
    return (f"The {store} observer is not part of this package; only the file storage observer "
            f"(-F/--file_storage DIR) is available.")


BUILTIN_OPTIONS: tuple[Option, ...] = (
    Option("-b", "--beat-interval", True, "Set the heart-beat interval for this run in seconds (<= 0 disables it).",
           aliases=("--beat_interval",)),
    Option("-C", "--capture", True, "Control the way stdout and stderr are captured: no, sys or fd."),
    Option("-c", "--comment", True, "Add a comment to this run."),
    Option("-d", "--debug", False, "Set this run to debug mode: exceptions are raised unfiltered."),
    Option("-e", "--enforce_clean", False, "Fail if any version-controlled source file is dirty.",
           aliases=("--enforce-clean",)),
    Option("-F", "--file_storage", True, "Add a file-storage observer writing runs into the directory VALUE.",
           aliases=("--file-storage",)),
    Option("-f", "--force", False, "Disable warnings and errors about suspicious config changes."),
    Option("-h", "--help", False, "Print this help message and exit."),
    Option("-i", "--id", True, "Set the id for this run."),
    Option("-l", "--loglevel", True, "Set the log level: a number or a name (DEBUG, INFO, WARNING, ...)."),
    Option("-m", "--mongo_db", True, "Add a MongoDB observer (not available in this package).",
           unsupported=_unsupported("MongoDB")),
    Option("-n", "--name", True, "Set the name of this run (the experiment name recorded)."),
    Option("-D", "--pdb", False, "Automatically enter post-mortem debugging with pdb on failure."),
    Option("-p", "--print-config", False, "Always print the configuration first.", aliases=("--print_config",)),
    Option("-P", "--priority", True, "Set the priority of this run (a number)."),
    Option("-q", "--queue", False, "Only queue this run, do not start it."),
    Option("-S", "--s3", True, "Add an S3 observer (not available in this package).", unsupported=_unsupported("S3")),
    Option("-s", "--sql", True, "Add a SQL observer (not available in this package).", unsupported=_unsupported("SQL")),
    Option("-t", "--tiny_db", True, "Add a TinyDB observer (not available in this package).",
           unsupported=_unsupported("TinyDB")),
    Option("-u", "--unobserved", False, "Ignore all observers for this run."),
    Option(None, "--json", False, "print_config / print_named_configs: print machine-readable JSON.",
           recorded=False),
)


def default_options(options: tuple[Option, ...] = BUILTIN_OPTIONS) -> dict[str, Any]:
    """Every recorded option at its default (flags False, valued options None), as in ``meta.options``."""
    return {o.key: (None if o.takes_value else False) for o in options if o.recorded}


@dataclass
class ParsedCommandLine:
    """What the command line asked for."""

    command: str | None = None
    updates: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    help: bool = False
    help_command: str | None = None
    help_word: bool = False
    used_with: bool = False

    def meta_options(self) -> dict[str, Any]:
        """``meta.options`` as Sacred records it for a command-line run."""
        recorded = {k: v for k, v in self.options.items() if k != "--json"}
        recorded.update({"COMMAND": self.help_command if self.help_word else self.command,
                         "UPDATE": list(self.updates), "help": self.help_word, "with": self.used_with})
        return recorded


def split_argv(argv: list[str] | str | None) -> list[str]:
    """argv as a list; a string is shell-split; elements must be strings."""
    if argv is None:
        argv = sys.argv
    if isinstance(argv, str):
        argv = shlex.split(argv)
    else:
        for element in argv:
            if not isinstance(element, str):
                raise ValueError(f"argv must be a list of strings, got {element!r} of type {type(element).__name__}")
    return list(argv)


class _Parser:
    def __init__(self, options: tuple[Option, ...]) -> None:
        self.options = options
        self.by_short = {o.short: o for o in options if o.short}
        self.by_long = {s: o for o in options for s in o.spellings}
        self.shared_shorts: dict[str, list[str]] = {}
        """Short flags that more than one option claims (a custom option's letter taken already)."""
        for option in options:
            if option.short:
                self.shared_shorts.setdefault(option.short, []).append(option.key)
        self.shared_shorts = {short: keys for short, keys in self.shared_shorts.items() if len(keys) > 1}

    def find_long(self, name: str) -> Option:
        if name in self.by_long:
            return self.by_long[name]
        matches = {o.key: o for spelling, o in self.by_long.items() if spelling.startswith(name)}
        if len(matches) == 1:
            return next(iter(matches.values()))
        if len(matches) > 1:
            raise CommandLineError(f"Option '{name}' is ambiguous: it could be {', '.join(sorted(matches))}.")
        close = difflib.get_close_matches(name, list(self.by_long), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise CommandLineError(f"Unknown option '{name}'.{hint}")

    def parse(self, args: list[str]) -> ParsedCommandLine:
        parsed = ParsedCommandLine(options=default_options(self.options))
        positional: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg.startswith("--") and len(arg) > 2:
                name, eq, value = arg.partition("=")
                option = self.find_long(name)
                if option.takes_value and not eq:
                    if i >= len(args):
                        raise CommandLineError(f"Option '{option.key}' needs a value.")
                    value = args[i]
                    i += 1
                elif not option.takes_value and eq:
                    raise CommandLineError(f"Option '{option.key}' takes no value (got '{arg}').")
                self.set(parsed, option, value if option.takes_value else True)
            elif arg.startswith("-") and len(arg) > 1 and not _looks_like_number(arg) and not parsed.used_with:
                i = self.parse_short(parsed, arg, args, i)
            elif arg.startswith("-") and len(arg) > 1 and parsed.used_with and arg[1:2].isalpha():
                i = self.parse_short(parsed, arg, args, i)
            elif parsed.used_with:
                parsed.updates.append(arg)
            elif arg == "with":
                parsed.used_with = True
            else:
                positional.append(arg)
        self.assign_positional(parsed, positional)
        if parsed.used_with and not parsed.updates:
            raise CommandLineError("'with' must be followed by at least one UPDATE (key=value, a named config "
                                   "or a config file).")
        return parsed

    def parse_short(self, parsed: ParsedCommandLine, arg: str, args: list[str], i: int) -> int:
        letters = arg[1:]
        j = 0
        while j < len(letters):
            flag = "-" + letters[j]
            option = self.by_short.get(flag)
            if option is None:
                raise CommandLineError(f"Unknown option '{flag}' (in '{arg}').")
            if flag in self.shared_shorts:
                raise CommandLineError(f"Option '{flag}' is ambiguous: it is the short form of "
                                       f"{' and '.join(self.shared_shorts[flag])}; use the long form.")
            j += 1
            if option.takes_value:
                value = letters[j:]
                if not value:
                    if i >= len(args):
                        raise CommandLineError(f"Option '{flag}/{option.key}' needs a value.")
                    value = args[i]
                    i += 1
                self.set(parsed, option, value)
                break
            self.set(parsed, option, True)
        return i

    def set(self, parsed: ParsedCommandLine, option: Option, value: Any) -> None:
        if option.unsupported:
            raise UnsupportedObserverError(f"Option {option.short}/{option.key}: {option.unsupported}")
        parsed.options[option.key] = value

    def assign_positional(self, parsed: ParsedCommandLine, positional: list[str]) -> None:
        if positional[:1] == ["help"]:
            parsed.help = True
            parsed.help_word = True
            rest = positional[1:]
            if len(rest) > 1:
                raise CommandLineError(f"'help' takes at most one COMMAND, got {rest}.")
            parsed.help_command = rest[0] if rest else None
            return
        if len(positional) > 1:
            raise CommandLineError(f"Unexpected argument(s) {positional[1:]}: only one COMMAND may be given; "
                                   "config updates go after 'with'.")
        parsed.command = positional[0] if positional else None
        if parsed.options.get("--help"):
            parsed.help = True


def _looks_like_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_command_line(argv: list[str], options: tuple[Option, ...] = BUILTIN_OPTIONS) -> ParsedCommandLine:
    """Parse ``argv[1:]``; raises ``CommandLineError`` naming what was wrong."""
    return _Parser(options).parse(argv[1:])


def program_name(argv0: str, base_dir: str | None) -> str:
    """The script's name as the user would type it."""
    if not argv0:
        return "script.py"
    name = os.path.relpath(argv0, base_dir) if base_dir and os.path.isabs(argv0) else argv0
    return shlex.quote(name)


def format_usage(program: str) -> str:
    return ("Usage:\n"
            f"  {program} [(with UPDATE...)] [options]\n"
            f"  {program} help [COMMAND]\n"
            f"  {program} (-h | --help)\n"
            f"  {program} COMMAND [(with UPDATE...)] [options]\n")


def format_help(program: str, doc: str | None, commands: list[tuple[str, Callable]],
                options: tuple[Option, ...] = BUILTIN_OPTIONS) -> str:
    """The long help, laid out as Sacred's: usage, the script's docstring, options, arguments, commands."""
    option_lines = []
    for option in sorted(options, key=lambda o: o.key.lstrip("-").replace("-", "_")):
        description = textwrap.fill(option.help, width=79, initial_indent=" " * 32,
                                    subsequent_indent=" " * 32).strip()
        option_lines.append(f"  {option.usage():28}  {description}\n")
    command_text = ""
    if commands:
        width = max([len(name) for name, _ in commands] + [8])
        command_text = "\nCommands:\n" + "".join(f"  {name:{width}}  {first_doc_line(func)}\n"
                                                  for name, func in commands)
    return (f"{format_usage(program)}\n{doc.strip() if doc else ''}\n\nOptions:\n{''.join(option_lines)}\n\n"
            "Arguments:\n"
            "  COMMAND   Name of command to run (see below for list of commands)\n"
            "  UPDATE    Configuration assignments of the form foo.bar=17\n"
            f"\n{command_text}")


def first_doc_line(func: Any) -> str:
    doc = textwrap.dedent(getattr(func, "__doc__", None) or "").strip()
    return doc.split("\n")[0]


def format_command_help(name: str, func: Callable) -> str:
    """``help COMMAND``: the function's signature and docstring, or the comment above it, as pydoc shows them."""
    import pydoc
    import re
    original = inspect.unwrap(func)
    return re.sub(".\b", "", pydoc.text.document(original))


def cli_option(short: str, long: str, is_flag: bool = False) -> Callable:
    """Decorator for custom options: ``@cli_option("-o", "--own-flag")`` on ``f(args, run)``."""
    import re
    if not re.fullmatch(r"-\w", short):
        raise ValueError(f'Short option "{short}" must be a dash and one letter, e.g. "-o".')
    if not re.fullmatch(r"--[\w-]+\w", long):
        raise ValueError(f'Long option "{long}" must look like "--own-option".')

    def decorator(func: Callable) -> Callable:
        func.cli_option = Option(short, long, not is_flag, " ".join((func.__doc__ or "").split()),  # type: ignore
                                 apply=func)
        return func
    return decorator
