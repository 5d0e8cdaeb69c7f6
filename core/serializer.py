"""Sacred's ``sacred.serializer``: values to and from the JSON shapes Sacred's files use.

``restore`` undoes only the tags that cannot construct arbitrary objects (tuples, sets, bytes, non-string
keys); every other tag stays a plain dict.
"""
from core.config.values import flatten, restore

__all__ = ["flatten", "restore"]
