"""Provides ``Experiment``: the root ingredient with a main function, observers and a command line."""
from __future__ import annotations

import logging
import os
import sys
from typing import Any, Callable

from core.commandline import BUILTIN_OPTIONS, Option, default_options
from core.ingredient import Ingredient
from core.run import Run, current_run_required


_BUILTIN_HOST_KEYS = ("hostname", "os", "python_version", "cpu", "gpus", "ENV")


class Experiment(Ingredient):
    """An experiment: config, captured functions, commands, observers; ``ex.run()`` executes a command."""

    def __init__(self, name: str | None = None, ingredients: tuple | list = (), interactive: bool = False,
                 base_dir: str | None = None, additional_host_info: list | None = None,
                 additional_cli_options: list | None = None, save_git_info: bool = True) -> None:
        caller_file = sys._getframe(1).f_globals.get("__file__")
        if name is None:
            if interactive:
                raise RuntimeError("name is required in interactive mode.")
            if caller_file is None:
                raise RuntimeError("No main-file found. Are you running in interactive mode? "
                                   "If so please provide a name and set interactive=True.")
            name = os.path.basename(caller_file)
            for suffix in (".py", ".pyc"):
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
        super().__init__(path=name, ingredients=ingredients, interactive=interactive, base_dir=base_dir,
                         save_git_info=save_git_info, _caller_depth=2)
        self.observers: list = []
        self.captured_out_filter: Callable[[str], str] | None = None
        self.logger: logging.Logger | None = None
        self.current_run: Run | None = None
        self.default_command: str | None = None
        self.option_hooks: list[Callable] = []
        self.additional_host_info = {getattr(g, "name", getattr(g, "__name__", repr(g))): g
                                     for g in (additional_host_info or [])}
        clashing = [name for name in self.additional_host_info if name in _BUILTIN_HOST_KEYS]
        if clashing:
            raise KeyError(f"Key {clashing[0]} used in `additional_host_info` already exists as a default "
                           f"gatherer function. Do not use the following keys: {list(_BUILTIN_HOST_KEYS)}")
        self.additional_cli_options = [getattr(f, "cli_option", f) for f in (additional_cli_options or [])]
        from core.commands import BUILTIN_COMMANDS
        for command in BUILTIN_COMMANDS:
            captured = self.command(_fresh_copy(command), unobserved=True)
            captured.builtin = True  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ decorators
    def main(self, function: Callable) -> Callable:
        """Decorator: the default command."""
        captured = self.command(function)
        self.default_command = function.__name__
        return captured

    def automain(self, function: Callable) -> Callable:
        """Decorator: like ``main``, and run the command line when the script is executed directly."""
        if function.__module__ in ("__main__", "__mp_main__") and getattr(sys.modules.get("__main__"), "__file__",
                                                                           None) is None:
            raise RuntimeError("Cannot use @ex.automain decorator in interactive mode. Use @ex.main instead.")
        captured = self.main(function)
        if function.__module__ == "__main__":
            self.run_commandline()
        return captured

    def option_hook(self, function: Callable) -> Callable:
        """Decorator: ``hook(options)`` may inspect and change the command-line options before a run."""
        import inspect
        if "options" not in inspect.signature(function).parameters:
            raise KeyError(f"option_hook {function.__name__} must have a parameter named 'options'.")
        self.option_hooks.append(function)
        return function

    # ------------------------------------------------------------------ running
    def all_options(self) -> tuple[Option, ...]:
        """The built-in options, those of ``CommandLineOption`` subclasses (Sacred's older way, only when the
        script imported that module) and the experiment's ``additional_cli_options``."""
        legacy = sys.modules.get("core.commandline_options")
        subclassed = tuple(legacy.gather_command_line_options()) if legacy is not None else ()
        return BUILTIN_OPTIONS + subclassed + tuple(self.additional_cli_options)

    def run(self, command_name: str | None = None, config_updates: dict | None = None,
            named_configs: list[str] | tuple = (), info: dict | None = None, meta_info: dict | None = None,
            options: dict | None = None) -> Run:
        """Run a command (default: main) and return the finished ``Run``; errors are raised, never exit."""
        run = self._create_run(command_name, config_updates, named_configs, info, meta_info, options)
        run()
        return run

    def run_commandline(self, argv: list[str] | str | None = None) -> Run | None:
        """Run what ``argv`` asks for (``script.py [COMMAND] [with UPDATE...] [options]``); exits on errors."""
        from core.cli_runner import run_commandline
        return run_commandline(self, argv)

    def post_process_name(self, name: str, ingredient: Any) -> str:
        """The experiment's own commands and named configs are named without the experiment's name."""
        if ingredient is self:
            return name[len(self.path) + 1:]
        return name

    def get_default_options(self) -> dict:
        """Every command-line option at its default (flags False, others None), keyed as in ``meta.options``."""
        return default_options(self.all_options())

    def gather_all_commands(self) -> list[tuple[str, Callable]]:
        """Every command, as the help lists them: built-ins, the experiment's, then ingredients'."""
        return list(self.gather_commands())

    def _create_run(self, command_name: str | None = None, config_updates: dict | None = None,
                    named_configs: Any = (), info: dict | None = None, meta_info: dict | None = None,
                    options: dict | None = None, cli_options: dict | None = None) -> Run:
        from core.run_factory import create_run
        all_options = default_options(self.all_options())
        all_options.update(options or {})
        if cli_options is not None:
            all_options.update(cli_options)  # hooks see the whole command line (COMMAND, UPDATE ...), as in Sacred
        for hook in self.option_hooks:
            hook(options=all_options)
        recorded = None
        if cli_options is not None:  # what the hooks changed is recorded too
            recorded = {key: value for key, value in all_options.items() if key in cli_options}
        run = create_run(self, command_name, config_updates, list(named_configs), all_options,
                         cli_options=recorded)
        run.info.update(info or {})
        run.meta_info.update(meta_info or {})
        self.current_run = run
        return run

    # ------------------------------------------------------------------ shortcuts to the current run
    def open_resource(self, filename: str, mode: str = "r") -> Any:
        return current_run_required(self.current_run).open_resource(filename, mode)

    def add_resource(self, filename: str) -> None:
        current_run_required(self.current_run).add_resource(filename)

    def add_artifact(self, filename: str, name: str | None = None, metadata: dict | None = None,
                     content_type: str | None = None) -> None:
        current_run_required(self.current_run).add_artifact(filename, name, metadata, content_type)

    def log_scalar(self, name: str, value: Any, step: int | None = None) -> None:
        current_run_required(self.current_run).log_scalar(name, value, step)

    @property
    def info(self) -> dict:
        return current_run_required(self.current_run).info

    def get_usage(self, program_name: str | None = None) -> str:
        from core.commandline import format_usage, program_name as prog
        return format_usage(program_name or prog(sys.argv[0] if sys.argv else "", self.base_dir))


def _fresh_copy(function: Callable) -> Callable:
    """A new function object sharing ``function``'s code, so each experiment captures its own copy."""
    import functools
    import types
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    functools.update_wrapper(copy, function)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy



def gather_command_line_options(filter_disabled: bool | None = None) -> list[Option]:
    """The built-in command-line options, sorted by name (Sacred's helper)."""
    return sorted(BUILTIN_OPTIONS, key=lambda option: option.key.lstrip("-").replace("-", "_"))
