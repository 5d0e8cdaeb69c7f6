"""Sacred's ``sacred.arg_parser``: reading ``with`` updates and the long usage text."""
from __future__ import annotations

from typing import Any, Iterable

from core.config.updates import parse_updates

__all__ = ["format_usage", "get_config_updates"]


def get_config_updates(updates: Iterable[str] | None) -> tuple[dict, list[str]]:
    """``(config updates, named configs)`` from the words after ``with``."""
    return parse_updates(updates or [])


def _convert_value(value: str) -> Any:
    """One update value as the command line reads it (a Python literal through JSON, else the text)."""
    from core.config.updates import _strict_value, as_json_data
    return as_json_data(_strict_value(value, "VALUE", value))


def format_usage(program_name: str, description: str | None, commands: Any = None, options: Any = ()) -> str:
    """The long help text: usage, description, options, arguments and commands."""
    from core.commandline import BUILTIN_OPTIONS, format_help
    items = list(commands.items()) if isinstance(commands, dict) else list(commands or [])
    return format_help(program_name, description, items, tuple(options) or BUILTIN_OPTIONS)
