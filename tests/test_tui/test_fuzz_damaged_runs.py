"""Fuzz: a folder of damaged and hostile runs. Every reader returns, the app opens every run's every tab.

The folder holds the catalogue of damaged_runs.py plus runs mutated at random (seeded; set
SACRED_TUI_FUZZ_SEED to try another seed). Permission cases need a reader that file modes stop: as
root (here and in CI) they run in a forked child without root's file privileges (unprivileged.py).
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from damaged_runs import make_app_runs, make_damaged_runs, make_unreadable_runs
from hostile_display import raw_controls, terminal_output
from reader_exercise import exercise_folder
from sacred_tui.app import SacredTuiApp
from sacred_tui.data.watcher import NATIVE, POLLING
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.artifacts_list import ArtifactsList
from unprivileged import run_unprivileged

SEED = int(os.environ.get("SACRED_TUI_FUZZ_SEED", "20241203"))
RUN_CPU_BOUND = 12.0
"""CPU seconds the app may spend opening one run and showing each of its tabs (1.5-3.7 s measured here)."""
RUN_WALL_BOUND = 60.0
"""Wall-clock seconds per run: only a hang gets near this, however loaded the machine is."""
LOAD_TIME_BOUND = 60.0
"""Seconds for both loading passes (about one here; the bound only catches a pass that never ends)."""


@pytest.fixture(autouse=True)
def _quiet_store_log() -> None:
    # The store logs each run it could not read; the tests check the rows instead.
    logging.getLogger("sacred_tui.data.store").setLevel(logging.CRITICAL)


def test_every_reader_returns_on_damaged_runs(tmp_path: Path) -> None:
    kinds = make_damaged_runs(tmp_path, seed=SEED, random_runs=24)
    failures = exercise_folder(tmp_path)
    assert not failures, f"seed {SEED}:\n" + "\n\n".join(failures[:5])
    assert len(kinds) > 60


async def _open_run(app: SacredTuiApp, pilot: Pilot[None], table_screen: RunsScreen, run_id: str) -> None:
    """Open one run from the table, show every tab, preview its first artifacts, go back."""
    table_screen.table.move_cursor(row=table_screen.table.get_row_index(run_id))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunDetailScreen), f"run {run_id!r} did not open"
    await app.workers.wait_for_complete()
    for tab in "1234567":
        await pilot.press(tab)
        await pilot.pause()
    artifacts = app.screen.query_one(ArtifactsList)
    for index in range(min(len(artifacts.items), 4)):
        artifacts.move_cursor(row=index)
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.press("1")
    await app.workers.wait_for_complete()
    await pilot.pause()
    leaks = raw_controls(terminal_output(app))
    assert not leaks, f"run {run_id!r}: {leaks[:3]}"
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is table_screen, f"run {run_id!r}: Esc did not return to the table"


async def _open_every_run(app: SacredTuiApp, pilot: Pilot[None],
                          run_ids: list[str]) -> dict[str, tuple[float, float]]:
    """Open each run in turn (a hang fails after RUN_WALL_BOUND); returns (CPU, wall) seconds per run."""
    screen = app.screen
    assert isinstance(screen, RunsScreen)
    took: dict[str, tuple[float, float]] = {}
    for run_id in run_ids:
        started, cpu_started = time.monotonic(), time.process_time()
        try:
            await asyncio.wait_for(_open_run(app, pilot, screen, run_id), RUN_WALL_BOUND)
        except asyncio.TimeoutError:
            pytest.fail(f"run {run_id!r} hung: not back at the table after {RUN_WALL_BOUND} s")
        took[run_id] = (time.process_time() - cpu_started, time.monotonic() - started)
    return took


async def _loaded(app: SacredTuiApp, pilot: Pilot[None]) -> float:
    """Wait until both loading passes are done and the status line no longer says 'loading…'."""
    started = time.monotonic()
    while time.monotonic() - started < LOAD_TIME_BOUND:
        await pilot.pause(0.05)
        screen = app.screen
        if (isinstance(screen, RunsScreen) and screen.loaded and not app.store.pending and app.watcher
                and "loading" not in str(screen.query_one("#status-line").render())):
            return time.monotonic() - started
    raise AssertionError(f"loading did not finish in {LOAD_TIME_BOUND} s ({app.store.pending} runs pending)")


async def test_app_opens_every_tab_of_every_damaged_run(tmp_path: Path) -> None:
    kinds = make_app_runs(tmp_path, seed=SEED)
    app = SacredTuiApp(tmp_path, poll=True, poll_interval=0.5, safety_interval=0.5)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(app, pilot)
        assert app.watcher is not None and app.watcher.mode in (NATIVE, POLLING)
        shown = set(app.screen.table.all_rows)  # type: ignore[attr-defined]
        assert set(kinds) <= shown, f"runs missing from the table: {set(kinds) - shown}"
        took = await _open_every_run(app, pilot, list(kinds))
    slow = {run_id: (round(cpu, 1), round(wall, 1)) for run_id, (cpu, wall) in took.items()
            if cpu > RUN_CPU_BOUND or wall > RUN_WALL_BOUND}
    assert not slow, f"runs over {RUN_CPU_BOUND} CPU s or {RUN_WALL_BOUND} s to open (cpu, wall): {slow}"


# -- permission cases, as a reader without root's file privileges ----------------------------

def _unreadable_folder(root: Path) -> dict[str, str]:
    return make_unreadable_runs(root)


def test_unreadable_runs_are_problems_for_an_unprivileged_reader(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    kinds = _unreadable_folder(root)

    def check() -> object:
        with pytest.raises(PermissionError):  # really without root's file privileges
            (root / "locked-files" / "run.json").read_bytes()
        failures = exercise_folder(root)
        from sacred_tui.data.store import RunStore
        rows = {row.run_id: list(row.problems) for row in RunStore(root).load_all()}
        return {"failures": failures, "rows": rows}

    result = run_unprivileged(check)
    assert isinstance(result, dict)
    assert not result["failures"], "\n\n".join(result["failures"][:5])
    rows = result["rows"]
    assert set(rows) == set(kinds)
    assert rows["locked-folder"] == ["the run folder cannot be opened (permission denied)"]
    assert rows["enter-only"] == []
    assert "run.json: permission denied" in rows["locked-files"]
    assert rows["locked-sidecar"] == ["metrics.jsonl: permission denied"]


def test_app_shows_unreadable_runs_once_and_finishes_loading(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    kinds = _unreadable_folder(root)

    def check() -> object:
        async def drive() -> dict[str, object]:
            app = SacredTuiApp(root, poll=True, poll_interval=0.1, safety_interval=0.1)
            app.animation_level = "none"
            async with app.run_test(size=(120, 36)) as pilot:
                await _loaded(app, pilot)
                await _open_every_run(app, pilot, sorted(set(kinds) - {"locked-folder"}))
                # The locked run: its problem shows once however often it is polled, nothing stays loading.
                toasts: list[str] = []
                notify = app.notify

                def recorded(message: str, *args: object, **kwargs: object) -> None:
                    if "locked-folder" in str(kwargs.get("title", "")):
                        toasts.append(str(message))  # recorded when made: a toast may expire before it is read
                    notify(message, *args, **kwargs)  # type: ignore[arg-type]

                app.notify = recorded  # type: ignore[method-assign]
                screen = app.screen
                screen.table.move_cursor(row=screen.table.get_row_index("locked-folder"))  # type: ignore[attr-defined]
                await pilot.press("enter")
                await pilot.pause()
                detail = app.screen
                assert isinstance(detail, RunDetailScreen)
                polls = 0
                first_poll = detail.source.poll

                def counted() -> object:
                    nonlocal polls
                    polls += 1
                    return first_poll()

                detail.source.poll = counted  # type: ignore[method-assign]
                deadline = time.monotonic() + 60
                while polls < 10 and time.monotonic() < deadline:  # ten more polls of the run
                    await pilot.pause(0.1)
                for tab in "2345671":
                    await pilot.press(tab)
                    await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                shown = [str(detail.query_one(selector).render()) for selector in ("#detail-header", "#overview-body")]
                return {"toasts": toasts, "shown": shown, "polls": polls,
                        "leaks": raw_controls(terminal_output(app)),
                        "problems": list(app.store.get("locked-folder").problems)}  # type: ignore[union-attr]
        return asyncio.run(drive())

    result = run_unprivileged(check)
    assert isinstance(result, dict)
    assert result["problems"] == ["the run folder cannot be opened (permission denied)"]
    assert result["polls"] >= 10
    assert result["toasts"] == ["the run folder cannot be opened (permission denied)"]
    assert not result["leaks"]
    assert not any("loading" in text.lower() for text in result["shown"]), result["shown"]
