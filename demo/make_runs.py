"""Fills a folder (default ./demo_runs) with a varied set of real runs of the demo experiments.

    python demo/make_runs.py              # ./demo_runs
    python demo/make_runs.py /tmp/runs    # another folder
    python demo/make_runs.py --no-live    # leave no run going in the background

Each run is a real process running one of the scripts next to this file, ended the way its status needs:
completed runs with different named configs, updates and comments; a failed one; one interrupted with
SIGINT; one queued; one stopped by its time budget (TIMEOUT); one killed with SIGKILL, which stays
RUNNING with a heartbeat that stops; and one live run that finishes about a minute later. The folder is
marked by a ``.sacred-tui-demo`` file holding a manifest, so a second call makes no duplicates (it only
starts a fresh live run) and a folder with other runs in it is never touched.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

__all__ = ["DEMO_RUNS", "MARKER_NAME", "DemoRun", "DemoRunsError", "main", "make_demo_runs"]

DEMO_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEMO_DIR.parent
MARKER_NAME = ".sacred-tui-demo"
MARKER_FORMAT = 1
PARALLEL = 2
"""Runs created at once (most of their time is spent sleeping between steps)."""
RUN_TIMEOUT = 60.0
"""Seconds a finished-run process may take before it is killed and reported."""
LIVE_ARGS = ("steps=600", "delay=0.1")
"""The live run: 600 steps of 0.1 s, so it finishes about a minute after it starts."""

_ID_LINE = re.compile(r'(?:Started|Queued-up) run with ID "([^"]+)"')


class DemoRunsError(Exception):
    """The target folder cannot hold demo runs, or a demo run did not end as it should."""


@dataclass(frozen=True)
class DemoRun:
    """One run to create: which script, what command line, how the process ends, the status expected."""

    key: str                          # stable name in the manifest
    script: str                       # a file next to this one
    updates: tuple[str, ...] = ()     # what follows "with": named configs and key=value updates
    command: str | None = None        # None runs the main function
    options: tuple[str, ...] = ()
    comment: str | None = None
    expect: str = "COMPLETED"
    end: Literal["wait", "sigint", "sigkill"] = "wait"   # signals come `after` seconds (sigkill: after a beat)
    after: float = 1.0

    def describe(self) -> str:
        """What is run, as the command line says it: ``train with big steps=120``, plus any other status."""
        words = [Path(self.script).stem] + ([self.command] if self.command else [])
        if self.updates:
            words += ["with", *self.updates]
        if self.expect != "COMPLETED":
            words.append(f"(ends {self.expect})")
        return " ".join(words)

    def argv(self, target: Path) -> list[str]:
        args = [sys.executable, str(DEMO_DIR / self.script)] + ([self.command] if self.command else [])
        if self.updates:
            args += ["with", *self.updates]
        args += ["-F", str(target), *self.options]
        return args + (["-c", self.comment] if self.comment else [])


DEMO_RUNS: tuple[DemoRun, ...] = (
    # Slow ones first, so the two workers finish together.
    DemoRun("train-interrupted", "train.py", ("steps=500", "delay=0.02"), comment="stopped with Ctrl-C (SIGINT)",
            expect="INTERRUPTED", end="sigint", after=1.5),
    DemoRun("train-killed", "train.py", ("steps=1000", "delay=0.02"), options=("-b", "0.3"),
            comment="killed with SIGKILL: RUNNING forever, heartbeat stopped", expect="RUNNING", end="sigkill"),
    DemoRun("train-timeout", "train.py", ("max_seconds=1.0", "delay=0.05"), comment="time budget of 1 s",
            expect="TIMEOUT"),
    DemoRun("train-baseline", "train.py", ("steps=60", "delay=0.01"), comment="baseline"),
    DemoRun("train-big", "train.py", ("big", "steps=120", "delay=0"), comment="more data, gentler lr"),
    DemoRun("train-hard", "train.py", ("hard", "lr=0.3", "delay=0.005"), comment="overlapping clouds"),
    DemoRun("train-quick-init", "train.py", ("quick", "init=[0.0, 0.0, 0.0]")),
    # Two configs with three seeds each: the seed groups view (v) shows mean ± std across seeds.
    *(DemoRun(f"train-seed-{seed}", "train.py", ("steps=40", "delay=0", f"seed={seed}"),
              comment="seed group: baseline") for seed in (1, 2, 3)),
    *(DemoRun(f"train-big-seed-{seed}", "train.py", ("big", "steps=40", "delay=0", f"seed={seed}"),
              comment="seed group: big") for seed in (1, 2, 3)),
    DemoRun("train-diverged", "train.py", ("diverge_at=25", "delay=0.01"), comment="fails on purpose",
            expect="FAILED"),
    DemoRun("train-queued", "train.py", ("big",), options=("-q",), comment="queued, never started",
            expect="QUEUED"),
    DemoRun("hello-french", "hello_config.py", ("french", "repeat=3")),
    DemoRun("hello-shout", "hello_config.py", ("name=Ada",), command="shout", comment="a custom command"),
    DemoRun("fit-first-half", "ingredients_demo.py", ("dataset.first_half",), comment="ingredient named config"),
    DemoRun("dataset-stats", "ingredients_demo.py", command="dataset.stats", comment="an ingredient's command"),
    DemoRun("artifacts", "artifacts_demo.py", comment="text, CSV and PNG artifacts"),
)


# --------------------------------------------------------------------------------------------- the folder
def _read_manifest(target: Path) -> dict:
    """The manifest of a demo folder; a missing folder, or an empty one, gets a fresh manifest."""
    marker = target / MARKER_NAME
    fresh = {"made_by": "demo/make_runs.py", "format": MARKER_FORMAT, "runs": {}, "live_runs": []}
    if target.exists() and not target.is_dir():
        raise DemoRunsError(f"{target} is a file; demo runs need a folder (a new or empty one, or one made "
                            f"by demo/make_runs.py).")
    if marker.is_file():
        try:
            manifest = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoRunsError(f"cannot read the demo marker {marker}: {exc}. Delete the folder to start "
                                f"over.") from exc
        if (not isinstance(manifest, dict) or not isinstance(manifest.get("runs"), dict)
                or not isinstance(manifest.get("live_runs", []), list)):
            raise DemoRunsError(f"the demo marker {marker} is not a manifest written by demo/make_runs.py "
                                f"(expected a JSON object with 'runs' and 'live_runs'). Delete the folder to start over.")
        return {**fresh, **manifest}
    if target.is_dir() and any(target.iterdir()):
        raise DemoRunsError(f"{target} already holds files but no {MARKER_NAME} marker, so its runs were not "
                            f"made by the demo; refusing to add demo runs there. Pass a new or empty folder "
                            f"(the default is ./demo_runs).")
    return fresh


def _write_manifest(target: Path, manifest: dict) -> None:
    """Replace the marker atomically, so an interrupted call never leaves half a manifest."""
    marker = target / MARKER_NAME
    temp = marker.with_name(marker.name + ".tmp")
    temp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, marker)


def _run_status(run_dir: Path) -> str | None:
    try:
        return json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return None


def _already_made(target: Path, manifest: dict, run: DemoRun) -> bool:
    """True when the manifest names a run for ``run`` and that run's record is still there."""
    run_id = manifest["runs"].get(run.key)
    return isinstance(run_id, str) and _run_status(target / run_id) is not None


