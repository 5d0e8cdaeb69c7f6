"""Provides ``Run``: one execution of a command, its lifecycle, heartbeat and observer events.

Nothing a run printed or logged may be lost: on every exit path (completed, failed, interrupted,
SIGTERM) the capture is drained and observers get one final beat before the final event.
"""
from __future__ import annotations

import collections
import datetime
import logging
import os
import signal
import stat
import threading
import time
from typing import Any, Callable

from core.errors import RunError, SacredInterrupt
from core.run_handover import RunHandover, utcnow
from core.safe_text import safe_repr
from core.settings import SETTINGS
from core.tracebacks import format_filtered_exception

class TerminatedInterrupt(SacredInterrupt):
    """Raised in the main thread when the process receives SIGTERM; the run ends INTERRUPTED."""

    STATUS = "INTERRUPTED"


def format_elapsed(seconds: float) -> str:
    return str(datetime.timedelta(seconds=round(seconds)))


class Run(RunHandover):
    """The state of one run; ``run()`` executes it and reports to the observers."""

    def __init__(self, config: dict, config_modifications: Any, main_function: Callable,
                 observers: list, root_logger: logging.Logger, run_logger: logging.Logger,
                 experiment_info: Callable[[], dict], host_info: Callable[[], dict],
                 pre_run_hooks: list[Callable], post_run_hooks: list[Callable],
                 captured_out_filter: Callable[[str], str] | None = None) -> None:
        from core.metrics import MetricsBatch, MetricsLogger
        self._id: Any = None
        self.config = config
        self.config_modifications = config_modifications
        self.main_function = main_function
        self.observers = list(observers)
        self.root_logger = root_logger
        self.run_logger = run_logger
        # a dict (as Sacred's Run takes) or a function that gathers it when first needed
        self._experiment_info_factory = experiment_info if callable(experiment_info) else lambda: experiment_info
        self._host_info_factory = host_info if callable(host_info) else lambda: host_info
        self._experiment_info: dict | None = None
        self._host_info: dict | None = None
        self.pre_run_hooks = pre_run_hooks
        self.post_run_hooks = post_run_hooks
        self.captured_out_filter = captured_out_filter
        self.info: dict = {}
        self.meta_info: dict = {}
        self.result: Any = None
        self.status: str | None = None
        self.start_time: datetime.datetime | None = None
        self.stop_time: datetime.datetime | None = None
        self.fail_trace: list[str] | None = None
        self.debug = False
        self.pdb = False
        self.beat_interval = float(SETTINGS.DEFAULT_BEAT_INTERVAL)
        self.unobserved = False
        self.force = False
        self.queue_only = False
        self.capture_mode: str | None = None
        self._metrics = MetricsLogger()
        self.log_scalar = self._metrics.log_scalar
        self._beat_metrics = MetricsBatch()  # points waiting for the next beat (observers not storing live)
        self._live_metrics: collections.deque = collections.deque()  # slices not yet handed over live
        self._calls: Any = None
        self._output: Any = None
        self._output_lock = threading.Lock()
        self._captured_out: str | None = None
        self._capture: Any = None
        self._workers: list = []
        self._workers_lock = threading.Lock()
        self._workers_state = "none"
        self._workers_timer: Any = None
        self._started_at = 0.0

    # ------------------------------------------------------------------ lazily gathered facts
    @property
    def experiment_info(self) -> dict:
        if self._experiment_info is None:
            self._experiment_info = self._experiment_info_factory()
        return self._experiment_info

    @experiment_info.setter
    def experiment_info(self, value: dict) -> None:
        self._experiment_info = value

    @property
    def host_info(self) -> dict:
        if self._host_info is None:
            self._host_info = self._host_info_factory()
        return self._host_info

    @host_info.setter
    def host_info(self, value: dict) -> None:
        self._host_info = value

    @property
    def captured_out(self) -> str:
        """Everything the run printed so far, filtered as stored (read back from the record if not held)."""
        if self._captured_out is not None:
            return self._captured_out
        output = self._output
        if output is None:
            return ""
        if not output.keeps_whole:
            for observer in self._calls.have("stored_output"):
                with self._output_lock:
                    try:
                        return observer.stored_output()
                    except Exception:  # the record may be unreadable; what is held is the best left
                        break
        return output.text

    @captured_out.setter
    def captured_out(self, value: str) -> None:
        self._captured_out = value

    @property
    def record_problems(self) -> list[str]:
        """Observer events that failed: where non-empty, the stored record of this run is incomplete."""
        return list(self._calls.problems) if self._calls is not None else []

    # ------------------------------------------------------------------ API used inside a run
    def open_resource(self, filename: str, mode: str = "r") -> Any:
        """Open a file the run reads, and record it as a resource."""
        filename = os.path.abspath(filename)
        self.add_resource(filename)
        return open(filename, mode)

    def add_resource(self, filename: str) -> None:
        """Record a file the run reads (observers store a copy)."""
        filename = os.path.abspath(filename)
        self._emit("resource_event", filename)

    def add_artifact(self, filename: str, name: str | None = None, metadata: dict | None = None,
                     content_type: str | None = None) -> None:
        """Store a file the run produced under ``name`` (default: its basename) in the run's record."""
        filename = os.path.abspath(filename)
        name = os.path.basename(filename) if name is None else name
        from core.observers.stored_files import check_artifact_name
        try:
            check_artifact_name(name)
        except ValueError as problem:
            self.run_logger.error("Artifact not stored: %s", problem)
            return
        try:
            mode = os.stat(filename).st_mode
        except (OSError, ValueError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            self.run_logger.error("Artifact %r not stored: %s is a directory; add the files in it one by one "
                                  "(or an archive of it).", name, filename)
            return
        if mode is None or not stat.S_ISREG(mode):
            what = "is not a regular file" if mode is not None else "does not exist"
            self.run_logger.error("Artifact %r not stored: %s %s.", name, filename, what)
            return
        self._emit("artifact_event", name, filename, metadata, content_type)

    # ------------------------------------------------------------------ lifecycle
    def __call__(self, *args: Any) -> Any:
        if self.start_time is not None:
            raise RuntimeError(f"A run can only be started once. (Last start was {self.start_time})")
        from core.run_observers import ObserverCalls
        if self.unobserved:
            self.observers = []
        self._calls = ObserverCalls(self.observers, self.run_logger)
        self.observers = list(self._calls.observers)
        self.warn_if_unobserved()
        set_global_seed(self.config.get("seed"))
        if self.queue_only:
            self._queue()
            return None
        mode = self.capture_mode or (SETTINGS.CAPTURE_MODE if self.observers else "no")
        from core.capture_output import create_capture
        self._capture = create_capture(mode)
        previous_sigterm = _install_sigterm_handler()
        started = time.monotonic()
        try:
            self._capture.start()
            self.run_logger.debug('Using capture mode "%s"', getattr(self._capture, "active_mode", mode))
            self.status = "RUNNING"
            self.start_time = utcnow()
            self.run_logger.info("Running command '%s'", self._command_name())
            self._emit_started()
            self.run_logger.info('Started run with ID "%s"' % self._id if self._id is not None else "Started")
            self._start_workers()
            self.result = self._execute(args)
            if self.result is not None:
                self.run_logger.info("Result: %s", safe_repr(self.result, limit=1000))
            self.run_logger.info("Completed after %s", format_elapsed(time.monotonic() - started))
            self._finish("COMPLETED")
            return self.result
        except (KeyboardInterrupt, SacredInterrupt) as exc:
            status = getattr(exc, "STATUS", "INTERRUPTED")
            self.run_logger.warning("Aborted after %s!", format_elapsed(time.monotonic() - started))
            self._finish(status)
            raise
        except BaseException as exc:
            self.fail_trace = format_filtered_exception(exc)
            self.run_logger.error("Failed after %s!", format_elapsed(time.monotonic() - started))
            self._finish("FAILED")
            raise
        finally:
            _restore_sigterm_handler(previous_sigterm)
            self._close()

    def warn_if_unobserved(self) -> None:
        """Warn that nothing records this run (not in debug mode, not when unobserved on purpose)."""
        if not self.observers and not (self.debug or self.unobserved):
            self.run_logger.warning("No observers have been added to this run")

    def _execute(self, args: tuple) -> Any:
        for hook in self.pre_run_hooks:
            hook()
        try:
            result = self.main_function(*args)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
            result = None
        for hook in self.post_run_hooks:
            hook()
        return result

    def _queue(self) -> None:
        self.run_logger.info("Queuing-up command '%s'", self._command_name())
        queue_time = utcnow()
        self.meta_info["queue_time"] = queue_time
        self._id = self._calls.start(
            "queued_event", self._id, ex_info=self.experiment_info, command=self._command_name(),
            host_info=self.host_info, queue_time=queue_time, config=self.config, meta_info=self.meta_info)
        self.status = "QUEUED"
        self.run_logger.info('Queued-up run with ID "%s"' % self._id if self._id is not None else "Queued")

    def _command_name(self) -> str:
        prefix = getattr(self.main_function, "prefix", None)
        signature = getattr(self.main_function, "signature", None)
        name = getattr(signature, "name", None) or self.main_function.__name__
        return f"{prefix}.{name}" if prefix else name

    def _emit_started(self) -> None:
        from core.captured_output import CapturedOutput
        self._output = CapturedOutput(self.captured_out_filter, keep_whole=not self.observers)
        self._id = self._calls.start(
            "started_event", self._id, ex_info=self.experiment_info, command=self._command_name(),
            host_info=self.host_info, start_time=self.start_time, config=self.config, meta_info=self.meta_info)
        if any(getattr(o, "output_progress", None) is None for o in self._calls.active):
            self._output.keeps_whole = True  # someone needs the whole text at every beat

    def _finish(self, status: str) -> None:
        """Stop the workers, drain the output, send the final beat and the final event."""
        self._stop_workers()
        if self._capture is not None:
            self._capture.stop()
        if self._output is not None:
            self._collect_output()
        self._flush_metrics()
        self._final_beat()
        self.status = status
        self.stop_time = utcnow()
        if status == "COMPLETED":
            self._emit("completed_event", stop_time=self.stop_time, result=self.result)
        elif status == "FAILED":
            self._emit("failed_event", fail_time=self.stop_time, fail_trace=self.fail_trace)
        else:
            self._emit("interrupted_event", interrupt_time=self.stop_time, status=status)

    def _close(self) -> None:
        self._stop_workers()
        self._calls.join()
        self._calls.report()

    # ------------------------------------------------------------------ observer calls
    def _emit(self, method_name: str, *args: Any, **kwargs: Any) -> None:
        """Call an event on every observer that started this run; failures are reported, never raised."""
        if self._calls is not None:
            self._calls.emit(method_name, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<Run {self._id!r} {self.status}>"


def set_global_seed(seed: Any) -> None:
    """Seed ``random``, numpy (also when first imported later), TensorFlow and PyTorch, as Sacred does."""
    if seed is None:
        return
    from core.randomness import set_global_seed as seed_everything
    seed_everything(seed)


def _install_sigterm_handler() -> Any:
    if threading.current_thread() is not threading.main_thread():
        return None

    def on_sigterm(signum: int, frame: Any) -> None:
        raise TerminatedInterrupt("received SIGTERM")

    try:
        return signal.signal(signal.SIGTERM, on_sigterm)
    except (ValueError, OSError):
        return None


def _restore_sigterm_handler(previous: Any) -> None:
    if previous is None or threading.current_thread() is not threading.main_thread():
        return
    try:
        signal.signal(signal.SIGTERM, previous)
    except (ValueError, OSError):
        pass


def current_run_required(run: Run | None) -> Run:
    if run is None:
        raise RunError("Can only be called during a run.")
    return run
