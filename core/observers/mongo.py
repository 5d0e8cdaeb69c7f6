"""Sacred's module name for MongoObserver, QueuedMongoObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import MongoObserver, QueuedMongoObserver

__all__ = ["MongoObserver", "QueuedMongoObserver"]
