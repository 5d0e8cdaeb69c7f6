"""Provides StoredRun: tolerant access to one run directory of a Sacred-format runs folder.

Every read goes through a per-run cache keyed on each file's (inode, mtime_ns, size), so reading an
unchanged run again costs a few ``stat`` calls. Anything wrong with the files (missing, torn, not
JSON, not UTF-8, wrong shape, not a regular file, unreadable) is recorded as a problem text and never
raised to the caller. Artifacts, resources and sources are only read where they resolve inside the
run directory (``_resources``/``_sources`` of the runs folder for those), whatever run.json says.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from core.runs._jsonfile import FileKey, JsonFileCache, stat_key
from core.runs.follow import MetricsFollower, TextTail
from core.runs.layout import (CONFIG_JSON, COUT_TXT, INFO_JSON, METRICS_JSON, METRICS_JSONL, PROCESS_JSON,
                              RESOURCES_DIR, RUN_JSON, SOURCES_DIR)
from core.runs.metrics import (MetricSeries, add_metric_lines, parse_metrics_json,
                               split_complete_lines)
from core.runs.record import RunRecord
from core.runs.safe_open import describe_error, open_regular, read_regular, regular_size

if TYPE_CHECKING:
    from core.runs.folder import RunsFolder

_MD5 = re.compile(r"[0-9a-f]{32}")

MAX_SOURCE_BYTES = 4 * 1024 * 1024
"""Longest stored source file read whole; a bigger one is cut (with a note at the end)."""


@dataclass(frozen=True, slots=True)
class ArtifactEntry:
    """An artifact listed in run.json; ``exists`` is False for missing files and unsafe names.

    ``problem`` says why an artifact that is listed cannot be shown (``refused: ...``, ``missing``).
    """

    name: str
    path: Path
    size: int | None
    exists: bool
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ResourceEntry:
    """A resource opened by the run: its original path, the recorded copy and where it is now."""

    original_path: str
    stored_path: str
    path: Path
    exists: bool


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A source file of the experiment and its stored copy (``md5`` only for queued runs)."""

    relpath: str
    stored_path: Path | None
    exists: bool
    md5: str | None = None


def _safe_name(name: str) -> bool:
    """True when an artifact name stays inside the run directory."""
    if not name or "\x00" in name or "\\" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _first_inside(candidates: list[Path], folder: Path) -> Path | None:
    """The first candidate that is a regular file resolving inside ``folder``."""
    return next((path for path in candidates if regular_size(path, folder) is not None), None)


def _artifact_state(path: Path, run_dir: Path) -> tuple[int | None, str | None]:
    """(size, None) for a readable artifact, else (None, why it is not shown)."""
    try:
        fd = open_regular(path, run_dir)
    except OSError as exc:
        return None, describe_error(exc)
    try:
        return os.fstat(fd).st_size, None
    finally:
        os.close(fd)


