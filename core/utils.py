"""Sacred's ``sacred.utils`` names that scripts import: interrupts, errors and the output filter."""
from core.capture_output import apply_backspaces_and_linefeeds
from core.config.updates import (get_by_dotted_path, iterate_flattened, recursive_update,
                                 set_by_dotted_path)
from core.errors import (ConfigAddedError, ConfigError, MissingConfigError, NamedConfigNotFoundError,
                         SacredError, SacredInterrupt, TimeoutInterrupt)

__all__ = ["apply_backspaces_and_linefeeds", "get_by_dotted_path", "iterate_flattened", "recursive_update",
           "set_by_dotted_path", "ConfigAddedError", "ConfigError", "MissingConfigError",
           "NamedConfigNotFoundError", "SacredError", "SacredInterrupt", "TimeoutInterrupt"]
