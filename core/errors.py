"""One exception tree for the library.

Messages name the key, what was expected, the value that was given and, where possible, a fix.
Errors that are the user's fault (bad command line, bad config) derive from :class:`SacredError`;
the command line prints those as one message without a traceback.
"""
from __future__ import annotations


class SacredError(Exception):
    """Base class of all errors the library raises on purpose.

    ``print_usage``: the command line prints the short usage before the message.
    ``print_traceback``: the command line prints the (filtered) traceback instead of only the message.
    """

    def __init__(self, *args: object, print_traceback: bool = False, filter_traceback: str = "default",
                 print_usage: bool = False) -> None:
        super().__init__(*args)
        self.print_traceback = print_traceback
        self.filter_traceback = filter_traceback
        self.print_usage = print_usage


class ConfigError(SacredError):
    """A problem with a configuration value or a config scope."""

    def __init__(self, message: str, conflicting_configs: tuple[str, ...] | list[str] = (),
                 print_conflicting_configs: bool = True, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.message = message
        self.conflicting_configs = list(conflicting_configs)
        self.print_conflicting_configs = print_conflicting_configs
        self.config: dict | None = None

    def __str__(self) -> str:
        text = self.message
        if self.print_conflicting_configs and self.conflicting_configs and self.config is not None:
            from core.config.updates import get_by_dotted_path
            lines = [f"  {key}={get_by_dotted_path(self.config, key)!r}" for key in self.conflicting_configs]
            text += "\nConflicting configuration values:\n" + "\n".join(lines)
        return text


class ConfigAddedError(ConfigError):
    """An update sets a key that no config scope defines and no captured function uses."""


class InvalidConfigError(ConfigError):
    """A config key or value that cannot be stored (bad key, bad file, bad type)."""


class InvalidConfigKeyError(InvalidConfigError, KeyError):
    """A config key that cannot be stored; a ``KeyError`` too, as Sacred's key checks raise."""


class MissingConfigError(SacredError):
    """A captured function was called without a value for some of its parameters."""

    def __init__(self, message: str = "Configuration values are missing", missing_configs: tuple = (),
                 func: object = None, **kwargs: object) -> None:
        kwargs.setdefault("print_usage", True)
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.message = message
        self.missing_configs = list(missing_configs)
        self.func = func

    def __str__(self) -> str:
        return self.message


class NamedConfigNotFoundError(SacredError):
    """``with NAME`` names a config that does not exist."""

    def __init__(self, named_config: str, available_named_configs: tuple[str, ...] | list[str] = (),
                 suggestion: str | None = None) -> None:
        self.named_config = named_config
        self.available_named_configs = tuple(available_named_configs)
        message = f'Named config not found: "{named_config}".'
        if self.available_named_configs:
            message += " Available named configs are: " + ", ".join(self.available_named_configs) + "."
        else:
            message += " This experiment defines no named configs."
        if suggestion:
            message += f' Did you mean "{suggestion}"?'
        super().__init__(message)


class CommandNotFoundError(SacredError):
    """The command line names a command that does not exist."""


class CommandLineError(SacredError):
    """The command line could not be parsed (unknown option, missing value, bad value)."""

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


class SacredInterrupt(Exception):
    """Raise a subclass (with a ``STATUS`` class attribute) to end a run with a custom status."""

    STATUS = "INTERRUPTED"


class TimeoutInterrupt(SacredInterrupt):
    """End the run with status ``TIMEOUT``."""

    STATUS = "TIMEOUT"
