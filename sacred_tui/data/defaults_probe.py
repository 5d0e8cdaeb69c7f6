"""Provides script_defaults: what an experiment's config is without any update, asked of the script.

A runs folder stores each run's final config, not the experiment's defaults. The script knows
them: ``print_config --json`` (run in a subprocess, never imported) prints the default config with
each key's doc, and ``print_config --json with NAMED`` marks the keys a named config sets. A script
built with Sacred itself has no ``--json``; Sacred's ``save_config`` tells its config instead (no
docs), and the keys a named config sets are those whose value it changes. The
script version is chosen to match the run: the script in place when its md5 is the one the run
recorded, else a copy of the run's stored sources (``_sources``), else the current script (said
so). Answers are cached per script content hash, interpreter and named config, so opening many
runs of one script asks it once.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.rerun import file_md5, recorded_md5
from sacred_tui.data.sacred_defaults import sacred_preview
from sacred_tui.data.script_interface import ConfigPreview, ProbeError, imports_sacred, preview_config
from sacred_tui.data.stored_sources import SourcesUnavailable, source_copy

__all__ = ["ScriptDefaults", "choose_script", "script_defaults"]


@dataclass(frozen=True, slots=True)
class ScriptDefaults:
    """The defaults of a run's experiment (or why they are unknown) and where they came from."""

    defaults: ConfigPreview | None
    origin: str
    """Which script answered, in words: ``the script`` or ``the run's stored sources …``."""
    named: dict[str, ConfigPreview] = field(default_factory=dict)
    """Per named config, print_config with only that named config (its marks say what it sets)."""
    failed_named: dict[str, str] = field(default_factory=dict)
    """Named configs the script could not be asked about, with the reason."""
    error: str = ""
    """Why the defaults are unknown (empty when they are known)."""


_cache: dict[tuple[str, str, str, str], ConfigPreview | ProbeError] = {}
_lock = threading.Lock()


def _content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cached(key: tuple[str, str, str, str], ask: Callable[[], ConfigPreview]) -> ConfigPreview:
    """``ask()``'s answer for ``key``, asked once; a failure is kept and raised again as well."""
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        try:
            cached = ask()
        except ProbeError as exc:
            cached = exc
        with _lock:
            _cache[key] = cached
    if isinstance(cached, ProbeError):
        raise cached
    return cached


def _probe(script: Path, python: str, named: str | None, timeout: float) -> ConfigPreview:
    """print_config --json [with NAMED] of a script, cached per content hash."""
    key = (_content_hash(script), str(script.parent), python, named or "")
    named_configs = [named] if named else []
    return _cached(key, lambda: preview_config(
        LaunchSpec.create(script, named_configs=named_configs, python=python), timeout=timeout))


def _sacred_probe(script: Path, python: str, named: str | None, timeout: float) -> ConfigPreview:
    """Sacred's save_config [with NAMED] of a script built with Sacred, cached like :func:`_probe`."""
    key = (_content_hash(script), str(script.parent), python, f"save_config {named or ''}")

    def ask() -> ConfigPreview:
        defaults = None if named is None else _sacred_probe(script, python, None, timeout).config
        return sacred_preview(script, python, named, defaults, timeout)

    return _cached(key, ask)


def _recorded_main_md5(record: Any) -> str | None:
    for relpath, stored in record.sources:
        if relpath == record.mainfile:
            return recorded_md5(stored)
    return None


def choose_script(record: Any, stored: Any) -> tuple[Path | None, str]:
    """The script version that matches the run, and how it was found (in words)."""
    if not record.mainfile:
        return None, "the run does not record its script"
    script = Path(record.base_dir or "") / record.mainfile
    in_place = script.is_file()
    if in_place:
        try:
            same = file_md5(script) == _recorded_main_md5(record)
        except OSError:
            same = False
        if same:
            return script, "the script"
    try:
        copy = source_copy(stored, record.mainfile)
    except SourcesUnavailable as exc:
        if in_place:
            return script, "the script (it changed since the run, and the stored sources cannot be used)"
        return None, f"the script {script} is gone and {exc}"
    why = "changed since the run" if in_place else "is gone"
    return copy.script, f"the run's stored sources (the script {why})"


def script_defaults(record: Any, stored: Any, python: str, timeout: float = 20.0) -> ScriptDefaults:
    """Ask the run's script (the version that matches the run) for its defaults; blocks."""
    script, origin = choose_script(record, stored)
    if script is None:
        return ScriptDefaults(None, origin, error=origin)
    probe = _probe
    try:
        defaults = _probe(script, python, None, timeout)
    except ProbeError as exc:
        if not imports_sacred(script):
            return ScriptDefaults(None, origin, error=f"{origin} could not tell them: {exc.summary}")
        probe, origin = _sacred_probe, f"{origin}, with Sacred's save_config"
        try:
            defaults = _sacred_probe(script, python, None, timeout)
        except ProbeError as sacred_exc:
            return ScriptDefaults(None, origin, error=f"the script is built with Sacred, and its save_config "
                                                      f"could not tell them: {sacred_exc.summary}")
        except OSError as sacred_exc:
            return ScriptDefaults(None, origin, error=f"{script} cannot be read: {sacred_exc.strerror or sacred_exc}")
    except OSError as exc:
        return ScriptDefaults(None, origin, error=f"{script} cannot be read: {exc.strerror or exc}")
    result = ScriptDefaults(defaults, origin)
    for name in dict.fromkeys(record.named_configs):
        try:
            result.named[name] = probe(script, python, name, timeout)
        except ProbeError as exc:
            result.failed_named[name] = exc.summary
        except OSError as exc:
            result.failed_named[name] = str(exc.strerror or exc)
    return result
