"""Sacred's module name for TinyDbObserver, TinyDbReader (not shipped: creating one raises an error)."""
from core.observers.not_shipped import TinyDbObserver, TinyDbReader

__all__ = ["TinyDbObserver", "TinyDbReader"]
