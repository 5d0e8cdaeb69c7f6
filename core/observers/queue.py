"""Sacred's module name for QueueObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import QueueObserver

__all__ = ["QueueObserver"]
