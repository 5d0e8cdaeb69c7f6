"""Sacred's module name for SqlObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import SqlObserver

__all__ = ["SqlObserver"]
