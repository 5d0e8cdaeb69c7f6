"""lasting_objects(): no full garbage collection while a folder's rows are built, and the rows set
aside afterwards, with the interpreter's thresholds given back."""
from __future__ import annotations

import gc
import shutil
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
