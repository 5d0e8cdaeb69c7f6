"""Notes, tags and the archive flag: the extra file beside a run, the store, the filter language."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.observers.retired_ids import highest_retired_id, read_retired_ids
from sacred_tui.data.annotations import (ANNOTATIONS_FILE, AnnotationError, Annotations, change_tags,
                                         common_tags, parse_tags, read_annotations, update_annotations,
                                         write_annotations)
from sacred_tui.data.query import parse_query
from sacred_tui.data.run_management import delete_runs, plan_deletion, save_tags, set_archived
from sacred_tui.data.store import RunStore
from tui_runs_factory import copy_reference_runs, write_run


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> md5), to prove Sacred's files are untouched."""
    return {str(path.relative_to(folder)): hashlib.md5(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_write_read_and_empty_removes_the_file(tmp_path: Path) -> None:
    run = write_run(tmp_path, "1")
    before = digests(run)
    write_annotations(run, Annotations(note="diverged\nat step 3", tags=("baseline", "v2")))
    assert read_annotations(run) == (Annotations("diverged\nat step 3", ("baseline", "v2")), None)
    assert json.loads((run / ANNOTATIONS_FILE).read_text())["tags"] == ["baseline", "v2"]
    stored = update_annotations(run, archived=True)
    assert stored.archived and stored.archived_at and stored.note == "diverged\nat step 3"
    update_annotations(run, note="", tags=(), archived=False)
    assert not (run / ANNOTATIONS_FILE).exists()
    assert digests(run) == before
    assert not [name for name in os.listdir(run) if name.endswith(".tmp")]


def test_damaged_file_reads_as_nothing_with_a_problem(tmp_path: Path) -> None:
    run = write_run(tmp_path, "1")
    (run / ANNOTATIONS_FILE).write_text("{not json")
    annotations, problem = read_annotations(run)
    assert annotations == Annotations()
    assert problem is not None and ANNOTATIONS_FILE in problem
    row = RunStore(tmp_path).load_all()[0]
    assert any(ANNOTATIONS_FILE in text for text in row.problems)


def test_writing_into_a_deleted_run_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_annotations(tmp_path / "gone", Annotations(note="x"))


def test_tags_are_checked_and_edited_as_a_shared_set() -> None:
    assert parse_tags(" baseline, lr-sweep  baseline v2.1") == ("baseline", "lr-sweep", "v2.1")
    with pytest.raises(AnnotationError, match="one word"):
        parse_tags("ok bad\x01tag")
    with pytest.raises(AnnotationError, match="at most 40"):
        parse_tags("x" * 41)
    assert common_tags([("a", "b", "c"), ("c", "a"), ("a", "c", "d")]) == ("a", "c")
    # The editor showed the shared tags a c; the user removed c and added e: b stays on the run.
    assert change_tags(("a", "b", "c"), ("a", "c"), ("a", "e")) == ("a", "b", "e")


def test_store_and_filter_see_tags_notes_and_archive(tmp_path: Path) -> None:
    runs = copy_reference_runs(tmp_path / "runs")
    store = RunStore(runs)
    rows = {row.run_id: row for row in store.load_all()}
    assert save_tags(runs, [rows["1"], rows["2"]], (), "baseline sgd").failed == {}
    update_annotations(runs / "3", note="Broken: NaN loss at step 40")
    assert set_archived(runs, ["9"], True).done == ["9"]
    rows = {row.run_id: row for row in RunStore(runs).load_all()}
    assert rows["1"].tags == ("baseline", "sgd") and rows["9"].archived and not rows["1"].archived
    assert rows["1"].comment == "a comment"  # Sacred's meta.comment is still read as it is

    def kept(text: str) -> set[str]:
        query = parse_query(text)
        return {run_id for run_id, row in rows.items() if query.matches(row, 0.0, lambda r: "")}

    assert kept("tag=baseline") == {"1", "2"}
    assert kept("tag=BASELINE and status=FAILED") == {"2"}
    assert kept("tag!=baseline") == set(rows) - {"1", "2"}
    assert kept("tag~^sg") == {"1", "2"}
    assert kept("note~broken") == {"3"}
    assert kept("archived=true") == {"9"}


def test_store_refresh_rereads_only_the_note_file(tmp_path: Path) -> None:
    write_run(tmp_path, "1")
    store = RunStore(tmp_path)
    store.load_all()
    update_annotations(tmp_path / "1", tags=("x",))
    assert store.get("1").tags == ()  # not read again until told
    update = store.refresh({"1": frozenset({ANNOTATIONS_FILE})})
    assert update.rows[0].tags == ("x",)
    update = store.refresh({"1": frozenset({"cout.txt"})})
    assert update.rows[0].tags == ("x",)  # kept from before, not dropped


def test_delete_retires_ids_and_refuses_running_runs(tmp_path: Path) -> None:
    for run_id in ("1", "2", "3"):
        write_run(tmp_path, run_id)
    write_run(tmp_path, "4", status="RUNNING", stopped=None, heartbeat="2999-01-01T00:00:00")
    store = RunStore(tmp_path)
    rows = {row.run_id: row for row in store.load_all()}
    plan = plan_deletion(tmp_path, [rows["2"], rows["3"], rows["4"]])
    assert plan.run_ids == ("2", "3") and "4" in plan.refused
    text = plan.describe()
    assert str(tmp_path / "2") in text and str(tmp_path / "3") in text and "Run 4 is kept" in text
    assert plan.files == 8  # run.json, config.json, metrics.json, cout.txt of each
    outcome = delete_runs(tmp_path, plan)
    assert outcome.done == ["2", "3"] and not outcome.failed
    assert sorted(os.listdir(tmp_path)) == ["1", "4", "_sacred-tui"]
    assert read_retired_ids(tmp_path) == ["2", "3"] and highest_retired_id(tmp_path) == 3
