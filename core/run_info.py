"""Provides the experiment and host records of a run, gathered only when a run needs them."""
from __future__ import annotations

from typing import Any


def experiment_info_for(experiment: Any, name: str | None = None) -> dict:
    """Sacred's ``experiment`` record for an experiment and all its ingredients."""
    from core import host
    sources: set = set()
    dependencies: set = set()
    for ingredient, _ in experiment.traverse_ingredients():
        found_sources, found_deps = host.gather_sources_and_dependencies(
            ingredient._caller_globals, ingredient.base_dir, ingredient.mainfile_abs)
        sources |= set(found_sources)
        dependencies |= set(found_deps)
        for filename in ingredient.extra_sources:
            sources.add(host.Source.create(filename, save_git_info=False))
        for package, version in ingredient.extra_dependencies.items():
            dependencies.add(host.PackageDependency(package, version))
    return host.get_experiment_info(
        name=name or getattr(experiment, "path", None), base_dir=experiment.base_dir,
        mainfile=experiment.mainfile, sources=sources, dependencies=dependencies,
        save_git_info=experiment.save_git_info)


def host_info_for(experiment: Any) -> dict:
    """The ``host`` record, with the experiment's extra gatherers."""
    import sys
    from core import host
    from core.settings import SETTINGS
    registered = getattr(sys.modules.get("core.host_info"), "host_info_gatherers", None) or {}
    extra = {name: func for name, func in registered.items() if name not in host.DEFAULT_HOST_KEYS}
    extra.update(getattr(experiment, "additional_host_info", None) or {})
    return host.get_host_info(
        captured_env=list(SETTINGS.HOST_INFO.CAPTURED_ENV),
        include_cpu=SETTINGS.HOST_INFO.INCLUDE_CPU_INFO,
        include_gpu=SETTINGS.HOST_INFO.INCLUDE_GPU_INFO,
        extra_gatherers=extra or None)
