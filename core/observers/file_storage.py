"""Provides FileStorageObserver, which writes runs in Sacred 0.8.7's folder format.

Same layout, file names, JSON shapes, key order and encodings as Sacred, so folders are
interchangeable. Behaviour fixed on purpose: every JSON file is replaced atomically; run ids are claimed
with ``os.mkdir`` and a fresh listing after each collision (many processes starting at once get distinct
ids); an existing custom id is a clear error and never touches the older run, unless that run is QUEUED:
``--id`` then starts it (Sacred cannot); artifact names cannot escape the run folder or overwrite its
record files; cout.txt always equals the latest captured output (also when a filter rewrote earlier
text); metrics cost time in proportion to the new points, and new points are appended to the
``metrics.jsonl`` sidecar within about a second (metrics.json at each beat).

Writing never stops at the first failure: each file of a beat is written on its own, a failed append is
cut back, and the error names the file and folder. When the disk is full, the record stops growing, a
small reserved space is released and the final run.json says what happened (status FAILED, with the
program's own outcome in ``fail_trace``). Cout, metrics and the record have separate locks, so new
output is never kept waiting behind a large metrics.json write.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from core.observers.atomic import atomic_write_text
from core.observers.base import RunObserver
from core.observers.cout_file import CoutFile
from core.observers.file_storage_helpers import SacredFileHelpers
from core.observers.file_storage_live import LiveFiles
from core.observers.metrics_file import MetricsFile
from core.observers.process_file import PROCESS_FILE, write_process_file
from core.observers.record_space import RecordWriteError, WriteGuard, run_each
from core.observers.record_text import RecordText, encode_json
from core.observers.report_template import render_report
from core.observers.stored_files import (check_artifact_name, claim_run_dir, copy_artifact, is_inside,
                                         store_by_content, stored_copy)

__all__ = ["DEFAULT_FILE_STORAGE_PRIORITY", "FileStorageObserver"]

DEFAULT_FILE_STORAGE_PRIORITY = 20
logger = logging.getLogger(__name__)


_dumps = encode_json  # the text of core.config.values.dumps, encoded faster


class FileStorageObserver(LiveFiles, SacredFileHelpers, RunObserver):
    """Stores each run in ``<basedir>/<id>/`` (run.json, config.json, cout.txt, metrics.json, ...)."""

    VERSION = "FileStorageObserver-0.7.0"

    def __init__(self, basedir: str | os.PathLike, resource_dir: str | os.PathLike | None = None,
                 source_dir: str | os.PathLike | None = None, template: str | os.PathLike | None = None,
                 priority: int = DEFAULT_FILE_STORAGE_PRIORITY, copy_artifacts: bool = True,
                 copy_sources: bool = True) -> None:
        base = Path(basedir)
        if template is not None:
            if not os.path.exists(template):
                raise FileNotFoundError(f"Couldn't find template file '{template}'")
        elif (base / "template.html").exists():
            template = base / "template.html"
        self.initialize(base, resource_dir or base / "_resources", source_dir or base / "_sources",
                        template, priority, copy_artifacts, copy_sources)

    @classmethod
    def create(cls, *args: Any, **kwargs: Any) -> FileStorageObserver:
        """Deprecated alias of the constructor (kept for Sacred scripts)."""
        warnings.warn("FileStorageObserver.create(...) is deprecated. Please use FileStorageObserver(...) "
                      "instead.", DeprecationWarning, stacklevel=2)
        return cls(*args, **kwargs)

    @classmethod
    def create_from(cls, *args: Any, **kwargs: Any) -> FileStorageObserver:
        """Build from explicit paths, without the defaults of the constructor."""
        self = cls.__new__(cls)
        self.initialize(*args, **kwargs)
        return self

    def initialize(self, basedir: str | os.PathLike, resource_dir: str | os.PathLike,
                   source_dir: str | os.PathLike, template: str | os.PathLike | None,
                   priority: int = DEFAULT_FILE_STORAGE_PRIORITY, copy_artifacts: bool = True,
                   copy_sources: bool = True) -> None:
        """Set the paths and options; creates nothing on disk."""
        self.basedir = str(basedir)
        self.resource_dir = Path(resource_dir)
        self.source_dir = Path(source_dir)
        self.template = template
        self.priority = priority
        self.copy_artifacts = copy_artifacts
        self.copy_sources = copy_sources
        self.dir: str | None = None
        self.run_entry: dict | None = None
        self.config: dict | None = None
        self.info: dict | None = None
        self._cout_text: str | None = ""
        self._lock = threading.RLock()  # the record: run.json, info.json, artifacts, resources
        self._cout_lock = threading.RLock()
        self._metrics_lock = threading.RLock()
        self._cout: CoutFile | None = None
        self._metrics: MetricsFile | None = None
        self._info_text: str | None = None
        self._guard: WriteGuard | None = None
        self._lasting = self._record_dirty = False
        self._source_dir_relative: tuple[tuple[str, str, str], str] | None = None

    @property
    def cout(self) -> str:
        """The run's output as stored (read back from cout.txt when only changes were handed over)."""
        if self._cout_text is not None:
            return self._cout_text
        return self.stored_output()

    @cout.setter
    def cout(self, value: str) -> None:
        self._cout_text = value

    # ------------------------------------------------------------------ start
    def queued_event(self, ex_info: dict, command: str, host_info: dict, queue_time: Any, config: dict,
                     meta_info: dict, _id: Any) -> Any:
        with self._lock:
            self._forget_run()
            run_dir, run_id = self._claim(_id)
            experiment = dict(ex_info)
            experiment["sources"] = [tuple(source) for source in ex_info.get("sources", [])]
            self._begin(run_dir, config)
            self.run_entry = {"experiment": experiment, "command": command, "host": dict(host_info),
                              "meta": meta_info, "status": "QUEUED"}
            self._save_json(self.run_entry, "run.json")
            self._save_json(config, "config.json")
            if self.copy_sources:
                base_dir = ex_info.get("base_dir") or ""
                for relative, _md5 in ex_info.get("sources", []):
                    copy_artifact(os.path.join(base_dir, relative),
                                  os.path.join(run_dir, os.path.basename(relative)))
            return run_id

    def started_event(self, ex_info: dict, command: str, host_info: dict, start_time: Any, config: dict,
                      meta_info: dict, _id: Any) -> Any:
        with self._lock:
            self._forget_run()
            run_dir, run_id = self._claim(_id, take_queued=True)
            with self._writing("the run's first files"):
                experiment = dict(ex_info)
                experiment["sources"] = self._save_sources(ex_info)
                self._begin(run_dir, config)
                self._save_process_info()
                self.run_entry = {"experiment": experiment, "command": command, "host": dict(host_info),
                                  "start_time": start_time.isoformat(), "meta": meta_info, "status": "RUNNING",
                                  "resources": [], "artifacts": [], "heartbeat": None}
                self._save_record()  # remembers the text of the fixed entries for the later writes
                self._save_json(config, "config.json")
                self._cout.create()  # type: ignore[union-attr]
            return run_id

    def _claim(self, run_id: Any, take_queued: bool = False) -> tuple[str, Any]:
        try:
            return claim_run_dir(self.basedir, run_id, take_queued=take_queued)
        except FileExistsError:
            raise
        except OSError as exc:
            where = os.path.abspath(self.basedir)
            raise RecordWriteError(f"Cannot create a run folder in {where}: {exc.strerror or exc}. "
                                   "Choose a writable runs folder (-F/--file_storage).") from exc

    def _save_process_info(self) -> None:
        with self._writing(PROCESS_FILE):
            write_process_file(self.dir)  # type: ignore[arg-type]

    def _forget_run(self) -> None:
        """Drop the previous run's state first, so a failed start can never write into that run."""
        if self._metrics is not None:
            self._metrics.close()
        if self._guard is not None:
            self._guard.close()
        self.dir = self.run_entry = self.config = self.info = None
        self._cout = self._metrics = self._guard = None
        self._info_text = None
        self._cout_text = ""

    def _begin(self, run_dir: str, config: dict) -> None:
        self.dir = run_dir
        self._guard = WriteGuard(run_dir)
        self._record_text = RecordText()
        self._lasting = self._record_dirty = False
        self.config = config
        self.info = {}
        self._cout = CoutFile(os.path.join(run_dir, "cout.txt"))
        self._metrics = MetricsFile(run_dir)

    def _save_sources(self, ex_info: dict) -> list[list[str]]:
        base_dir = ex_info.get("base_dir") or ""
        source_dir = str(self.source_dir)
        cwd = os.getcwd()
        saved = []
        for relative, _md5 in ex_info.get("sources", []):
            path = os.path.join(base_dir, relative)
            if not self.copy_sources or (not self.copy_artifacts and is_inside(path, self.basedir)):
                stored = path
            else:
                stored = stored_copy(path, source_dir)
            saved.append([relative, self._relative_to_basedir(stored, source_dir, cwd)])
        return saved

    def _relative_to_basedir(self, path: str, source_dir: str, cwd: str) -> str:
        """``os.path.relpath(path, basedir)``; for a file directly in the sources folder, from that
        folder's own relative path, worked out once (every run of an experiment stores its sources there)."""
        folder, name = os.path.split(path)
        if folder != source_dir:
            return os.path.relpath(path, self.basedir)
        known = self._source_dir_relative
        if known is None or known[0] != (folder, self.basedir, cwd):
            known = self._source_dir_relative = ((folder, self.basedir, cwd), os.path.relpath(folder, self.basedir))
        return name if known[1] == os.curdir else os.path.join(known[1], name)

    def _find_or_save(self, filename: str, store_dir: Path) -> Any:
        """The stored copy of ``filename`` (``<stem>_<md5><ext>``), copied only if not there yet."""
        if not self.copy_artifacts and is_inside(filename, self.basedir):
            return filename
        return store_by_content(filename, store_dir)

    # ------------------------------------------------------------------ during the run
    def heartbeat_event(self, info: dict, captured_out: str | None, beat_time: Any, result: Any) -> None:
        """A beat: cout.txt (unless ``captured_out`` is None: the run hands over changes), metrics.json,
        run.json and info.json, each written on its own."""
        self._beat(info, captured_out, beat_time, result, save_record=True)

    def final_beat_event(self, info: dict, captured_out: str | None, beat_time: Any, result: Any) -> None:
        """The beat right before the final event (ours): run.json is written once, by that final event."""
        self._beat(info, captured_out, beat_time, result, save_record=False)

    def _beat(self, info: dict, captured_out: str | None, beat_time: Any, result: Any, save_record: bool) -> None:
        with self._lock:
            run_entry = self._running()
            self.info = info
            run_entry["heartbeat"] = beat_time.isoformat()
            run_entry["result"] = result
            if self._broken:
                return
            steps = [self._flush_metrics, lambda: self._save_info(info)]
            if captured_out is not None:
                steps.insert(0, lambda: self._write_cout(captured_out))
            if save_record:
                steps.append(self._save_record)
            run_each(steps)

    def progress_event(self) -> None:
        """While a run lasts: at the first call what only longer runs need (the space reserve,
        metrics.jsonl from now on); then run.json when an artifact or resource was added since it
        was written."""
        with self._lock:
            if self.run_entry is None or self._broken:
                return
            steps = []
            if not self._lasting:
                steps += [self._start_lasting, self._guard.reserve_space]  # type: ignore[union-attr]
            if self._record_dirty:
                steps.append(self._save_record)
            run_each(steps)

    def resource_event(self, filename: str) -> None:
        with self._lock:
            run_entry = self._running()
            self._refuse_if_broken(f"resource {filename}")
            with self._writing(f"the resource {filename}"):
                stored = self._find_or_save(filename, self.resource_dir)
            run_entry["resources"].append([filename, str(stored)])
            self._record_dirty = True  # run.json at the next progress event, beat or end

    def artifact_event(self, name: str, filename: str, metadata: Any = None,
                       content_type: str | None = None) -> None:
        with self._lock:
            run_entry = self._running()
            name = os.path.basename(filename) if name is None else name
            check_artifact_name(name)
            self._refuse_if_broken(f"artifact {name!r}")
            with self._writing(f"the artifact {name!r}"):
                copy_artifact(filename, os.path.join(self.dir, name))  # type: ignore[arg-type]
            run_entry["artifacts"].append(name)
            self._record_dirty = True  # run.json at the next progress event, beat or end

    # ------------------------------------------------------------------ end
    def completed_event(self, stop_time: Any, result: Any) -> None:
        self._end(stop_time, "COMPLETED", result=result)

    def interrupted_event(self, interrupt_time: Any, status: str) -> None:
        self._end(interrupt_time, status)

    def failed_event(self, fail_time: Any, fail_trace: list[str]) -> None:
        self._end(fail_time, "FAILED", fail_trace=fail_trace)

    def _end(self, stop_time: Any, status: str, **entries: Any) -> None:
        with self._lock:
            run_entry = self.run_entry
            if run_entry is None:  # the start failed here (e.g. the id existed): no folder of ours
                return
            run_entry["stop_time"] = stop_time.isoformat()
            run_entry.update(entries)
            run_entry["status"] = status
            self._finish(run_entry)

    def _finish(self, run_entry: dict) -> None:
        """Write what still waits, the final run.json (saying so if the record is incomplete), the report."""
        steps = [] if self._broken or not self._metrics or not self._metrics.waiting else [self._flush_metrics]
        steps += [lambda: self._save_record(final=True), self._render_template]
        try:
            run_each(steps)
        finally:
            if self._guard is not None:
                self._guard.close()
            if self._metrics is not None:
                self._metrics.close()

    # ------------------------------------------------------------------ helpers
    def _running(self) -> dict:
        if self.run_entry is None or self.dir is None:
            raise RuntimeError(f"{self!r} got an event for a run that did not start here "
                               "(no started_event, or the start failed).")
        return self.run_entry

    def _save_json(self, obj: Any, filename: str) -> None:
        text = _dumps(obj)
        with self._writing(filename):
            atomic_write_text(os.path.join(self.dir, filename), text)  # type: ignore[arg-type]

    def _save_record(self, final: bool = False) -> None:
        """Write run.json; a result JSON cannot hold is stored as its repr (with a warning)."""
        run_entry = self.run_entry
        if final and self._guard is not None:
            run_entry = self._guard.final_entry(run_entry)  # type: ignore[arg-type]
        try:
            text = self._record_text.encode(run_entry)  # type: ignore[arg-type]
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            if run_entry is None or run_entry.get("result") is None:
                raise
            from core.safe_text import safe_repr
            logger.warning("The result of run %s cannot be stored as JSON (%s: %s); storing its repr "
                           "instead.", os.path.basename(self.dir or ""), type(exc).__name__, exc)
            run_entry["result"] = safe_repr(run_entry["result"])
            text = self._record_text.encode(run_entry)
        with self._writing("run.json"):
            atomic_write_text(os.path.join(self.dir, "run.json"), text)  # type: ignore[arg-type]
        self._record_dirty = False

    def _save_info(self, info: dict) -> None:
        if not info:
            return
        text = _dumps(info)
        if text != self._info_text:
            with self._writing("info.json"):
                atomic_write_text(os.path.join(self.dir, "info.json"), text)  # type: ignore[arg-type]
            self._info_text = text

    @property
    def _broken(self) -> str | None:
        return self._guard.broken if self._guard is not None else None

    def _writing(self, what: str) -> Any:
        """Failed writes become errors naming the file and folder (see ``WriteGuard``)."""
        return self._guard.writing(what) if self._guard is not None else contextlib.nullcontext()

    def _refuse_if_broken(self, what: str) -> None:
        if self._guard is not None:
            self._guard.refuse_if_broken(what)

    def _render_template(self) -> None:
        render_report(self.template, self.dir, run=self.run_entry, config=self.config,  # type: ignore[arg-type]
                      info=self.info, cout=self.cout, savedir=self.dir)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileStorageObserver):
            return self.basedir == other.basedir
        return NotImplemented

    def __hash__(self) -> int:
        return hash((FileStorageObserver, self.basedir))

    def __repr__(self) -> str:
        return f"FileStorageObserver({self.basedir!r})"

