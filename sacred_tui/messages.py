"""Provides the app-wide messages that carry runs-folder changes to the screens."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.message import Message

from sacred_tui.data.watcher import ChangeBatch


class RunsChanged(Message):
    """Files of some runs changed on disk (posted from the watcher thread).

    A burst of these collapses into one: a newer message takes over the runs of the older one.
    """

    def __init__(self, batch: ChangeBatch) -> None:
        super().__init__()
        self.batch = batch

    def can_replace(self, message: Message) -> bool:
        """Whether ``message``, queued after this one, may be handled instead of it: it then
        carries this one's runs too (Textual drops this one)."""
        if not isinstance(message, RunsChanged):
            return False
        merge_batches(self.batch, into=message.batch)
        return True


def merge_batches(older: ChangeBatch, into: ChangeBatch) -> None:
    """Fold ``older`` into the newer batch ``into`` (an empty file set means "all files")."""
    for run_id, files in older.changed.items():
        if run_id in into.removed:
            continue
        current = into.changed.get(run_id)
        if current is None:
            into.changed[run_id] = files
        elif current and files:
            into.changed[run_id] = current | files
        else:
            into.changed[run_id] = frozenset()
    into.removed = into.removed | frozenset(r for r in older.removed if r not in into.changed)


class RunsUpdated(Message, bubble=False):
    """The store holds new rows for ``run_ids`` and forgot ``removed`` (read them from the store).

    ``files`` tells, per run, which files changed (empty: unknown or all), so a screen showing
    one run's details can re-read only what it needs. ``initial`` marks the first full load.
    The app forwards it to every screen; it does not bubble back.
    """

    def __init__(self, run_ids: Iterable[str], removed: Iterable[str] = (),
                 files: Mapping[str, frozenset[str]] | None = None, *, initial: bool = False) -> None:
        super().__init__()
        self.run_ids = list(run_ids)
        self.removed = list(removed)
        self.files = dict(files or {})
        self.initial = initial


class WatchModeChanged(Message, bubble=False):
    """How the runs folder is watched changed (native events, polling, waiting for the folder)."""

    def __init__(self, mode: str, reason: str) -> None:
        super().__init__()
        self.mode = mode
        self.reason = reason


class RunsPainted(Message):
    """The runs screen has shown the first load; the app may now read the rest in the background."""
