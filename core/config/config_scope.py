"""Sacred's module name for ``ConfigScope``."""
from core.config.scope import ConfigScope

__all__ = ["ConfigScope"]
