"""Provides ``Run``: one execution of a command, its lifecycle, heartbeat and observer events.

Nothing a run printed or logged may be lost: on every exit path (completed, failed, interrupted,
SIGTERM) the capture is drained and observers get one final beat before the final event.
"""
from __future__ import annotations

import datetime
import logging
import os
import signal
import threading
import time
from typing import Any, Callable

from core.errors import RunError, SacredInterrupt
from core.output_filter import OutputBuffer
from core.settings import SETTINGS
from core.tracebacks import format_filtered_exception

class TerminatedInterrupt(SacredInterrupt):
    """Raised in the main thread when the process receives SIGTERM; the run ends INTERRUPTED."""

    STATUS = "INTERRUPTED"


def utcnow() -> datetime.datetime:
    """Naive UTC now, as Sacred stores it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def format_elapsed(seconds: float) -> str:
    return str(datetime.timedelta(seconds=round(seconds)))


class Run:
    """The state of one run; ``run()`` executes it and reports to the observers."""

    def __init__(self, config: dict, config_modifications: Any, main_function: Callable,
                 observers: list, root_logger: logging.Logger, run_logger: logging.Logger,
                 experiment_info: Callable[[], dict], host_info: Callable[[], dict],
                 pre_run_hooks: list[Callable], post_run_hooks: list[Callable],
                 captured_out_filter: Callable[[str], str] | None = None) -> None:
        from core.metrics import MetricsLogger
        self._id: Any = None
        self.config = config
        self.config_modifications = config_modifications
        self.main_function = main_function
        self.observers = list(observers)
        self.root_logger = root_logger
        self.run_logger = run_logger
        self._experiment_info_factory = experiment_info
        self._host_info_factory = host_info
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
        self.captured_out = ""
        self.debug = False
        self.pdb = False
        self.beat_interval = float(SETTINGS.DEFAULT_BEAT_INTERVAL)
        self.unobserved = False
        self.force = False
        self.queue_only = False
        self.capture_mode: str | None = None
        self._metrics = MetricsLogger()
        self.log_scalar = self._metrics.log_scalar
        self._failed_observers: list = []
        self._observer_lock = threading.RLock()
        self._output = OutputBuffer()
        self._capture: Any = None
        self._stop_beat = threading.Event()
        self._beat_thread: threading.Thread | None = None

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
        if not os.path.isfile(filename):
            self.run_logger.error("Artifact %r not stored: file %s does not exist.", name, filename)
            return
        self._emit("artifact_event", name, filename, metadata, content_type)

    # ------------------------------------------------------------------ lifecycle
    def __call__(self, *args: Any) -> Any:
        if self.start_time is not None:
            raise RuntimeError(f"A run can only be started once. (Last start was {self.start_time})")
        if self.unobserved:
            self.observers = []
        else:
            self.observers = sorted(self.observers, key=lambda o: -getattr(o, "priority", 0))
        if not self.observers and not (self.debug or self.unobserved):
            self.run_logger.warning("No observers have been added to this run")
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
            self.run_logger.info("Running command '%s'", self.main_function.__name__)
            self._emit_started()
            self.run_logger.info('Started run with ID "%s"' % self._id if self._id is not None else "Started")
            self._start_heartbeat()
            self.result = self._execute(args)
            if self.result is not None:
                self.run_logger.info("Result: %s", self.result)
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
        self.run_logger.info("Queuing-up command '%s'", self.main_function.__name__)
        queue_time = utcnow()
        self.meta_info["queue_time"] = queue_time
        for observer in self.observers:
            _id = observer.queued_event(
                ex_info=self.experiment_info, command=self._command_name(), host_info=self.host_info,
                queue_time=queue_time, config=self.config, meta_info=self.meta_info, _id=self._id)
            if self._id is None:
                self._id = _id
        self.status = "QUEUED"
        self.run_logger.info('Queued-up run with ID "%s"' % self._id if self._id is not None else "Queued")

    def _command_name(self) -> str:
        prefix = getattr(self.main_function, "prefix", None)
        name = self.main_function.__name__
        return f"{prefix}.{name}" if prefix else name

    def _emit_started(self) -> None:
        if self.observers:
            from core.run_info import enforce_clean_if_asked
            enforce_clean_if_asked(self)
        for observer in self.observers:
            with self._observer_lock:
                _id = observer.started_event(
                    ex_info=self.experiment_info, command=self._command_name(), host_info=self.host_info,
                    start_time=self.start_time, config=self.config, meta_info=self.meta_info, _id=self._id)
            if self._id is None:
                self._id = _id

    def _finish(self, status: str) -> None:
        """Stop the heartbeat, drain the output, send the final beat and the final event."""
        self._stop_heartbeat()
        if self._capture is not None:
            self._capture.stop()
        self._collect_output()
        self._final_beat()
        self.status = status
        self.stop_time = utcnow()
        if status == "COMPLETED":
            self._emit_final("completed_event", stop_time=self.stop_time, result=self.result)
        elif status == "FAILED":
            self._emit_final("failed_event", fail_time=self.stop_time, fail_trace=self.fail_trace)
        else:
            self._emit_final("interrupted_event", interrupt_time=self.stop_time, status=status)

    def _close(self) -> None:
        for observer in self._failed_observers:
            self.run_logger.warning("The observer '%r' failed at some point during the run.", observer)
        for observer in self.observers:
            join = getattr(observer, "join", None)
            if join is not None:
                try:
                    join()
                except Exception as exc:  # an observer must never kill the run
                    self.run_logger.warning("Observer %r failed to finish: %s", observer, exc)

    # ------------------------------------------------------------------ heartbeat and output
    def _start_heartbeat(self) -> None:
        self._stop_beat.clear()
        self._beat_thread = threading.Thread(target=self._heartbeat_loop, name="run-heartbeat", daemon=True)
        self._beat_thread.start()

    def _stop_heartbeat(self) -> None:
        self._stop_beat.set()
        if self._beat_thread is not None:
            self._beat_thread.join()
            self._beat_thread = None

    def _heartbeat_loop(self) -> None:
        flush_every = float(SETTINGS.OUTPUT_FLUSH_INTERVAL)
        beating = self.beat_interval > 0
        tick = min(flush_every, self.beat_interval) if beating else flush_every
        next_beat = time.monotonic() + self.beat_interval
        while not self._stop_beat.wait(tick):
            try:
                if self._capture is not None:
                    self._capture.flush()
                self._collect_output()
                if beating and time.monotonic() >= next_beat:
                    next_beat = time.monotonic() + self.beat_interval
                    self._beat()
            except Exception as exc:  # the heartbeat must never die silently mid-run
                self.run_logger.warning("Heartbeat problem: %s", exc)

    def _collect_output(self) -> None:
        new_text = self._capture.read_new() if self._capture is not None else ""
        if not new_text:
            return
        self._output.append(new_text)
        try:
            text = self._output.filtered(self.captured_out_filter)
        except Exception as exc:
            self.run_logger.warning("captured_out_filter failed: %s", exc)
            text = self._output.text
        self.captured_out = text
        self._emit("output_event", text)

    def _beat(self, final: bool = False) -> None:
        self._emit("log_metrics", self._metrics.drain(), self.info)
        beat = dict(info=self.info, captured_out=self.captured_out, beat_time=utcnow(), result=self.result)
        for observer in self._healthy_observers():
            # Our file observer skips writing run.json on the last beat: the final event writes it anyway.
            event = "final_beat_event" if final and hasattr(observer, "final_beat_event") else "heartbeat_event"
            self._call(observer, event, **beat)

    def _final_beat(self) -> None:
        if self.beat_interval > 0:
            self._beat(final=True)
            return
        metrics = self._metrics.drain()
        if metrics:
            self._emit("log_metrics", metrics, self.info)

    # ------------------------------------------------------------------ observer calls
    def _healthy_observers(self) -> list:
        return [o for o in self.observers if o not in self._failed_observers]

    def _emit(self, method_name: str, *args: Any, **kwargs: Any) -> None:
        """Call an event on every healthy observer; one that fails is warned about once and dropped."""
        for observer in self._healthy_observers():
            self._call(observer, method_name, *args, **kwargs)

    def _call(self, observer: Any, method_name: str, *args: Any, **kwargs: Any) -> None:
        method = getattr(observer, method_name, None)
        if method is None:
            return
        try:
            with self._observer_lock:
                method(*args, **kwargs)
        except Exception as exc:
            self._failed_observers.append(observer)
            self.run_logger.warning("An error occurred in the '%r' observer: %s", observer, exc)

    def _emit_final(self, method_name: str, **kwargs: Any) -> None:
        for observer in self.observers:
            try:
                with self._observer_lock:
                    getattr(observer, method_name)(**kwargs)
            except Exception:
                self.run_logger.exception("Error in the %s of observer %r", method_name, observer)

    def __repr__(self) -> str:
        return f"<Run {self._id!r} {self.status}>"


def set_global_seed(seed: Any) -> None:
    """Seed ``random``, and numpy / torch when the program already imported them."""
    if seed is None:
        return
    import random
    import sys
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(seed)


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
