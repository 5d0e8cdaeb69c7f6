"""Run a check as a reader without root's file privileges, in a forked child.

Root reads every file whatever its mode, so the permission cases of the damaged-folder tests need a
reader without that privilege. Switching to another user would also lose the interpreter itself
when it lives in root's home (mode 0700) and a module is first imported after the switch; instead the
child stays uid 0 and drops the two capabilities that bypass file permissions (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH). Mode bits then apply to it as to any owner: a file of mode 0 is unreadable, a
folder of mode 0311 can be entered but not listed, and root's own 0700 folders stay readable.
"""
from __future__ import annotations

import ctypes
import json
import os
import time
import traceback
from collections.abc import Callable

import pytest

_CAPABILITY_VERSION_3 = 0x20080522
_FILE_PRIVILEGES = (1 << 1) | (1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Sets(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_file_privileges() -> None:
    """Drop the capabilities that bypass file permissions, for this thread and threads it starts."""
    libc = ctypes.CDLL(None, use_errno=True)
    header, sets = _Header(_CAPABILITY_VERSION_3, 0), (_Sets * 2)()
    if libc.capget(ctypes.byref(header), sets) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    sets[0].effective &= ~_FILE_PRIVILEGES
    sets[0].permitted &= ~_FILE_PRIVILEGES
    if libc.capset(ctypes.byref(header), sets) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def run_unprivileged(check: Callable[[], object], timeout: float = 240.0) -> object:
    """``check()`` in a forked child without file privileges (as is, when not root); its JSON result."""
    if os.geteuid() != 0:
        return check()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one thread (fork), drop the privileges, run, report, never return into pytest
        code = 1
        try:
            os.close(read_end)
            drop_file_privileges()
            payload = {"result": check()}
            code = 0
        except BaseException:
            payload = {"error": traceback.format_exc()}
        with os.fdopen(write_end, "w") as pipe:
            pipe.write(json.dumps(payload, default=str))
        os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail(f"the unprivileged check did not finish in {timeout} s")
    with os.fdopen(read_end) as pipe:
        payload = json.loads(pipe.read() or '{"error": "the child wrote nothing"}')
    assert "error" not in payload, payload["error"]
    return payload["result"]
