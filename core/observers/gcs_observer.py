"""Sacred's module name for GoogleCloudStorageObserver (not shipped: creating one raises an error)."""
from core.observers.not_shipped import GoogleCloudStorageObserver

__all__ = ["GoogleCloudStorageObserver"]
