"""Provides ``create_run``: config assembly, captured-function wiring and run options in one place."""
from __future__ import annotations

import logging
import random
from typing import Any

from core.capture import draw_seed
from core.config.assemble import AssembledConfig, assemble_config
from core.errors import CommandNotFoundError, CommandLineError
from core.run import Run

CAPTURE_MODES = ("fd", "no", "sys")


def find_command(experiment: Any, command_name: str | None) -> tuple[str, Any]:
    """The command function for ``command_name`` (default: the main function)."""
    commands = dict(experiment.gather_commands())
    if command_name is None:
        command_name = experiment.default_command
        if command_name is None:
            raise RuntimeError("No command found to be run. Specify a command or define a main function.")
    if command_name not in commands:
        import difflib
        close = difflib.get_close_matches(command_name, list(commands), n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise CommandNotFoundError(f'Command "{command_name}" not found. Available commands are: '
                                   f'{", ".join(commands)}.{hint}', print_usage=True)
    return command_name, commands[command_name]


def _root_logger(experiment: Any, loglevel: Any) -> logging.Logger:
    root = logging.getLogger()
    if experiment.logger is None and not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s - %(name)s - %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    if loglevel:
        level = _parse_loglevel(loglevel)
        (experiment.logger or root).setLevel(level)
    return experiment.logger or root


def _parse_loglevel(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        level = logging.getLevelName(str(value).upper())
        if isinstance(level, int):
            return level
    raise CommandLineError(f"Unknown log level {value!r}: use a number or one of DEBUG, INFO, WARNING, ERROR, "
                           "CRITICAL.")


def create_run(experiment: Any, command_name: str | None, config_updates: dict | None,
               named_configs: list[str], options: dict, cli_options: dict | None = None) -> Run:
    """Build a ready-to-start ``Run``; nothing is written anywhere yet."""
    command_name, command = find_command(experiment, command_name)
    _validate_options(options)
    root_logger = _root_logger(experiment, options.get("--loglevel"))
    assembled = assemble_config(experiment, command_name, config_updates, named_configs,
                                logger=root_logger, force=bool(options.get("--force")))
    name = options.get("--name") or experiment.path
    run_logger = (experiment.logger or logging.getLogger()).getChild(name) if experiment.logger \
        else logging.getLogger(name)
    observers = list(experiment.observers)
    if options.get("--file_storage"):
        from core.observers import FileStorageObserver
        observers.append(FileStorageObserver(options["--file_storage"]))
    from core.run_info import experiment_info_for, host_info_for
    pre_hooks, post_hooks = _hooks(experiment)
    run = Run(config=assembled.config, config_modifications=assembled.summary, main_function=command,
              observers=observers, root_logger=root_logger, run_logger=run_logger,
              experiment_info=lambda: experiment_info_for(experiment, name),
              host_info=lambda: host_info_for(experiment), pre_run_hooks=pre_hooks, post_run_hooks=post_hooks,
              captured_out_filter=experiment.captured_out_filter)
    run.experiment = experiment
    run.json_output = bool(options.get("--json"))
    _wire_captured_functions(assembled, run, logger_parent=experiment.logger)
    _apply_options(run, options, command)
    meta_options = cli_options if cli_options is not None else {k: v for k, v in options.items() if k != "--json"}
    run.meta_info = {"command": command_name, "options": meta_options, "named_configs": list(named_configs),
                     "config_updates": config_updates or {}}
    if options.get("--comment"):
        run.meta_info["comment"] = options["--comment"]
    if options.get("--priority") is not None and options.get("--priority") is not False:
        run.meta_info["priority"] = _parse_priority(options["--priority"])
    for extra in experiment.additional_cli_options:
        value = options.get(extra.key)
        if value and extra.apply is not None:
            extra.apply(value, run)
    return run


def _hooks(experiment: Any) -> tuple[list, list]:
    ordered = sorted(experiment.traverse_ingredients(), key=lambda pair: -pair[1])
    seen: set[int] = set()
    pre, post = [], []
    for ingredient, _ in ordered:
        if id(ingredient) in seen:
            continue
        seen.add(id(ingredient))
        pre.extend(ingredient.pre_run_hooks)
        post.extend(ingredient.post_run_hooks)
    return pre, post


def _wire_captured_functions(assembled: AssembledConfig, run: Run, logger_parent: Any) -> None:
    """Give every captured function its config, logger, run and a seeded generator."""
    from core.config.readonly import make_read_only
    from core.settings import SETTINGS
    root_rnd = random.Random(assembled.config["seed"])
    for scaffold in reversed(assembled.scaffolds):
        scaffold_rnd = random.Random(draw_seed(root_rnd))
        config = assembled.function_config(scaffold)
        if SETTINGS.CONFIG.READ_ONLY_CONFIG:
            config = make_read_only(config)
        for func in scaffold.ingredient.captured_functions:
            state = func._capture_state
            state.config = config
            state.run = run
            state.rnd = random.Random(draw_seed(scaffold_rnd))
            name = f"{scaffold.path}.{func.__name__}" if scaffold.path else func.__name__
            state.logger = logger_parent.getChild(name) if logger_parent else logging.getLogger(name)


def _validate_options(options: dict) -> None:
    capture = options.get("--capture")
    if capture and capture not in CAPTURE_MODES:
        raise CommandLineError(f"Unknown capture mode {capture!r}. Available options are {list(CAPTURE_MODES)}.")
    beat = options.get("--beat-interval")
    if beat not in (None, False):
        try:
            float(beat)
        except (TypeError, ValueError):
            raise CommandLineError(f"The beat interval must be a number of seconds, got {beat!r}.") from None
    if options.get("--priority") not in (None, False):
        _parse_priority(options["--priority"])


def _parse_priority(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CommandLineError(f"The PRIORITY argument must be a number! (but was {value!r})") from None


def _apply_options(run: Run, options: dict, command: Any) -> None:
    if options.get("--beat-interval") not in (None, False):
        run.beat_interval = float(options["--beat-interval"])
    run.capture_mode = options.get("--capture") or None
    run.debug = bool(options.get("--debug"))
    run.pdb = bool(options.get("--pdb"))
    run.force = bool(options.get("--force"))
    run.queue_only = bool(options.get("--queue"))
    run.unobserved = bool(options.get("--unobserved")) or bool(getattr(command, "unobserved", False))
    if options.get("--id"):
        run._id = options["--id"]
