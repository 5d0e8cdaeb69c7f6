"""One exception tree for the library, with Sacred's class names, constructor signatures and defaults.

Messages name the key, what was expected, the value that was given and, where possible, a fix.
Errors that are the user's fault (bad command line, bad config) derive from :class:`SacredError`. The
command line prints such an error as one message, or, when its ``print_traceback`` is set, as a traceback
without this library's frames; the defaults per class are Sacred's (an error a script raises itself, e.g.
``InvalidConfigError``, shows where it was raised), and the errors this library raises about a bad command
line, config file or key are one clear message.
"""
from __future__ import annotations

from typing import Any

_FILTER_CHOICES = ("always", "default", "never")


class SacredError(Exception):
    """Base class of all errors the library raises on purpose.

    ``print_usage``: the command line prints the short usage before the message.
    ``print_traceback``: the command line prints the (filtered) traceback instead of only the message;
    None takes the class's default (``PRINT_TRACEBACK``).
    """

    PRINT_TRACEBACK = True

    def __init__(self, message: Any = "", print_traceback: bool | None = None, filter_traceback: str = "default",
                 print_usage: bool = False) -> None:
        super().__init__(message)
        if filter_traceback not in _FILTER_CHOICES:
            raise ValueError(f"filter_traceback must be one of {', '.join(map(repr, _FILTER_CHOICES))}, "
                             f"not {filter_traceback!r}")
        self.print_traceback = type(self).PRINT_TRACEBACK if print_traceback is None else print_traceback
        self.filter_traceback = filter_traceback
        self.print_usage = print_usage


class ConfigError(SacredError):
    """A problem with configuration values; ``conflicting_configs`` are shown with their values.

    When raised inside a captured function, the run's config is attached, so the message can show the values.
    """

    def __init__(self, message: str, conflicting_configs: tuple[str, ...] | list[str] | str = (),
                 print_conflicting_configs: bool = True, print_traceback: bool | None = None,
                 filter_traceback: str = "default", print_usage: bool = False, config: dict | None = None) -> None:
        super().__init__(message, print_traceback, filter_traceback, print_usage)
        self.message = message
        if isinstance(conflicting_configs, str):
            conflicting_configs = (conflicting_configs,)
        self.conflicting_configs = list(conflicting_configs)
        self.print_conflicting_configs = print_conflicting_configs
        self.config: dict | None = config

    def __str__(self) -> str:
        text = self.message
        if self.print_conflicting_configs and self.conflicting_configs and self.config is not None:
            from core.config.updates import get_by_dotted_path
            lines = [f"  {key}={get_by_dotted_path(self.config, key)!r}" for key in self.conflicting_configs]
            text += "\nConflicting configuration values:\n" + "\n".join(lines)
        return text


class ConfigAddedError(ConfigError):
    """An update sets a key that no config scope defines and no captured function uses."""

    PRINT_TRACEBACK = False


class InvalidConfigError(ConfigError):
    """A config value that is not valid; raise it from your own code with the keys that conflict."""


class ConfigScopeError(ConfigError):
    """A function that cannot be a config scope (found when it is decorated)."""

    PRINT_TRACEBACK = False


class ConfigFileError(InvalidConfigError):
    """A config file that cannot be read or written."""

    PRINT_TRACEBACK = False


class ConfigFileNotFoundError(ConfigFileError, FileNotFoundError):
    """A config file that does not exist; a ``FileNotFoundError`` too, as Sacred's."""


class UnsupportedConfigFileError(ConfigFileError, ValueError):
    """A config file that cannot be read as config: unknown extension or unparsable content (a ``ValueError``)."""


class InvalidConfigKeyError(InvalidConfigError, KeyError):
    """A config key that cannot be stored; a ``KeyError`` too, as Sacred's key checks raise."""

    PRINT_TRACEBACK = False


class MissingConfigError(SacredError):
    """A captured function was called without a value for some of its parameters."""

    PRINT_TRACEBACK = False

    def __init__(self, message: str = "Configuration values are missing:", missing_configs: tuple | list = (),
                 print_traceback: bool | None = None, filter_traceback: str = "default", print_usage: bool = True,
                 func: object = None) -> None:
        super().__init__(message, print_traceback, filter_traceback, print_usage)
        self.message = message
        self.missing_configs = list(missing_configs)
        self.func = func

    def __str__(self) -> str:
        return self.message


class NamedConfigNotFoundError(SacredError):
    """``with NAME`` names a config that does not exist."""

    PRINT_TRACEBACK = False

    def __init__(self, named_config: str, message: str = "Named config not found:",
                 available_named_configs: tuple[str, ...] | list[str] = (), print_traceback: bool | None = None,
                 filter_traceback: str = "default", print_usage: bool = False, suggestion: str | None = None) -> None:
        self.named_config = named_config
        self.available_named_configs = tuple(available_named_configs)
        text = f'{message} "{named_config}".'
        listed = ", ".join(self.available_named_configs) or "none (this experiment defines no named configs)"
        text += f" Available config values are: {listed}."
        if suggestion:
            text += f' Did you mean "{suggestion}"?'
        super().__init__(text, print_traceback, filter_traceback, print_usage)


class CommandNotFoundError(SacredError):
    """The command line names a command that does not exist."""

    PRINT_TRACEBACK = False


class CommandLineError(SacredError):
    """The command line could not be parsed (unknown option, missing value, bad value)."""

    PRINT_TRACEBACK = False

    def __init__(self, message: str, print_usage: bool = True) -> None:
        super().__init__(message, print_usage=print_usage)


class UnsupportedObserverError(CommandLineError):
    """An option for an observer backend this package does not ship (MongoDB, SQL, TinyDB, S3)."""


class SignatureError(SacredError, TypeError):
    """A captured function was called with arguments its signature does not accept."""


class CircularDependencyError(SacredError):
    """Ingredients that (transitively) contain themselves."""


class ReadOnlyConfigError(SacredError, TypeError):
    """Someone tried to change the read-only configuration inside a captured function."""


class RunError(SacredError):
    """Misuse of the run API (e.g. starting a run twice, logging outside a run)."""


class ObserverError(Exception):
    """An observer could not do its work (Sacred's name, for scripts that catch it)."""


class ObserverNotShippedError(SacredError, ImportError):
    """An observer backend this package does not ship (MongoDB, SQL, TinyDB, S3, GCS, Slack, Telegram, queue)."""

    PRINT_TRACEBACK = False


class SacredInterrupt(Exception):
    """Raise a subclass (with a ``STATUS`` class attribute) to end a run with a custom status."""

    STATUS = "INTERRUPTED"


class TimeoutInterrupt(SacredInterrupt):
    """End the run with status ``TIMEOUT``."""

    STATUS = "TIMEOUT"
