"""Sacred's module name for the read-only containers captured functions receive."""
from core.config.readonly import ReadOnlyDict, ReadOnlyList, make_read_only

__all__ = ["ReadOnlyDict", "ReadOnlyList", "make_read_only"]
