"""RunsTable on its own: in-place updates keep the cursor's run on the same screen line."""
from __future__ import annotations

from textual.app import App, ComposeResult

from sacred_tui.data.query import parse_query
from sacred_tui.data.rows import RunRow
from sacred_tui.widgets.runs_table import RunsTable
from screen_text import screen_lines


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunsTable()


def rows(*ids: int, status: str = "COMPLETED") -> list[RunRow]:
    return [RunRow(str(i), status=status, experiment=f"exp{i % 3}") for i in ids]


async def test_table_new_run_on_top_keeps_the_view_still() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.rebuild(columns=True)
        table.set_rows(rows(*range(1, 101)))
        await pilot.pause()
        table.move_cursor(row=60)
        await pilot.pause()
        run_id, line = table.current_run_id, table.cursor_row - table.scroll_y
        assert table.scroll_y > 0 and run_id == "40"
        table.update_rows(rows(101, 102))
        await pilot.pause()
        await pilot.pause()
        assert table.visible_ids()[:2] == ["102", "101"]
        assert table.current_run_id == run_id
        assert table.cursor_row - table.scroll_y == line
        table.update_rows([], removed=["100", "99", "98"])
        await pilot.pause()
        await pilot.pause()
        assert table.current_run_id == run_id
        assert table.cursor_row - table.scroll_y == line


async def test_table_changed_cells_update_in_place() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.rebuild(columns=True)
        table.set_rows(rows(1, 2, 3, status="RUNNING"))
        await pilot.pause()
        table.move_cursor(row=1)
        table.update_rows([RunRow("2", status="FAILED", experiment="exp2")])
        await pilot.pause()
        assert table.get_cell("2", "status").plain == "FAILED"
        assert table.get_cell("2", "status").style == "bold red"
        assert table.current_run_id == "2" and table.row_count == 3


async def test_table_filtered_out_rows_come_back_when_they_match() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.rebuild(columns=True)
        table.set_rows(rows(1, 2, 3, status="RUNNING"))
        table.set_query(parse_query("status=FAILED"))
        assert table.row_count == 0
        table.update_rows([RunRow("2", status="FAILED")])
        assert table.visible_ids() == ["2"]
        table.update_rows([RunRow("2", status="COMPLETED")])
        assert table.visible_ids() == []
        assert set(table.all_rows) == {"1", "2", "3"}


async def test_rows_changed_off_screen_show_their_new_cells_when_drawn() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.rebuild(columns=True)
        table.set_rows(rows(*range(1, 301)))
        await pilot.pause()
        # Run 5 is far below the screen (newest on top); its change is not drawn yet ...
        table.update_rows([RunRow("5", status="FAILED", experiment="a much longer experiment name")])
        assert "5" not in table.ids_in_view()
        # ... but whoever reads it gets the new cells, and the column grew for it.
        assert table.get_cell("5", "status").plain == "FAILED"
        assert table.get_row("5")[table.get_column_index("experiment")].plain == "a much longer experiment name"
        table.update_rows([RunRow("6", status="FAILED", experiment="exp0")])
        table.action_scroll_bottom()
        await pilot.pause()
        await pilot.pause()
        assert "6" in table.ids_in_view()
        drawn = "\n".join(screen_lines(app))
        assert drawn.count("FAILED") == 2 and "a much longer experiment name" in drawn
        # Sorting by status puts the changed rows where their new status belongs.
        table.sort_by("status", reverse=False)
        ids = table.visible_ids()
        assert {"5", "6"} in ({*ids[:2]}, {*ids[-2:]})
