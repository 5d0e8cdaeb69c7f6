"""Sacred's ``sacred.utils``: the error classes, dotted-path helpers and small utilities scripts import."""
from __future__ import annotations

import logging
import re
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Union

from core.capture_output import apply_backspaces_and_linefeeds
from core.config.updates import (PATHCHANGE, convert_to_nested_dict, get_by_dotted_path, is_prefix,
                                 iterate_flattened, iterate_flattened_separately, recursive_update,
                                 set_by_dotted_path)
from core.optional import module_exists, modules_exist
from core.errors import (CircularDependencyError, ConfigAddedError, ConfigError, InvalidConfigError,
                         MissingConfigError, NamedConfigNotFoundError, ObserverError, SacredError,
                         SacredInterrupt, SignatureError, TimeoutInterrupt)

__all__ = [
    "NO_LOGGER", "PYTHON_IDENTIFIER", "CircularDependencyError", "ObserverError", "SacredInterrupt",
    "TimeoutInterrupt", "create_basic_stream_logger", "recursive_update", "iterate_flattened",
    "iterate_flattened_separately", "set_by_dotted_path", "get_by_dotted_path", "iter_prefixes", "join_paths",
    "is_prefix", "convert_to_nested_dict", "convert_camel_case_to_snake_case", "print_filtered_stacktrace",
    "optional_kwargs_decorator", "get_inheritors", "apply_backspaces_and_linefeeds", "rel_path", "IntervalTimer",
    "PathType", "ConfigAddedError", "ConfigError", "InvalidConfigError", "MissingConfigError",
    "NamedConfigNotFoundError", "SacredError", "SignatureError", "PATHCHANGE", "ensure_wellformed_argv",
    "format_filtered_stacktrace", "format_sacred_error", "is_non_empty_dict", "module_exists", "modules_exist",
    "module_is_in_cache", "parse_version", "get_package_version",
]

NO_LOGGER = logging.getLogger("ignore")
NO_LOGGER.disabled = True
PYTHON_IDENTIFIER = re.compile(r"^[a-zA-Z_][_a-zA-Z0-9]*$")
PathType = Union[str, bytes, Path]


def iter_prefixes(path: str) -> Iterator[str]:
    """``"a.b.c"`` -> ``"a"``, ``"a.b"``, ``"a.b.c"``."""
    parts = path.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def join_paths(*parts: Any) -> str:
    """Join path parts with dots, leaving out empty ones."""
    return ".".join(str(part).strip(".") for part in parts if part)


def rel_path(base: str, path: str) -> str:
    """``path`` relative to the dotted path ``base`` (which must contain it)."""
    if base == path:
        return ""
    if not is_prefix(base, path):
        raise AssertionError(f"{base} not a prefix of {path}")
    return path[len(base):].strip(".")


def is_non_empty_dict(value: Any) -> bool:
    return isinstance(value, dict) and bool(value)


def convert_camel_case_to_snake_case(name: str) -> str:
    """``MyObserverName`` -> ``my_observer_name``."""
    spaced = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced).lower()


def create_basic_stream_logger() -> logging.Logger:
    """The root logger, at INFO, writing ``LEVEL - name - message`` lines to stderr (Sacred's default)."""
    from core.run_factory import basic_stream_logger
    return basic_stream_logger()


def format_filtered_stacktrace(filter_traceback: str = "default") -> str:
    """The current exception's traceback without this library's frames."""
    exc = sys.exc_info()[1]
    if exc is None:
        return ""
    if filter_traceback == "never":
        import traceback
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    from core.cli_runner import filtered_traceback_text
    return filtered_traceback_text(exc)


def print_filtered_stacktrace(filter_traceback: str = "default") -> None:
    print(format_filtered_stacktrace(filter_traceback), file=sys.stderr)


def format_sacred_error(error: SacredError, short_usage: str) -> str:
    """How the command line reports a SacredError: the usage (if asked for) and the message or traceback."""
    lines = []
    if getattr(error, "print_usage", False):
        lines.append(short_usage)
    if getattr(error, "print_traceback", False):
        if getattr(error, "filter_traceback", "default") == "never":
            import traceback
            lines.append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        else:
            from core.cli_runner import filtered_traceback_text
            lines.append(filtered_traceback_text(error))
    else:
        import traceback
        lines.append("".join(traceback.format_exception_only(type(error), error)).rstrip("\n"))
    return "\n".join(lines)


def optional_kwargs_decorator(decorator: Callable) -> Callable:
    """Let ``decorator(func, **options)`` be used as ``@decorator`` and as ``@decorator(**options)``."""
    import functools

    @functools.wraps(decorator)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]):
            return decorator(args[0])
        return lambda func: decorator(func, *args, **kwargs)
    return wrapper


def get_inheritors(cls: type) -> set[type]:
    """Every (indirect) subclass of ``cls``."""
    found: set[type] = set()
    pending = [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


def module_is_in_cache(modname: str) -> bool:
    return modname in sys.modules


def parse_version(version_string: str) -> Any:
    """A comparable version: packaging's ``Version`` when packaging is installed, else a tuple of numbers."""
    try:
        from packaging import version
    except ImportError:
        return tuple(int(part) for part in re.findall(r"\d+", version_string))
    return version.parse(version_string)


def get_package_version(name: str) -> Any:
    import importlib.metadata
    return parse_version(importlib.metadata.version(name))


def ensure_wellformed_argv(argv: Any) -> list[str]:
    """argv as a list of strings (``None`` is ``sys.argv``, a string is split like a shell)."""
    from core.commandline import split_argv
    return split_argv(argv)


class IntervalTimer(threading.Thread):
    """Calls ``func`` every ``interval`` seconds until its stop event is set; ``create`` gives both."""

    @classmethod
    def create(cls, func: Callable[[], Any], interval: float = 10) -> tuple[threading.Event, IntervalTimer]:
        stop_event = threading.Event()
        return stop_event, cls(stop_event, func, interval)

    def __init__(self, event: threading.Event, func: Callable[[], Any], interval: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.stopped = event
        self.func = func
        self.interval = interval

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.func()
        self.func()
