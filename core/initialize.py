"""Sacred's ``sacred.initialize``: ``create_run`` builds a ready-to-start run of a command."""
from __future__ import annotations

from typing import Any

__all__ = ["create_run"]


def create_run(experiment: Any, command_name: str, config_updates: dict | None = None,
               named_configs: Any = (), force: bool = False, log_level: Any = None) -> Any:
    """A ``Run`` of ``command_name`` with the updates and named configs applied; not started."""
    from core.run_factory import create_run as build
    options = experiment.get_default_options()
    options.update({"--force": force, "--loglevel": log_level})
    return build(experiment, command_name, config_updates, list(named_configs), options)
