"""Provides sacred_config: the config of a script built with Sacred itself, asked with ``save_config``.

Sacred 0.8.7 has no ``print_config --json``, but every Sacred experiment has the ``save_config``
command, which writes the config it would run with (after named configs and updates) to a file
and starts no run. Written as ``.pickle`` it holds exactly what a run's config.json holds (Sacred's
``.json`` writer encodes numpy values twice and drops their type). The script runs in a
subprocess, in its own folder; the file is read back refusing anything but plain data, so
nothing the script wrote can run code here.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sacred_tui.data.config_diff import flatten_config
from sacred_tui.data.launch_spec import LaunchSpec, format_argv
from sacred_tui.data.script_interface import ConfigPreview, EntryMarks, ProbeError, summarize_stderr

__all__ = ["marks_against", "sacred_config", "sacred_preview"]

_MAX_BYTES = 64 * 1024 * 1024


class _PlainData(pickle.Unpickler):
    """Unpickles dicts, lists, strings and numbers only: any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def sacred_config(script: Path, python: str, named: str | None = None, timeout: float = 20.0) -> dict[str, Any]:
    """The config ``script`` runs with (after ``named``), from Sacred's ``save_config``; blocks."""
    with tempfile.TemporaryDirectory(prefix="sacred-tui-config-") as folder:
        target = Path(folder) / "config.pickle"
        spec = LaunchSpec.create(script, None, [named] if named else [],
                                 [f"config_filename={str(target)!r}"], python=python)
        argv = spec.argv(head=("save_config",))
        env = {key: value for key, value in os.environ.items() if key != "PYTHONINSPECT"}
        command = format_argv(argv, spec.cwd)
        try:
            done = subprocess.run(argv, cwd=spec.cwd, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise ProbeError(f"save_config did not answer within {timeout:g} s", "", command) from None
        except OSError as exc:
            raise ProbeError(f"cannot run the interpreter {argv[0]!r}: {exc.strerror or exc}", "", command) from None
        stderr = done.stderr.decode("utf-8", errors="replace")
        if done.returncode != 0 or not target.is_file():
            reason = summarize_stderr(stderr) or f"exit code {done.returncode}"
            raise ProbeError(f"save_config failed: {reason}", stderr, command)
        try:
            if target.stat().st_size > _MAX_BYTES:
                raise ProbeError("save_config wrote more than 64 MB", stderr, command)
            with open(target, "rb") as stream:
                config = _PlainData(stream).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise ProbeError(f"save_config wrote an unreadable file: {exc}", stderr, command) from None
    if not isinstance(config, dict):
        raise ProbeError("save_config wrote no config", stderr, command)
    return config


def marks_against(config: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, EntryMarks]:
    """Marks of the keys whose value differs from the defaults (what a named config sets)."""
    flat_defaults = dict(flatten_config(defaults))
    marks: dict[str, EntryMarks] = {}
    for key, value in flatten_config(config):
        if key == "seed":  # drawn anew by every call unless set: never a named config's doing
            continue
        if key not in flat_defaults:
            marks[key] = EntryMarks(added=True)
        elif flat_defaults[key] != value:
            marks[key] = EntryMarks(modified=True)
    return marks


def sacred_preview(script: Path, python: str, named: str | None, defaults: Mapping[str, Any] | None,
                   timeout: float = 20.0) -> ConfigPreview:
    """The config as a ConfigPreview; with ``defaults``, marked where it differs from them."""
    config = sacred_config(script, python, named, timeout)
    return ConfigPreview(config, marks_against(config, defaults) if defaults is not None else {})
