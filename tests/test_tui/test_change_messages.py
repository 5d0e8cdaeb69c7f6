"""Batches of changed runs on their way from the watcher to the store: none is lost when they come
in a burst, and a run removed then made again (or changed then removed) ends as the newer says."""
from __future__ import annotations

from textual import on
from textual.app import App

from sacred_tui.data.watcher import ChangeBatch
from sacred_tui.messages import RunsChanged, merge_batches


class Collector(App[None]):
    def __init__(self, bursts: list[ChangeBatch]) -> None:
        super().__init__()
        self.bursts = bursts
        self.handled: list[ChangeBatch] = []

    def on_mount(self) -> None:
        for batch in self.bursts:  # queued together, before any is handled
            self.post_message(RunsChanged(batch))

    @on(RunsChanged)
    def _changed(self, message: RunsChanged) -> None:
        self.handled.append(message.batch)


async def test_a_burst_of_batches_collapses_without_losing_a_run() -> None:
    bursts = [ChangeBatch({"1": frozenset({"run.json"})}), ChangeBatch({"2": frozenset()}),
              ChangeBatch({"1": frozenset({"metrics.json"}), "3": frozenset({"cout.txt"})})]
    app = Collector(bursts)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert len(app.handled) < 3  # they did collapse
    seen: dict[str, frozenset[str]] = {}
    for batch in app.handled:
        seen.update(batch.changed)
    assert seen == {"1": frozenset({"run.json", "metrics.json"}), "2": frozenset(), "3": frozenset({"cout.txt"})}


def test_the_newer_batch_decides_between_removed_and_changed() -> None:
    older = ChangeBatch({"6": frozenset({"run.json"})}, frozenset({"5"}))
    newer = ChangeBatch({"5": frozenset()}, frozenset({"6"}))  # 5 made again, 6 removed since
    merge_batches(older, into=newer)
    assert newer.changed == {"5": frozenset()} and newer.removed == frozenset({"6"})


def test_the_app_folds_what_waits_into_the_newer_batch(tmp_path) -> None:
    from sacred_tui.app import SacredTuiApp

    app = SacredTuiApp(tmp_path)
    app._refreshing = True  # a refresh is running: batches wait
    app._pending = ChangeBatch({"6": frozenset({"run.json"})}, frozenset({"5"}))
    app._runs_changed(RunsChanged(ChangeBatch({"5": frozenset()}, frozenset({"6"}))))
    app._runs_changed(RunsChanged(ChangeBatch({"7": frozenset({"cout.txt"})})))
    assert app._pending.changed == {"5": frozenset(), "7": frozenset({"cout.txt"})}
    assert app._pending.removed == frozenset({"6"})