def _child_env() -> dict[str, str]:
    """The scripts import ``core`` from this checkout even when the package is not installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(REPO_ROOT)) if p)
    return env


# --------------------------------------------------------------------------------------------- one run
class _Child:
    """A demo script running as a subprocess, with its stderr read on a thread to learn the run id."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(argv, cwd=DEMO_DIR, env=_child_env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", errors="replace")
        self.lines: list[str] = []
        self.run_id: str | None = None
        self.id_known = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            match = _ID_LINE.search(line)
            if match and self.run_id is None:
                self.run_id = match.group(1)
                self.id_known.set()
        self.id_known.set()  # end of output: the id will not come any more

    def finish(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)

    def tail(self) -> str:
        return "".join(self.lines[-8:]).rstrip() or "(no output)"


def _wait_for_heartbeat(run_dir: Path, timeout: float) -> None:
    """Wait until run.json records a heartbeat, so the killed run has one that then stops."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("heartbeat"):
                return
        except (OSError, ValueError):
            pass  # not written yet
        time.sleep(0.05)


def _create(run: DemoRun, target: Path) -> str:
    """Run one demo script to its end and return the run id, or raise if the status is not the expected one."""
    child = _Child(run.argv(target))
    try:
        child.id_known.wait(RUN_TIMEOUT)
        if child.run_id is not None and run.end == "sigint":
            time.sleep(run.after)
            child.proc.send_signal(signal.SIGINT)
        elif child.run_id is not None and run.end == "sigkill":
            _wait_for_heartbeat(target / child.run_id, RUN_TIMEOUT)
            time.sleep(run.after)
            child.proc.kill()
    finally:
        child.finish(RUN_TIMEOUT)
    if child.run_id is None:
        raise DemoRunsError(f"{run.describe()} started no run (exit code {child.proc.returncode}):\n{child.tail()}")
    status = _run_status(target / child.run_id)
    if status != run.expect:
        raise DemoRunsError(f"{run.describe()} (run {child.run_id}) ended {status}, expected {run.expect}:\n"
                            f"{child.tail()}")
    return child.run_id


def _start_live(target: Path, progress: Callable[[str], object]) -> str | None:
    """Start the live run detached from this process (own session, no output); its id once it shows."""
    stamp = datetime.now().strftime("%H:%M:%S")
    comment = f"live run started {stamp}; finishes about a minute later"
    run = DemoRun("live", "train.py", LIVE_ARGS, comment=comment)
    earlier = {path.name for path in target.iterdir()}  # an older live run may carry the same comment
    proc = subprocess.Popen(run.argv(target), cwd=DEMO_DIR, env=_child_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Reap it when it ends, in case this process is still alive then (a UI that made its own demo).
    threading.Thread(target=proc.wait, daemon=True).start()
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        for run_dir in target.iterdir():
            if run_dir.name not in earlier and comment in _read_text(run_dir / "run.json"):
                progress(f"live run {run_dir.name}: {run.describe()} (pid {proc.pid})")
                return run_dir.name
        if proc.returncode is not None:  # set by the reaping thread
            raise DemoRunsError(f"the live run ({run.describe()}) exited at once with code {proc.returncode}; "
                                f"run it by hand to see why: {' '.join(run.argv(target)[1:])}")
        time.sleep(0.05)
    progress(f"live run started (pid {proc.pid}) but has not written its record yet")
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------- all runs
def make_demo_runs(target: Path = Path("demo_runs"), live: bool = True,
                   progress: Callable[[str], object] = print, runs: tuple[DemoRun, ...] = DEMO_RUNS) -> Path:
    """Fill ``target`` with the demo runs it does not have yet, then (if ``live``) start a live run.

    Returns:
        The target folder as an absolute path.

    Raises:
        DemoRunsError: ``target`` holds files not made by the demo, or a run did not end as expected
            (the others are still made and recorded).
    """
    target = Path(target).resolve()
    manifest = _read_manifest(target)
    target.mkdir(parents=True, exist_ok=True)
    _write_manifest(target, manifest)
    todo = [run for run in runs if not _already_made(target, manifest, run)]
    done = len(runs) - len(todo)
    if done:
        progress(f"{target}: {done} demo run(s) already there, {len(todo)} to create")
    lock = threading.Lock()
    failures: list[str] = []

    def create(index: int, run: DemoRun) -> None:
        with lock:
            progress(f"creating run {index}/{len(todo)}: {run.describe()}...")
        try:
            run_id = _create(run, target)
        except DemoRunsError as exc:
            with lock:
                failures.append(str(exc))
            return
        with lock:
            manifest["runs"][run.key] = run_id
            _write_manifest(target, manifest)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for future in [pool.submit(create, i, run) for i, run in enumerate(todo, start=1)]:
            future.result()
    if live:
        live_id = _start_live(target, progress)
        if live_id is not None:
            manifest["live_runs"].append(live_id)
            _write_manifest(target, manifest)
    if failures:
        raise DemoRunsError(f"{len(failures)} demo run(s) did not end as expected:\n" + "\n".join(failures))
    progress(f"done: {len(manifest['runs'])} demo runs in {target}. Open them with: sacred-tui {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill a folder with runs of the demo experiments.")
    parser.add_argument("target", nargs="?", type=Path, default=Path("demo_runs"),
                        help="folder for the runs (default: ./demo_runs); must be new, empty or made by this script")
    parser.add_argument("--no-live", action="store_true", help="do not start the run that goes on for a minute")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        make_demo_runs(args.target, live=not args.no_live)
    except DemoRunsError as exc:
        print(f"make_runs: {exc}", file=sys.stderr)
        return 1
    print(f"({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
