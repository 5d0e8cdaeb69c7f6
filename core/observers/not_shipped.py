"""Observers of Sacred that this package does not ship: importing them works, creating one says so."""
from __future__ import annotations

from typing import Any

from core.errors import ObserverNotShippedError
from core.observers.base import RunObserver

__all__ = ["GoogleCloudStorageObserver", "MongoObserver", "QueueObserver", "QueuedMongoObserver", "S3Observer",
           "SlackObserver", "SqlObserver", "TelegramObserver", "TinyDbObserver", "TinyDbReader"]


class _NotShipped(RunObserver):
    backend = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ObserverNotShippedError(
            f"{type(self).__name__} ({self.backend}) is not part of this package; runs can be stored with "
            "FileStorageObserver (from core.observers import FileStorageObserver, or -F DIR on the command line).")

    @classmethod
    def create(cls, *args: Any, **kwargs: Any) -> Any:
        return cls(*args, **kwargs)


class MongoObserver(_NotShipped):
    backend = "MongoDB"


class QueuedMongoObserver(_NotShipped):
    backend = "MongoDB"


class SqlObserver(_NotShipped):
    backend = "SQL databases"


class TinyDbObserver(_NotShipped):
    backend = "TinyDB"


class TinyDbReader:
    """Sacred's reader of TinyDB runs (not shipped)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ObserverNotShippedError("TinyDbReader (TinyDB) is not part of this package; read runs folders "
                                      "with core.runs.RunsFolder.")


class S3Observer(_NotShipped):
    backend = "Amazon S3"


class GoogleCloudStorageObserver(_NotShipped):
    backend = "Google Cloud Storage"


class SlackObserver(_NotShipped):
    backend = "Slack notifications"


class TelegramObserver(_NotShipped):
    backend = "Telegram notifications"


class QueueObserver(_NotShipped):
    backend = "a background queue around another observer"
