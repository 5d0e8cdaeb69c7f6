"""Sacred's module name for TelegramObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import TelegramObserver

__all__ = ["TelegramObserver"]
