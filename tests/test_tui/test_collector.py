"""lasting_objects(): no full garbage collection while a folder's rows are built, and the rows set
aside afterwards, with the interpreter's thresholds given back."""
from __future__ import annotations

import gc
import shutil
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sacred_tui.app import SacredTuiApp
from sacred_tui.data.collector import lasting_objects

from detail_support import REFERENCE


def _full_collections(during) -> int:
    """How many collections of the oldest generation happen while ``during()`` runs."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(count)
    try:
        during()
    finally:
        gc.callbacks.remove(count)
    return len(seen)


def test_no_full_collection_while_lasting_objects_are_made_then_they_are_frozen() -> None:
    kept: list[list[int]] = []

    def build() -> None:  # a million tracked objects that stay: full collections would be due
        kept.extend([n] for n in range(1_000_000))

    thresholds = gc.get_threshold()
    assert _full_collections(build) > 0  # the collector's own schedule, for comparison
    kept.clear()
    with lasting_objects():
        assert _full_collections(build) == 0
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() >= len(kept)  # a later full collection does not walk them
    gc.unfreeze()


def test_what_dies_in_the_block_is_collected_not_frozen() -> None:
    """A structure with a cycle (as a closed screen is) that died during the load is freed at its end."""

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only the collector frees it
    gc.collect()  # now in the oldest generation, like a screen opened before the load went on
    died = weakref.ref(node)
    with lasting_objects():
        del node
        gc.collect(1)  # young collections go on and cannot free it
        assert died() is not None
    assert died() is None
    gc.unfreeze()


def test_settle_runs_before_the_collection_and_full_collections_wait_for_it() -> None:
    class Node:
        pass

    node = Node()
    node.self = node
    gc.collect()
    died = weakref.ref(node)
    seen_during_settle: list[object] = []

    def settle() -> bool:  # the app waits here for a pause in the user's keys
        seen_during_settle.append(_full_collections(lambda: [[n] for n in range(1_000_000)]))
        seen_during_settle.append(died() is not None)
        return True

    thresholds = gc.get_threshold()
    with lasting_objects(settle=settle):
        del node
    assert seen_during_settle == [0, True]  # no full collection yet: the cycle still lives
    assert died() is None and gc.get_threshold() == thresholds and gc.get_freeze_count() > 0
    gc.unfreeze()


def test_a_quitting_app_skips_the_collection_but_still_freezes() -> None:
    """Frozen objects are skipped by the interpreter's own collection at exit as well."""

    class Node:
        pass

    gc.unfreeze()
    node = Node()
    node.self = node
    gc.collect()
    died = weakref.ref(node)
    thresholds = gc.get_threshold()
    with lasting_objects(settle=lambda: False):
        del node
    assert died() is not None and gc.get_freeze_count() > 0 and gc.get_threshold() == thresholds
    gc.unfreeze()


def test_full_collections_resume_when_the_block_lasts_too_long() -> None:
    kept: list[list[int]] = []
    with lasting_objects(longest=0.0):
        assert _full_collections(lambda: kept.extend([n] for n in range(1_000_000))) > 0
    gc.unfreeze()


def test_thresholds_come_back_when_the_block_fails() -> None:
    thresholds = gc.get_threshold()
    try:
        with lasting_objects():
            raise KeyError("a reader failed")
    except KeyError:
        pass
    assert gc.get_threshold() == thresholds
    gc.unfreeze()


async def test_the_app_freezes_what_its_load_built_and_gives_the_thresholds_back(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    shutil.copytree(REFERENCE, folder)  # the app keeps a rows cache in the folder it opens
    thresholds = gc.get_threshold()
    gc.unfreeze()
    app = SacredTuiApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            if not app.store.pending and gc.get_freeze_count() > 0:
                break
            await pilot.pause(0.01)
        assert len(app.store) > 0 and gc.get_freeze_count() > 0
        assert gc.get_threshold() == thresholds
    gc.unfreeze()


async def test_the_collection_after_a_load_waits_for_a_pause_in_the_keys(tmp_path: Path, monkeypatch) -> None:
    """The collection at the end of a load holds the interpreter (0.1-0.2 s at 20,000 rows): it waits
    until no key came for a while, not longer than a bound, and not at all when the app quits."""
    from sacred_tui import app as app_module

    folder = tmp_path / "runs"
    shutil.copytree(REFERENCE, folder)
    monkeypatch.setattr(app_module, "QUIET_INPUT", 0.4)
    app = SacredTuiApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        before = time.monotonic()
        await pilot.press("down")
        assert app._last_input >= before  # a key counts as input
        started = time.monotonic()
        assert app._until_input_pauses()
        assert 0.25 <= time.monotonic() - started <= 0.8
        app._last_input = time.monotonic()
        monkeypatch.setattr(app_module, "LONGEST_INPUT_WAIT", 0.2)
        started = time.monotonic()
        app._until_input_pauses()  # someone holding a key down: not forever
        assert time.monotonic() - started < 0.35
        monkeypatch.setattr(app_module, "LONGEST_INPUT_WAIT", 20.0)
        app._last_input = time.monotonic()
        started = time.monotonic()
        threading.Timer(0.1, app._quitting.set).start()
        assert not app._until_input_pauses()  # quitting: no collection, and no waiting on
        assert time.monotonic() - started < 0.2
        app._quitting.clear()
    gc.unfreeze()
