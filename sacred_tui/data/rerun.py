"""Provides plan_rerun: the LaunchSpec that runs a stored run again, and what to warn about first.

The spec is rebuilt from ``meta``: the command, the named configs in order, the config updates
flattened to dotted ``key=repr(value)`` words, the run's seed (``seed=N``, so a deterministic
experiment gives the same result), and the options that shape a run (comment, name, beat
interval, capture, priority …). The runs folder option is replaced by the folder being browsed;
the interpreter is the one the run used where it is known. Values stored in jsonpickle form
(tuples, numpy scalars and arrays) are written as plain literals; values no literal can express
are reported. If a source file changed since the run (its md5 differs from the one recorded in
``_sources``), the plan says so; if the script is gone, a copy of the stored sources is run.
"""
from __future__ import annotations

import ast
import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sacred_tui.data.launch_spec import FLAG_OPTIONS, VALUE_OPTIONS, LaunchSpec
from sacred_tui.data.reproduce import Interpreter, choose_interpreter, run_seed
from sacred_tui.data.stored_sources import SourceCopy, SourcesUnavailable, source_copy

__all__ = ["RerunPlan", "file_md5", "plan_rerun", "recorded_md5", "rerun_options", "rerun_updates",
           "source_changes"]

_MD5 = re.compile(r"[0-9a-f]{32}")
_STORED_MD5 = re.compile(r"_([0-9a-f]{32})(?:\.[^/\\]*)?$")
_SKIPPED_OPTIONS = {"--file_storage", "--id", "--queue", "--unobserved", "--pdb", "--help"}


class _NoLiteral(ValueError):
    """A stored value that no Python literal can express on the command line."""


@dataclass(slots=True)
class RerunPlan:
    """How to run a stored run again: the spec (None when impossible) and what to tell first."""

    run_id: str
    spec: LaunchSpec | None
    problems: list[str] = field(default_factory=list)
    """Why it cannot be launched as is (no script, values that cannot be written …)."""
    warnings: list[str] = field(default_factory=list)
    """What the user should know before launching (the source changed since the run …)."""
    interpreter: Interpreter | None = None
    """The interpreter the re-run uses, and why."""
    copy: SourceCopy | None = None
    """Set when the re-run runs a copy of the stored sources (the script is gone)."""


def _plain(value: Any) -> Any:
    """A stored JSON value turned back into the Python value a command line literal can carry."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    if "py/tuple" in value:
        return tuple(_plain(item) for item in value["py/tuple"])
    kind = value.get("py/object")
    if isinstance(kind, str) and kind.startswith("numpy."):
        if "values" in value:
            return _plain(value["values"])
        if "value" in value:
            return value["value"]
    for key in value:
        if isinstance(key, str) and (key.startswith("py/") or key.startswith("json://")
                                     or key == "__reduce__"):
            raise _NoLiteral(f"a stored object ({key})")
    return {key: _plain(item) for key, item in value.items()}


def _literal(value: Any) -> str:
    text = repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _NoLiteral(f"{text} (not a literal: it would arrive as the text {text!r})")
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        same = False
    if not same:
        raise _NoLiteral(f"{text} (not a literal)")
    return text


def _leaves(updates: Mapping[str, Any], prefix: str = ""):
    for key, value in updates.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not any(
                isinstance(k, str) and (k.startswith("py/") or k == "__reduce__") for k in value):
            yield from _leaves(value, path + ".")
        else:
            yield path, value


def rerun_updates(config_updates: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    """Dotted ``key=repr(value)`` words for the updates, and problems for values that cannot be."""
    words: list[str] = []
    problems: list[str] = []
    for key, value in _leaves(config_updates or {}):
        try:
            words.append(f"{key}={_literal(_plain(value))}")
        except _NoLiteral as exc:
            problems.append(f"The update {key} holds {exc}; it cannot be written on a command line.")
    return words, problems


def _option_value(value: Any) -> str | bool | None:
    if value in (None, False, ""):
        return None
    if value is True:
        return True
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rerun_options(options: Mapping[str, Any], comment: str | None = None,
                  priority: float | None = None) -> dict[str, str | bool]:
    """The options to repeat (long names, as LaunchSpec takes them), in a stable order.

    Runs started with ``ex.run()`` record no options; their comment and priority come from meta.
    """
    chosen: dict[str, str | bool] = {}
    for name in sorted(options):
        if not name.startswith("--") or name in _SKIPPED_OPTIONS:
            continue
        value = _option_value(options[name])
        if value is None:
            continue
        if name in FLAG_OPTIONS and value is not True:
            continue
        chosen[name] = value
    if comment and "--comment" not in chosen:
        chosen["--comment"] = comment
    if priority is not None and "--priority" not in chosen:
        chosen["--priority"] = str(_option_value(priority))
    order = list(VALUE_OPTIONS) + list(FLAG_OPTIONS)
    return dict(sorted(chosen.items(), key=lambda item: (
        order.index(item[0]) if item[0] in order else len(order), item[0])))


def file_md5(path: str | os.PathLike[str]) -> str:
    """The md5 hex digest of a file (as Sacred computes it for ``_sources``)."""
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recorded_md5(stored: str) -> str | None:
    """The md5 of a source entry's second item: the md5 itself or ``_sources/<stem>_<md5><ext>``."""
    if _MD5.fullmatch(stored):
        return stored
    found = _STORED_MD5.search(stored)
    return found.group(1) if found else None


