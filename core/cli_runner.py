"""Provides ``run_commandline``: parse argv, run the command, and turn errors into messages and exit codes.

User errors print one clear message (no traceback) and exit 1; failures of user code print a traceback
without this library's frames. Nothing is written to disk before the command line is valid.
"""
from __future__ import annotations

import sys
from typing import Any

from core.commandline import (format_command_help, format_help, format_usage, parse_command_line,
                              program_name, split_argv)
from core.errors import SacredError, SacredInterrupt
from core.run import Run, TerminatedInterrupt
import traceback

from core.tracebacks import format_filtered_exception, internal_origin

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_RECORD_INCOMPLETE = 74  # EX_IOERR: the run completed, but its record could not be fully written


def run_commandline(experiment: Any, argv: list[str] | str | None = None) -> Run | None:
    argv = split_argv(argv)
    program = program_name(argv[0] if argv else "", experiment.base_dir)
    debug = False
    try:
        parsed = parse_command_line(argv, experiment.all_options())
        debug = bool(parsed.options.get("--debug"))
        if not parsed.help_word:
            _check_command(experiment, program, parsed.command)
        if parsed.help:
            _print_help(experiment, program, parsed.help_command)
            sys.exit(0)
        from core.config.updates import parse_updates
        config_updates, named_configs = parse_updates(parsed.updates)
        run = experiment._create_run(parsed.command, config_updates, named_configs, None, None,
                                     parsed.options, cli_options=parsed.meta_options())
        if parsed.options.get("--print-config"):
            from core.commands import format_config, use_colour
            print(format_config(run.config_modifications, use_colour()))
            print("-" * 79)
        run()
        if run.record_problems:
            sys.exit(EXIT_RECORD_INCOMPLETE)
        return run
    except SystemExit:
        raise
    except SacredError as exc:
        if debug:
            raise
        _report_user_error(exc, program)
        sys.exit(1)
    except KeyboardInterrupt:
        if debug:
            raise
        _print_filtered(sys.exc_info()[1], blank_line=False)
        sys.exit(EXIT_INTERRUPTED)
    except TerminatedInterrupt as exc:
        _print_filtered(exc, blank_line=False)
        sys.exit(EXIT_TERMINATED)
    except SacredInterrupt as exc:
        if debug:
            raise
        _print_filtered(exc)
        sys.exit(1)
    except BaseException as exc:
        if debug:
            raise
        run = getattr(experiment, "current_run", None)
        if run is not None and run.pdb:
            import pdb
            pdb.post_mortem(exc.__traceback__)
        _print_filtered(exc)
        code = exc.code if isinstance(exc, SystemExit) else 1
        sys.exit(code if isinstance(code, int) else 1)


def _print_help(experiment: Any, program: str, command: str | None) -> None:
    commands = experiment.gather_all_commands()
    if command is None:
        print(format_help(program, experiment.doc, commands, experiment.all_options()))
        return
    found = dict(commands)
    if command not in found:
        _print_unknown_command(program, command, list(found))
        sys.exit(1)
    print(format_command_help(command, found[command]))


def _check_command(experiment: Any, program: str, command: str | None) -> None:
    """Exit with Sacred's usage error (on stdout) when there is no such command, or no command at all."""
    known = [name for name, _ in experiment.gather_commands()]
    if command is None and experiment.default_command is None:
        print(format_usage(program).rstrip("\n"))
        print("Error: No command found to be run. Specify a command or define main function. Available "
              f"commands are: {', '.join(known)}")
        sys.exit(1)
    if command is not None and command not in known:
        _print_unknown_command(program, command, known)
        sys.exit(1)


def _print_unknown_command(program: str, command: str, known: list[str]) -> None:
    """Sacred's usage error for an unknown command, on stdout as Sacred prints it, with a suggestion."""
    import difflib
    close = difflib.get_close_matches(command, known, n=1)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    print(format_usage(program).rstrip("\n"))
    print(f'Error: Command "{command}" not found. Available commands are: {", ".join(known)}{hint}')


def _report_user_error(exc: SacredError, program: str) -> None:
    if exc.print_usage:
        print(format_usage(program), file=sys.stderr)
    if exc.print_traceback:
        _print_filtered(exc)
        return
    message = str(exc)
    print(f"Error: {message}" if message else f"Error: {type(exc).__name__}", file=sys.stderr)
    if exc.print_usage:
        print(f"Run '{program} --help' for the options and commands.", file=sys.stderr)
    print(file=sys.stderr)  # Sacred's report of a user error ends with a blank line


FILTERED_HEADER = "Traceback (most recent calls WITHOUT Sacred internals):\n"
"""Sacred's header of a traceback without its frames (the frames left out are this library's)."""
INTERNAL_HEADER = "Exception originated from within Sacred.\nTraceback (most recent calls):\n"
"""Sacred's header of an error raised by the library itself (only the innermost frame is shown)."""


def filtered_traceback_text(exc: BaseException) -> str:
    """The traceback of ``exc`` (and of the exceptions it chains) without this library's frames; for an error
    the library raised itself, Sacred's short form: the innermost frame and the error, without a final newline."""
    origin = internal_origin(exc)
    if origin is not None:
        lines = traceback.format_exception(type(exc), exc, origin)
        return (INTERNAL_HEADER + "".join(lines[1:])).strip()
    lines = format_filtered_exception(exc)
    return "".join(FILTERED_HEADER if line == "Traceback (most recent call last):\n" else line for line in lines)


def _print_filtered(exc: BaseException | None, blank_line: bool = True) -> None:
    """Print the traceback as Sacred does, with ``print`` (a user error's report then ends with a blank line)."""
    if exc is None:
        return
    text = filtered_traceback_text(exc)
    if not blank_line:
        text = text.rstrip("\n")
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
