"""Notes, tags, archive and delete driven through the pilot on a folder written by real Sacred."""
from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from sacred_tui.data.annotations import ANNOTATIONS_FILE
from sacred_tui.screens.launch_dialogs import ChoiceScreen
from sacred_tui.screens.notes_dialogs import LineDialog, NoteDialog
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.run_overview import RunOverview
from sacred_tui.widgets.runs_table import RunsTable
from detail_support import static_text
from test_annotations_data import digests
from test_runs_app import SIZE, cell, loaded, make_app, until
from tui_runs_factory import copy_reference_runs


async def goto(pilot: Pilot[None], table: RunsTable, run_id: str) -> None:
    table.move_cursor(row=table.get_row_index(run_id))
    await pilot.pause()


async def filter_by(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    field = pilot.app.screen.query_one("#filter", Input)
    field.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_note_and_tags_are_saved_beside_the_run_and_filterable(tmp_path: Path) -> None:
    runs = copy_reference_runs(tmp_path / "runs")
    before = digests(runs)
    app = make_app(runs)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await goto(pilot, table, "1")
        await pilot.press("e")
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one(TextArea).insert("lr too high?\nsee run 2")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: (runs / "1" / ANNOTATIONS_FILE).exists())
        assert json.loads((runs / "1" / ANNOTATIONS_FILE).read_text())["note"] == "lr too high?\nsee run 2"
        await until(pilot, lambda: "note: lr too high?" in str(app.screen.query_one("#row-info").render()))

        # Tags of three marked runs at once.
        for run_id in ("1", "2", "7"):
            table.toggle_mark(run_id)
        await pilot.press("t")
        assert isinstance(app.screen, LineDialog)
        await pilot.press(*"baseline sgd", "enter")
        await until(pilot, lambda: cell(table, "7", "tags") == "baseline sgd")
        assert cell(table, "2", "tags") == "baseline sgd"
        assert cell(table, "1", "comment") == "a comment"  # Sacred's meta.comment is shown as before

        # One of them loses a tag: the editor shows its tags; removing sgd keeps baseline.
        table.marked.clear()
        await goto(pilot, table, "2")
        await pilot.press("t")
        field = app.screen.query_one(Input)
        assert field.value == "baseline sgd"
        field.value = "baseline"
        await pilot.press("enter")
        await until(pilot, lambda: cell(table, "2", "tags") == "baseline")

        # A tag that is not one word is refused in the dialog, nothing is written.
        await pilot.press("t")
        app.screen.query_one(Input).value = "ok bad\x07tag"
        await pilot.press("enter")
        assert isinstance(app.screen, LineDialog)
        assert "not allowed" in str(app.screen.query_one("#line-hint").render())
        await pilot.press("escape")

        await filter_by(pilot, "tag=sgd")
        assert sorted(table.visible_ids()) == ["1", "7"]
        await filter_by(pilot, "note~HIGH")
        assert table.visible_ids() == ["1"]

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        overview = app.screen.query_one(RunOverview)
        body = overview.query_one("#overview-body", Static)
        await until(pilot, lambda: "lr too high?" in static_text(body))
        text = static_text(body)
        assert "baseline sgd" in text and "a comment" in text
    after = digests(runs)
    changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    assert changed == {f"{run_id}/{ANNOTATIONS_FILE}" for run_id in ("1", "2", "7")}


async def test_archive_hides_restores_and_undoes(tmp_path: Path) -> None:
    runs = copy_reference_runs(tmp_path / "runs")
    app = make_app(runs)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        table.toggle_mark("2")
        table.toggle_mark("8")
        await pilot.press("a")
        await until(pilot, lambda: "2" not in table.visible_ids() and "8" not in table.visible_ids())
        assert table.row_count == 9 and (runs / "2").is_dir()
        assert not table.marked  # hidden runs are unmarked: D must not reach runs nobody sees
        assert "2 archived hidden (A shows)" in str(app.screen.query_one("#status-line").render())
        await pilot.press("A")
        await until(pilot, lambda: "2" in table.visible_ids())
        assert cell(table, "2", "tags") == "(archived)"
        await pilot.press("A")
        await until(pilot, lambda: "2" not in table.visible_ids())
        await pilot.press("u")
        await until(pilot, lambda: "2" in table.visible_ids() and "8" in table.visible_ids())
        assert not (runs / "2" / ANNOTATIONS_FILE).exists()

        # Restoring: a on runs that are all archived brings them back.
        table.marked.clear()
        await goto(pilot, table, "9")
        await pilot.press("a")
        await until(pilot, lambda: "9" not in table.visible_ids())
        await pilot.press("A")
        await until(pilot, lambda: "9" in table.visible_ids())
        await goto(pilot, table, "9")
        await pilot.press("a")
        await until(pilot, lambda: not (runs / "9" / ANNOTATIONS_FILE).exists())


async def test_delete_asks_names_the_folders_and_keeps_on_no(tmp_path: Path) -> None:
    runs = copy_reference_runs(tmp_path / "runs")
    app = make_app(runs)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        table.toggle_mark("10")
        table.toggle_mark("9")
        await pilot.press("D")
        assert isinstance(app.screen, ChoiceScreen)
        body = str(app.screen.query_one("#dialog-text").render())
        assert str(runs / "10") in body and str(runs / "9") in body and "for good" in body
        await pilot.press("enter")  # Keep has the focus
        await pilot.pause()
        assert (runs / "10").is_dir() and (runs / "9").is_dir()
        await pilot.press("D")
        await pilot.press("right", "enter")
        await until(pilot, lambda: "10" not in table.all_rows and "9" not in table.all_rows)
        assert not (runs / "10").exists() and not (runs / "9").exists()
        assert table.row_count == 9
        assert json.loads((runs / "_sacred-tui" / "retired-ids.json").read_text())["ids"] == ["9", "10"]
