"""Sacred's ``sacred.commandline_options``: custom command-line options.

``@cli_option`` is the way to add one. Subclassing ``CommandLineOption`` is the older way, deprecated in
Sacred 0.8 but still working there, so scripts written for older Sacred versions keep their flags here too.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any

from core.commandline import Option, cli_option
from core.utils import convert_camel_case_to_snake_case, get_inheritors

CLIOption = Option
"""Sacred's name of a command-line option."""

__all__ = ["CLIOption", "CommandLineOption", "Option", "cli_option", "gather_command_line_options"]


class CommandLineOption:
    """Base class of a command-line option in Sacred's older style.

    A subclass is an option: its long flag comes from the class name (``OwnFlagOption`` -> ``--own_flag``),
    its short flag is ``short_flag`` (default: the flag's first letter), it takes a value when ``arg`` names
    one, the class docstring describes it, and the ``apply`` classmethod changes the run before it starts.
    """

    _enabled = True

    short_flag: str | None = None
    """The one-letter short form (defaults to the first letter of the flag)."""

    arg: str | None = None
    """The name of the option's value (None: the option is a flag)."""

    arg_description: str | None = None
    """What the value means (optional)."""

    @classmethod
    def get_flag(cls) -> str:
        flag = cls.__name__
        if flag.endswith("Option"):
            flag = flag[:-6]
        return "--" + convert_camel_case_to_snake_case(flag)

    @classmethod
    def get_short_flag(cls) -> str:
        return "-" + (cls.short_flag if cls.short_flag is not None else cls.get_flag()[2])

    @classmethod
    def get_flags(cls) -> tuple[str, str]:
        return cls.get_short_flag(), cls.get_flag()

    @classmethod
    def apply(cls, args: Any, run: Any) -> None:
        """Change the run (created, not started) for the option's value: True for a flag, else the text."""


def gather_command_line_options(filter_disabled: bool | None = None) -> list[Option]:
    """The options defined by subclassing ``CommandLineOption``, sorted by class name; warns as Sacred does."""
    from core.settings import SETTINGS
    if filter_disabled is None:
        filter_disabled = not SETTINGS.COMMAND_LINE.SHOW_DISABLED_OPTIONS
    options = []
    for subclass in sorted(get_inheritors(CommandLineOption), key=lambda cls: cls.__name__):
        warnings.warn("Subclassing `CommandLineOption` is deprecated. Please use the `cli_option` decorator "
                      "and pass the function to the Experiment constructor.", stacklevel=2)
        if filter_disabled and not subclass._enabled:
            continue
        description = inspect.getdoc(subclass) or ""
        if subclass.arg and subclass.arg_description:
            description += f" ({subclass.arg}: {subclass.arg_description})"
        options.append(Option(subclass.get_short_flag(), subclass.get_flag(), bool(subclass.arg),
                              " ".join(description.split()), apply=subclass.apply))
    return options
