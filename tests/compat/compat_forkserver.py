"""Runs experiment scripts as ``python SCRIPT ARGS`` would, but forked from a process that imported the library once.

Started as ``python compat_forkserver.py sacred|core``; reads one JSON request per line on stdin
(``script``, ``argv``, ``cwd``, ``env``, ``stdout``, ``stderr``, ``timeout``) and answers each with a JSON line
``{"code": exit_code}``. Each script runs in a fresh child process, as ``__main__``, with its own working
directory, argv, ``sys.path[0]``, environment and stdout/stderr files: what differs from a new interpreter is
only that the library (and, for Sacred, numpy) is already imported.
"""
from __future__ import annotations

import json
import os
import sys


def _child(request: dict) -> int:
    import random
    import runpy
    import signal
    import traceback

    signal.alarm(int(request.get("timeout", 60)))
    os.chdir(request["cwd"])
    os.environ.update(request.get("env", {}))
    for name in request.get("unset", ()):
        os.environ.pop(name, None)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        target = os.open(request[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    random.seed()  # a new interpreter starts from fresh entropy
    script = request["script"]
    sys.argv = [script, *request["argv"]]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        traceback.print_exc()
        code = 130
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        traceback.print_exc()
        code = 1
    return code


def _finish_child(code: int) -> None:
    import atexit
    import logging

    try:
        atexit._run_exitfuncs()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> None:
    library = sys.argv[1]
    if library == "sacred":
        import sacred  # noqa: F401 - imported once, inherited by every child
        import sacred.observers  # noqa: F401
    else:
        import core  # noqa: F401
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(request)
            finally:
                _finish_child(code)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        sys.stdout.write(json.dumps({"code": code}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
