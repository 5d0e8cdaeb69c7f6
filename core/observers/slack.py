"""Sacred's module name for SlackObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import SlackObserver

__all__ = ["SlackObserver"]
