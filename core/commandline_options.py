"""Sacred's ``sacred.commandline_options``: custom command-line options (``@cli_option``)."""
from core.commandline import Option, cli_option

CLIOption = Option
"""Sacred's name of a command-line option."""

__all__ = ["CLIOption", "Option", "cli_option"]
