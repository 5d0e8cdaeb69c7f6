"""Provides ``ContextMethodDecorator``: wraps a method of a class while a ``with`` block (or function) runs."""
from __future__ import annotations

import functools
from typing import Any, Callable


class ContextMethodDecorator:
    """Inside the block, ``classx.method_name`` calls ``decorator_func(instance, original, args, kwargs)``."""

    def __init__(self, classx: type, method_name: str, decorator_func: Callable[..., Any]) -> None:
        self.classx = classx
        self.method_name = method_name
        self.decorator_func = decorator_func
        self.patched_by_me = False

    def __enter__(self) -> ContextMethodDecorator:
        marker = f"sacred_patched{type(self).__name__}"
        self.original_method = getattr(self.classx, self.method_name)
        if not hasattr(self.original_method, marker):
            original = self.original_method

            @functools.wraps(original)
            def decorated(instance: Any, *args: Any, **kwargs: Any) -> Any:
                return self.decorator_func(instance, original, args, kwargs)

            setattr(decorated, marker, True)
            setattr(self.classx, self.method_name, decorated)
            self.patched_by_me = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.patched_by_me:
            setattr(self.classx, self.method_name, self.original_method)
            self.patched_by_me = False
