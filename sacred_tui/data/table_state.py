"""Provides TableState and TableStateStore: the runs table's columns, sort and filter per runs folder.

What a user set up for a folder (extra columns, the sort, the filter) is there again when the app
reopens it. The state lives in one small JSON file in the user's state folder
(``$XDG_STATE_HOME/sacred-tui/tables.json``, else ``~/.local/state/...``), never inside the runs
folder, keyed by the folder's resolved path. It is replaced atomically; a missing, unreadable or
damaged file means "no saved state", never an error, and the newest folders are kept (at most
:data:`MAX_FOLDERS`).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MAX_FOLDERS", "TableState", "TableStateStore", "state_file"]

MAX_FOLDERS = 200
_MAX_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class TableState:
    """Extra column keys (in order), the sort column and direction, and the filter text."""

    columns: tuple[str, ...] = ()
    sort: str = "id"
    reverse: bool = True
    filter: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored for one folder."""
        return {"columns": list(self.columns), "sort": self.sort, "reverse": self.reverse,
                "filter": self.filter}

    @classmethod
    def from_json(cls, data: Any) -> TableState:
        """Read a stored entry; wrong types fall back to the defaults field by field."""
        if not isinstance(data, dict):
            return cls()
        columns = data.get("columns")
        return cls(
            tuple(str(key) for key in columns if isinstance(key, str)) if isinstance(columns, list) else (),
            data["sort"] if isinstance(data.get("sort"), str) and data["sort"] else "id",
            data["reverse"] if isinstance(data.get("reverse"), bool) else True,
            data["filter"] if isinstance(data.get("filter"), str) else "",
        )


def state_file() -> Path:
    """Where the table states are kept."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "sacred-tui" / "tables.json"


def _folder_key(runs_dir: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.abspath(os.path.expanduser(runs_dir)))


class TableStateStore:
    """Reads and writes the saved table states (thread-safe; every write replaces the file)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_file()
        self._lock = threading.Lock()

    def _read_all(self) -> dict[str, Any]:
        try:
            if not self.path.is_file() or self.path.stat().st_size > _MAX_BYTES:
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        folders = data.get("folders") if isinstance(data, dict) else None
        return folders if isinstance(folders, dict) else {}

    def load(self, runs_dir: str | os.PathLike[str]) -> TableState:
        """The saved state of a runs folder (the defaults when there is none)."""
        with self._lock:
            return TableState.from_json(self._read_all().get(_folder_key(runs_dir)))

    def save(self, runs_dir: str | os.PathLike[str], state: TableState) -> str | None:
        """Remember the state of a runs folder; returns why it could not be saved (None: saved)."""
        with self._lock:
            folders = self._read_all()
            key = _folder_key(runs_dir)
            folders.pop(key, None)
            folders[key] = state.to_json()  # newest last
            while len(folders) > MAX_FOLDERS:
                folders.pop(next(iter(folders)))
            text = json.dumps({"folders": folders}, indent=1, sort_keys=False)
            temporary = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, temporary = tempfile.mkstemp(prefix=".tables-", dir=self.path.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, self.path)
            except OSError as exc:
                if temporary is not None:
                    try:
                        os.unlink(temporary)
                    except OSError:
                        pass
                return f"cannot save the table layout in {self.path}: {exc.strerror or exc}"
        return None
