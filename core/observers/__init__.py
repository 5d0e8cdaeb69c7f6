"""Provides the observers: RunObserver (the interface), FileStorageObserver and MemoryObserver.

Only the interface is imported eagerly; the observers load on first use, so ``import core`` stays cheap.
Sacred's other observers (MongoDB, SQL, TinyDB, S3, GCS, Slack, Telegram, queue) can be imported, so scripts
that import them still run; creating one raises an error that says it is not shipped.
"""
from __future__ import annotations

from typing import Any

from core.observers.base import RunObserver

_NOT_SHIPPED = ("GoogleCloudStorageObserver", "MongoObserver", "QueueObserver", "QueuedMongoObserver",
                "S3Observer", "SlackObserver", "SqlObserver", "TelegramObserver", "TinyDbObserver", "TinyDbReader")
_LAZY = {"FileStorageObserver": "core.observers.file_storage", "MemoryObserver": "core.observers.memory",
         **{name: "core.observers.not_shipped" for name in _NOT_SHIPPED}}

__all__ = ["FileStorageObserver", "MemoryObserver", "RunObserver", *_NOT_SHIPPED]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'core.observers' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
