"""Queue many runs of one script in one process: ``python -m sacred_tui.data.queue_writer``.

Writing a sweep's QUEUED entries with one ``script.py ... -q`` process per run would import the
script (and numpy, torch ...) once per run. This helper runs in the script's interpreter, imports the
script once (under a name other than ``__main__``, so ``@ex.automain`` does not start it), and for
each requested command line does what ``script.py ARGS -q`` does: the same parsing, config and
QUEUED record, through the experiment's own code. First every command line is checked (errors, type
changes, added keys); nothing is queued unless all pass (or ``force`` is set).

Protocol: a JSON request on stdin ``{"script", "requests": [{"argv": [...], "sidecar": {...}}],
"force", "check_only"}``; JSON lines on stdout: ``{"event": "checked", "problems": [...]}``, then
``{"event": "queued", "index", "run_id", "run_dir"}`` per run, and ``{"event": "done"}``, or
``{"event": "fatal", "message"}``. What the script prints goes to stderr.
"""
from __future__ import annotations

import json
import os
import runpy
import sys
from typing import Any, TextIO

SIDECAR = "queue.json"
MODULE_NAME = "__sacred_tui_queue__"


class ScriptProblem(Exception):
    """The script cannot be queued (no experiment, or one built with Sacred itself)."""


def _emit(out: TextIO, **event: Any) -> None:
    out.write(json.dumps(event) + "\n")
    out.flush()


def _find_experiment(namespace: dict[str, Any], script: str) -> Any:
    from core.experiment import Experiment
    found = [value for value in namespace.values() if isinstance(value, Experiment)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(sorted(name for name, value in namespace.items() if isinstance(value, Experiment)))
        raise ScriptProblem(f"{script} defines several experiments ({names}); a sweep needs exactly one.")
    sacred = [name for name, value in namespace.items() if type(value).__module__.startswith("sacred")
              and type(value).__name__ == "Experiment"]
    if sacred:
        raise ScriptProblem(f"{script} builds its experiment with Sacred itself (from sacred import Experiment). "
                          "Queued runs are started later with --id N, which Sacred 0.8.7 refuses for an "
                          "existing run folder; change the imports to `from core import Experiment` "
                          "(and core.observers) to queue it, or launch its runs one at a time.")
    raise ScriptProblem(f"{script} defines no experiment at module level (ex = Experiment(...)).")


def _problems(run: Any) -> list[str]:
    summary = run.config_modifications
    found = []
    for key, (old, new) in sorted(summary.typechanged.items()):
        found.append(f"{key} changes type from {old.__name__} to {new.__name__}")
    for key in sorted(summary.added):
        if key.rpartition(".")[2] == "__doc__":  # a named config's docstring, never a config entry
            continue
        found.append(f"{key} is not in the config (it would be added)")
    return found


def _create(experiment: Any, argv: list[str]) -> Any:
    from core.commandline import parse_command_line
    from core.config.updates import parse_updates
    parsed = parse_command_line(argv, experiment.all_options())
    config_updates, named_configs = parse_updates(parsed.updates)
    return experiment._create_run(parsed.command, config_updates, named_configs, None, None,
                                  parsed.options, cli_options=parsed.meta_options())


def _write_sidecar(run_dir: str, sidecar: dict[str, Any] | None) -> None:
    if sidecar is None:
        return
    from core.observers.atomic import atomic_write_text
    atomic_write_text(os.path.join(run_dir, SIDECAR), json.dumps(sidecar, indent=2, sort_keys=True))


def _queue_all(request: dict[str, Any], out: TextIO) -> None:
    script = os.path.abspath(request["script"])
    os.chdir(os.path.dirname(script))
    sys.path.insert(0, os.path.dirname(script))
    sys.argv = [script]
    namespace = runpy.run_path(script, run_name=MODULE_NAME)
    experiment = _find_experiment(namespace, script)
    runs, problems = [], []
    for index, item in enumerate(request["requests"]):
        argv = [script, *item["argv"], "--queue"]
        try:
            run = _create(experiment, argv)
        except Exception as exc:  # a user error of this command line: reported, nothing queued
            problems.append({"index": index, "problem": str(exc) or type(exc).__name__, "hard": True})
            runs.append(None)
            continue
        problems += [{"index": index, "problem": text, "hard": False} for text in _problems(run)]
        runs.append(run)
    blocked = any(p["hard"] for p in problems) or (problems and not request.get("force"))
    _emit(out, event="checked", problems=problems, blocked=bool(blocked))
    if blocked or request.get("check_only"):
        return
    shared: tuple[dict, dict] | None = None
    for index, run in enumerate(runs):
        if shared is None:
            shared = (run.experiment_info, run.host_info)
        else:
            # Same script, same process, same moment: its sources, dependencies, git state and host
            # are the first run's (gathering them again costs a git call per run). The run records
            # its own when it starts.
            run.experiment_info, run.host_info = shared
        run()
        run_dir = next((o.dir for o in run.observers if getattr(o, "dir", None)), None)
        if run_dir is None:
            raise RuntimeError("the run was queued without a file storage (is -F missing?)")
        _write_sidecar(run_dir, request["requests"][index].get("sidecar"))
        _emit(out, event="queued", index=index, run_id=str(run._id), run_dir=os.path.abspath(run_dir))
    _emit(out, event="done", queued=len(runs))


def main() -> int:
    request = json.load(sys.stdin)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the script's prints must not mix into the protocol
    try:
        _queue_all(request, out)
    except BrokenPipeError:
        return 1
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the caller
        import traceback
        traceback.print_exc()
        message = str(exc) if isinstance(exc, ScriptProblem) else f"{type(exc).__name__}: {exc}"
        _emit(out, event="fatal", message=message)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