def source_changes(sources: list[tuple[str, str]], base_dir: str | os.PathLike[str]) -> list[str]:
    """Sentences for each recorded source whose current file differs or is gone."""
    changes = []
    for relpath, stored in sources:
        md5 = recorded_md5(stored)
        if md5 is None:
            continue
        path = Path(base_dir) / relpath
        try:
            current = file_md5(path)
        except OSError:
            changes.append(f"{relpath} is gone (it was part of the run's sources).")
            continue
        if current != md5:
            changes.append(f"{relpath} changed since the run (md5 {md5[:8]}… then, {current[:8]}… now).")
    return changes


def _command(record: Any) -> str | None:
    options: Mapping[str, Any] = record.options or {}
    if "COMMAND" in options:
        command = options.get("COMMAND")
        return str(command) if command else None
    return record.meta_command or None


def _with_seed(updates: list[str], seed: int | None) -> list[str]:
    if seed is None or any(word.partition("=")[0].strip() == "seed" for word in updates):
        return updates
    return [*updates, f"seed={seed}"]


def plan_rerun(record: Any, python: str | None = None, *, config: Mapping[str, Any] | None = None,
               stored: Any = None, recorded_python: str | None = None) -> RerunPlan:
    """Plan running ``record`` (a ``core.runs.RunRecord``) again with the same configuration.

    Args:
        record: The run's record.
        python: The launcher's interpreter (used when the run's own is not known or gone).
        config: The run's config: its ``seed`` is passed again, so the run repeats exactly.
        stored: The run's ``core.runs.StoredRun``: when the script is gone, a copy of its stored
            sources is run instead.
        recorded_python: The interpreter process.json names.
    """
    plan = RerunPlan(record.id, None)
    if not record.base_dir or not record.mainfile:
        plan.problems.append(f"Run {record.id} does not record its script (experiment.base_dir "
                             f"and experiment.mainfile are missing in run.json).")
        return plan
    script = Path(record.base_dir) / record.mainfile
    if not script.is_file():
        script = _from_stored_sources(plan, record, script, stored)
    updates, problems = rerun_updates(record.config_updates)
    plan.problems.extend(problems)
    seed = run_seed(config)
    if config is not None and seed is None:
        plan.warnings.append(f"Run {record.id} recorded no seed: the re-run gets a new one.")
    updates = _with_seed(updates, seed)
    named = [name for name in record.named_configs if name]
    interpreter = choose_interpreter(recorded_python, record.host.python_version, python)
    plan.interpreter = interpreter
    plan.spec = LaunchSpec.create(script, _command(record), named, updates,
                                  rerun_options(record.options or {}, record.comment, record.priority),
                                  interpreter.path)
    if plan.copy is None and script.is_file():
        plan.warnings.extend(source_changes(record.sources, record.base_dir))
    return plan


def _from_stored_sources(plan: RerunPlan, record: Any, script: Path, stored: Any) -> Path:
    """The script in a copy of the run's stored sources (a problem when there is none)."""
    gone = f"The script of run {record.id}, {str(script)!r}, does not exist on this machine"
    if stored is None:
        plan.problems.append(f"{gone}.")
        return script
    try:
        copy = source_copy(stored, record.mainfile)
    except SourcesUnavailable as exc:
        plan.problems.append(f"{gone}, and it cannot be re-run from its stored sources: {exc}.")
        return script
    plan.copy = copy
    resources = (f" and {copy.resources} resource{'s' if copy.resources != 1 else ''} (from _resources/)"
                 if copy.resources else "")
    plan.warnings.append(f"{gone}: this re-run runs a copy of the run's {copy.files} stored source "
                         f"file{'s' if copy.files != 1 else ''} (from _sources/){resources}, made in "
                         f"{copy.folder}. Other files the run read are not there.")
    return copy.script
