"""Sacred's ``sacred.commandline_options`` name for custom options."""
from core.commandline import Option, cli_option

__all__ = ["Option", "cli_option"]
