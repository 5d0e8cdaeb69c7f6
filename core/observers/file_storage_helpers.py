"""Provides SacredFileHelpers: the public helper methods of Sacred's FileStorageObserver.

Scripts call them directly (``ex.observers[0].save_file(...)``); they delegate to the observer's own
writing, so what they write is guarded like the rest of the record.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from core.observers.stored_files import RESERVED_NAMES, check_artifact_name, copy_artifact

__all__ = ["SacredFileHelpers"]


class SacredFileHelpers:
    """Mixed into FileStorageObserver, which provides the private methods used here."""

    dir: str | None
    cout: str

    def save_json(self, obj: Any, filename: str) -> None:
        """Write ``obj`` as JSON (Sacred's encoding) to ``filename`` in the current run's folder."""
        self._save_json(obj, filename)  # type: ignore[attr-defined]

    def save_file(self, filename: str | os.PathLike, target_name: str | None = None) -> None:
        """Copy ``filename`` into the current run's folder as ``target_name`` (default: its basename).

        Raises:
            FileExistsError: the name is a file of the run record (run.json, config.json, ...).
            ValueError: the name would leave the run folder.
        """
        target_name = target_name or os.path.basename(filename)
        if target_name in RESERVED_NAMES:
            raise FileExistsError(f"You are trying to overwrite a file necessary for the FileStorageObserver: "
                                  f"{target_name!r}. The reserved names are: {', '.join(RESERVED_NAMES)}.")
        check_artifact_name(target_name)
        copy_artifact(filename, os.path.join(self.dir, target_name))  # type: ignore[arg-type]

    def save_cout(self) -> None:
        """Make cout.txt hold ``self.cout`` (only the new part is written)."""
        self._write_cout(self.cout)  # type: ignore[attr-defined]

    def save_sources(self, ex_info: dict) -> list[list[str]]:
        """Store the experiment's sources under ``source_dir``; return run.json's ``[relative, stored]`` pairs."""
        return self._save_sources(ex_info)  # type: ignore[attr-defined]

    def find_or_save(self, filename: str, store_dir: str | os.PathLike) -> Any:
        """The stored copy of ``filename`` in ``store_dir`` (``<stem>_<md5><ext>``), copied only if new."""
        return self._find_or_save(filename, Path(store_dir))  # type: ignore[attr-defined]

    def render_template(self) -> None:
        """Render ``report<ext>`` from the template (when one is set and mako is installed)."""
        self._render_template()  # type: ignore[attr-defined]
