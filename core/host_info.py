"""Sacred's ``sacred.host_info``: extra host information for run.json, and the host info itself."""
from __future__ import annotations

import warnings
from typing import Any, Callable

from core.host.machine import DEFAULT_HOST_KEYS, HostInfoGatherer, IgnoreHostInfo, host_info_gatherer

__all__ = ["HostInfoGetter", "IgnoreHostInfo", "check_additional_host_info", "get_host_info",
           "host_info_gatherer", "host_info_gatherers", "host_info_getter"]

host_info_gatherers: dict[str, Callable[[], Any]] = {}
"""Functions registered with the deprecated ``@host_info_getter``; every run records them."""


class HostInfoGetter(HostInfoGatherer):
    """Sacred's name and argument order for a named host-info function."""

    def __init__(self, getter_function: Callable[[], Any], name: str) -> None:
        super().__init__(name, getter_function)


def check_additional_host_info(additional_host_info: list) -> None:
    """Refuse extra host info whose name is one of the built-in keys."""
    for getter in additional_host_info:
        if getter.name in DEFAULT_HOST_KEYS:
            raise KeyError(f"Key {getter.name} used in `additional_host_info` already exists as a default "
                           f"gatherer function. Do not use the following keys: {list(DEFAULT_HOST_KEYS)}")


def get_host_info(additional_host_info: list | None = None) -> dict:
    """The host entry of run.json, with the registered and the given extra host info."""
    from core.host import get_host_info as gather
    extra: dict[str, Any] = dict(host_info_gatherers)
    extra.update({getter.name: getter for getter in additional_host_info or []})
    for name in DEFAULT_HOST_KEYS:
        extra.pop(name, None)
    return gather(extra_gatherers=extra)


def host_info_getter(func: Callable[[], Any] | None = None, name: str | None = None) -> Any:
    """Deprecated decorator: record ``func()`` under ``name`` (default: its name) in every run's host info."""
    if func is None:
        return lambda function: host_info_getter(function, name=name)
    warnings.warn("The host_info_getter is deprecated. Please use the `additional_host_info` argument in the "
                  "Experiment constructor.", DeprecationWarning, stacklevel=2)
    host_info_gatherers[name or func.__name__] = func
    return func
