"""ChildWorker: jobs run in a real child process; long list results come back in slices, whole."""
from __future__ import annotations

from pathlib import Path

import pytest

from sacred_tui.data.child_worker import REPLY_SLICE, ChildWorker
from tests.test_tui.child_jobs import fails_after, numbered


@pytest.fixture
def worker() -> ChildWorker:
    made = ChildWorker()
    yield made
    made.close()


@pytest.mark.parametrize("count", [0, 1, REPLY_SLICE, REPLY_SLICE + 1, 4 * REPLY_SLICE + 17])
def test_a_list_result_comes_back_whole_and_in_order(worker: ChildWorker, count: int) -> None:
    assert worker.run(numbered, count) == numbered(count)


def test_the_child_serves_on_after_sliced_replies_and_errors(worker: ChildWorker) -> None:
    first = worker.run(numbered, 3 * REPLY_SLICE)
    pid = worker.pid
    with pytest.raises(RuntimeError, match="ValueError: stopped after 9 items"):
        worker.run(fails_after, 9)
    assert worker.run(numbered, 2 * REPLY_SLICE + 1) == numbered(2 * REPLY_SLICE + 1)
    assert worker.pid == pid and len(first) == 3 * REPLY_SLICE
    assert worker.run(numbered, 5) == numbered(5)


def test_a_sliced_reply_is_read_slice_by_slice(worker: ChildWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each slice is one unpickling: the interpreter lock can go to another thread between them."""
    import pickle

    from sacred_tui.data import child_worker

    loads: list[int] = []
    real_load = pickle.load

    def counted_load(stream):  # type: ignore[no-untyped-def]
        value = real_load(stream)
        loads.append(len(value) if isinstance(value, list) else -1)
        return value

    monkeypatch.setattr(child_worker.pickle, "load", counted_load)
    assert worker.run(numbered, 3 * REPLY_SLICE + 1) == numbered(3 * REPLY_SLICE + 1)
    assert loads == [-1, REPLY_SLICE, REPLY_SLICE, REPLY_SLICE, 1]


def test_packages_in_the_working_folder_do_not_shadow_the_childs_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sacred-tui started in a project of the user's that has a ``core`` package (a common name)."""
    for package in ("core", "sacred_tui", "tests"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"raise ImportError('the project\\'s own {package}')\n")
    monkeypatch.chdir(tmp_path)
    worker = ChildWorker()
    try:
        assert worker.run(numbered, 3) == numbered(3)
    finally:
        worker.close()
