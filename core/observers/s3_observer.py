"""Sacred's module name for S3Observer (not shipped: creating one raises an error)."""
from core.observers.not_shipped import S3Observer

__all__ = ["S3Observer"]
