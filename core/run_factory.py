"""Provides ``create_run``: config assembly, captured-function wiring and run options in one place."""
from __future__ import annotations

import logging
from typing import Any

from core.capture import attach
from core.randomness import SeedChain, get_seed
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


def basic_stream_logger() -> logging.Logger:
    """The root logger as every run without ``ex.logger`` sets it up, like Sacred: level INFO and one
    handler writing ``LEVEL - name - message`` to stderr, in place of the handlers it had."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s - %(name)s - %(message)s"))
    root.handlers = [handler]
    return root


def _root_logger(experiment: Any, loglevel: Any) -> logging.Logger:
    root = experiment.logger if experiment.logger is not None else basic_stream_logger()
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
    run_logger = child_logger(experiment.logger, name)
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
    if options.get("--enforce_clean"):
        from core.host import enforce_clean
        enforce_clean(run.experiment_info)  # before anything starts, with or without observers, as Sacred
    for extra in experiment.all_options():
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
    """Give every captured function its config, logger, run and its place in its ingredient's seed chain."""
    from core.config.readonly import make_read_only
    from core.settings import SETTINGS
    chains = seed_chains(assembled)
    for scaffold in assembled.scaffolds:  # deepest first, the experiment last (it wins for shared functions)
        config = assembled.function_config(scaffold)
        if SETTINGS.CONFIG.READ_ONLY_CONFIG:
            config = make_read_only(config)
        for index, func in enumerate(scaffold.ingredient.captured_functions):
            name = f"{scaffold.path}.{func.__name__}" if scaffold.path else func.__name__
            logger = child_logger(logger_parent, name)
            attach(func, config, run, logger, chains[scaffold.path], index)


def child_logger(parent: logging.Logger | None, name: str) -> logging.Logger:
    """``parent.getChild(name)``, or ``logging.getLogger(name)`` without a parent; remembered while
    logging still holds the same logger under that name (every run asks for the same loggers)."""
    key = (parent, name)
    known = _loggers.get(key)
    if known is not None and known.manager.loggerDict.get(known.name) is known:
        return known
    logger = parent.getChild(name) if parent else logging.getLogger(name)
    if len(_loggers) >= 1024:
        _loggers.clear()
    _loggers[key] = logger
    return logger


_loggers: dict[tuple[logging.Logger | None, str], logging.Logger] = {}


def seed_chains(assembled: AssembledConfig) -> dict[str, SeedChain]:
    """Each ingredient's seed chain, seeded as Sacred seeds it.

    An ingredient's seed is its config's ``seed`` entry, else drawn from the generator of its parent (the
    experiment, or an ingredient whose path contains it), the parent's sub-ingredients in reverse order;
    an ingredient no such parent reaches gets a seed from ``random``. Nothing is drawn (and numpy is not
    imported) until a captured function asks for ``_seed`` or ``_rnd``.
    """
    drawn: dict[str, int] = {}

    def set_up(scaffold: Any, parent_rnd: Any) -> None:
        if scaffold.path in drawn:
            return
        seed = scaffold.config.get("seed")
        drawn[scaffold.path] = seed if seed is not None else get_seed(parent_rnd)
        own = SeedChain(drawn[scaffold.path])
        for sub in reversed(scaffold.subs):
            if not scaffold.path or sub.path.startswith(scaffold.path + "."):
                set_up(sub, own.rnd)

    def setup_seed(path: str) -> int:
        if not drawn:
            for scaffold in reversed(assembled.scaffolds):
                set_up(scaffold, None)
        return drawn[path]

    chains = {}
    for scaffold in assembled.scaffolds:
        if "seed" in scaffold.config:
            chains[scaffold.path] = SeedChain(scaffold.config["seed"])
        else:
            chains[scaffold.path] = SeedChain(lambda path=scaffold.path: setup_seed(path))
    return chains


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