class StoredRun:
    """One run directory. Reads are cached; ``problems()`` lists what the latest reads found."""

    def __init__(self, folder: RunsFolder | str | os.PathLike[str], run_id: str) -> None:
        self.folder_path = Path(folder.path) if hasattr(folder, "path") else Path(folder)
        self.run_id = run_id
        self.dir = self.folder_path / run_id
        self._json = JsonFileCache()
        self._problems: dict[str, str] = {}
        self._record: RunRecord | None = None
        self._record_source: object = None
        self._metrics_source: object = None
        self._metrics_json: dict[str, MetricSeries] = {}
        self._sidecar_key: FileKey | None = None
        self._sidecar: dict[str, MetricSeries] = {}

    def __repr__(self) -> str:
        return f"StoredRun({str(self.folder_path)!r}, {self.run_id!r})"

    @property
    def cout_path(self) -> Path:
        """Path of the captured output (cout.txt)."""
        return self.dir / COUT_TXT

    def cout_tail(self) -> TextTail:
        """Return a follower of cout.txt starting at its first byte."""
        return TextTail(self.cout_path)

    def metrics_follower(self) -> MetricsFollower:
        """Return a follower whose first poll returns every metric point so far."""
        return MetricsFollower(self.dir)

    def _note(self, topic: str, problem: str | None) -> None:
        if problem is None:
            self._problems.pop(topic, None)
        else:
            self._problems[topic] = problem

    def _read_object(self, name: str, required: bool) -> dict[str, Any]:
        read = self._json.read(self.dir / name, expect=dict)
        if read.missing:
            self._note(name, f"no {name}" if required else None)
            return {}
        self._note(name, read.problem)
        return read.value if read.value is not None else {}

    def read_record(self) -> RunRecord:
        """Return run.json as a RunRecord (the last good version if the file is torn now)."""
        read = self._json.read(self.dir / RUN_JSON, expect=dict)
        if read.missing:
            self._note(RUN_JSON, f"no {RUN_JSON} (not a run folder?)")
            self._record, self._record_source = None, None
            return RunRecord(id=self.run_id)
        self._note(RUN_JSON, read.problem)
        if self._record is None or read.value is not self._record_source:
            self._record = RunRecord.from_json(self.run_id, read.value)
            self._record_source = read.value
        return self._record

    def read_config(self) -> dict[str, Any]:
        """Return config.json ({} when missing or unreadable). Shared with the cache: do not mutate."""
        return self._read_object(CONFIG_JSON, required=True)

    def read_info(self) -> dict[str, Any]:
        """Return info.json ({} when absent: Sacred writes it only when the run stored info)."""
        return self._read_object(INFO_JSON, required=False)

    def read_process(self) -> tuple[int | None, str | None]:
        """Return ``(pid, hostname)`` of the process that ran this run, when our observer recorded it."""
        data = self._read_object(PROCESS_JSON, required=False)
        pid, hostname = data.get("pid"), data.get("hostname")
        return (pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
                hostname if isinstance(hostname, str) else None)

    def read_metrics(self) -> dict[str, MetricSeries]:
        """Return every metric: from metrics.json, or metrics.jsonl where that has more points."""
        data = self._read_object(METRICS_JSON, required=False)
        if data is not self._metrics_source:
            self._metrics_json, bad = parse_metrics_json(data)
            self._metrics_source = data
            self._note("metrics.json entries",
                       f"{METRICS_JSON}: malformed entries {', '.join(map(repr, bad))}" if bad else None)
        merged = dict(self._metrics_json)
        for name, series in self._read_sidecar().items():
            current = merged.get(name)
            if current is None or len(series) > len(current):
                merged[name] = series
        return {name: MetricSeries(list(s.steps), list(s.timestamps), list(s.values))
                for name, s in merged.items()}

    def _read_sidecar(self) -> dict[str, MetricSeries]:
        path = self.dir / METRICS_JSONL
        try:
            key = stat_key(path)
        except OSError:
            key = None
        if key is None:
            self._sidecar_key, self._sidecar = None, {}
            self._note(METRICS_JSONL, None)
            return {}
        if key == self._sidecar_key:
            return self._sidecar
        try:
            data = read_regular(path)
        except OSError as exc:
            self._note(METRICS_JSONL, f"{METRICS_JSONL}: {describe_error(exc)}")
            self._sidecar_key = key
            return self._sidecar
        lines, _used = split_complete_lines(data)
        series: dict[str, MetricSeries] = {}
        bad = add_metric_lines(lines, series)
        self._note(METRICS_JSONL, f"{METRICS_JSONL}: {bad} unreadable line(s) skipped" if bad else None)
        self._sidecar_key, self._sidecar = key, series
        return series

    def artifacts(self) -> list[ArtifactEntry]:
        """Return the artifacts named in run.json, without duplicates, in the order added."""
        entries: list[ArtifactEntry] = []
        unsafe: list[str] = []
        for name in dict.fromkeys(self.read_record().artifacts):
            if not _safe_name(name):
                unsafe.append(name)
                entries.append(ArtifactEntry(name, self.dir / name.replace("\x00", ""), None, False,
                                             "refused: the name leads outside the run folder"))
                continue
            path = self.dir / name
            size, problem = _artifact_state(path, self.dir)
            if problem is not None and problem != "missing":
                problem = f"refused: {problem}"
                unsafe.append(name)
            entries.append(ArtifactEntry(name, path, size, size is not None, problem))
        self._note("artifacts", "artifacts refused (outside the run folder or not regular files): "
                   + ", ".join(map(repr, unsafe)) if unsafe else None)
        return entries

    def resources(self) -> list[ResourceEntry]:
        """Return the resources of run.json with their stored copies in this folder's ``_resources``.

        Sacred records the copy relative to the writer's working directory (``runs/_resources/x``)
        when the runs folder was given as a relative path, so the copy is looked up in this
        folder's ``_resources`` first, then as recorded, then relative to a few likely bases; only
        a copy that resolves inside ``_resources`` counts.
        """
        record = self.read_record()
        entries = []
        for original, stored in record.resources:
            path, found = self._locate(stored, record.base_dir)
            entries.append(ResourceEntry(original, stored, path, found))
        return entries

    def _locate(self, stored: str, base_dir: str | None) -> tuple[Path, bool]:
        shared = self.folder_path / RESOURCES_DIR
        recorded = Path(stored.replace("\x00", ""))
        candidates: list[Path] = [shared / recorded.name]
        if recorded.is_absolute():
            candidates.append(recorded)
        else:
            bases = [self.folder_path.parent, self.folder_path, Path.cwd()]
            if base_dir:
                bases.insert(0, Path(base_dir.replace("\x00", "")))
            candidates.extend(base / recorded for base in bases)
        found = _first_inside(candidates, shared)
        return (found, True) if found is not None else (candidates[0], False)

    def sources(self) -> list[SourceEntry]:
        """Return the experiment's source files and where their stored copies are.

        Started runs record ``[relpath, "_sources/<stem>_<md5><ext>"]`` (relative to the runs
        folder); queued runs record ``[relpath, md5]`` and keep a copy in the run directory. Only
        copies inside the run directory or the runs folder's ``_sources`` are used.
        """
        entries = []
        shared = self.folder_path / SOURCES_DIR
        for relpath, second in self.read_record().sources:
            name = PurePosixPath(relpath.replace("\x00", "")).name or "source"
            if _MD5.fullmatch(second):
                stem, ext = os.path.splitext(name)
                candidates = [(self.dir / name, self.dir), (shared / f"{stem}_{second}{ext}", shared)]
                md5: str | None = second
            else:
                candidates = [(self.folder_path / second.replace("\x00", ""), shared),
                              (self.dir / name, self.dir)]
                md5 = None
            found = next((path for path, inside in candidates if regular_size(path, inside) is not None),
                         None)
            entries.append(SourceEntry(relpath, found or candidates[0][0], found is not None, md5))
        return entries

    def source_folder(self, entry: SourceEntry) -> Path:
        """The folder a source copy must resolve into: the run directory or ``_sources``."""
        if entry.stored_path is not None and entry.stored_path.parent == self.dir:
            return self.dir
        return self.folder_path / SOURCES_DIR

    def read_source_text(self, entry: SourceEntry) -> str | None:
        """Return a stored source file's text (bad bytes replaced), or None if it cannot be read.

        Only copies inside the run directory or ``_sources`` are read; a copy larger than
        :data:`MAX_SOURCE_BYTES` is cut, with a note as its last line.
        """
        path = entry.stored_path
        if path is None:
            return None
        try:
            data = read_regular(path, MAX_SOURCE_BYTES + 1, inside=self.source_folder(entry))
        except OSError:
            return None
        text = data[:MAX_SOURCE_BYTES].decode("utf-8", errors="replace")
        if len(data) > MAX_SOURCE_BYTES:
            text += f"\n[… cut: only the first {MAX_SOURCE_BYTES // (1024 * 1024)} MB are shown]\n"
        return text

    def problems(self) -> list[str]:
        """Return what is wrong with this run's files, as found by the latest reads.

        A run folder that cannot be entered at all is one problem, not one per file.
        """
        folder_problem = self.folder_problem()
        if folder_problem is not None:
            return [folder_problem]
        if RUN_JSON not in self._problems and self._record is None:
            self.read_record()
        self._note(COUT_TXT, self._cout_problem())
        return list(self._problems.values())

    def folder_problem(self) -> str | None:
        """Why the files of this run cannot be reached (no permission to enter its folder), if so."""
        try:
            os.lstat(self.dir / RUN_JSON)
        except PermissionError as exc:
            return f"the run folder cannot be opened ({describe_error(exc)})"
        except OSError:
            return None
        return None

    def _cout_problem(self) -> str | None:
        """Why cout.txt cannot be read (None when it is a readable file or absent, as before a run prints)."""
        try:
            read_regular(self.cout_path, 0)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            return f"{COUT_TXT}: {describe_error(exc)}"
        return None
