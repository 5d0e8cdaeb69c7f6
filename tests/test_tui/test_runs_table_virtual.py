"""RunsTable draws only the rows on screen: what the user sees and does stays DataTable's, at any size."""
from __future__ import annotations

import gc
import time

from rich.segment import Segment
from textual.app import App, ComposeResult

from sacred_tui.data.columns import BASE_COLUMNS, column_for
from sacred_tui.data.query import parse_query
from sacred_tui.data.rows import RunRow
from sacred_tui.widgets.run_order import RunOrder
from sacred_tui.widgets.runs_table import RunsTable
from sacred_tui.widgets.table_lines import cut
from sacred_tui.widgets.virtual_table import VirtualTable
from screen_text import screen_lines


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []
        self.headers: list[str] = []

    def compose(self) -> ComposeResult:
        yield RunsTable()

    def on_mount(self) -> None:
        self.query_one(RunsTable).focus()

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.selected.append(message.row_key)

    def on_virtual_table_header_selected(self, message: VirtualTable.HeaderSelected) -> None:
        self.headers.append(message.column_key)
        self.query_one(RunsTable).sort_by(message.column_key)


def many(count: int) -> list[RunRow]:
    statuses = ("COMPLETED", "FAILED", "TIMEOUT")
    return [RunRow(str(i), status=statuses[i % 3], experiment=f"exp{i % 7}", host=f"host{i % 5}",
                   config={"lr": (i % 10) / 10, "seed": i}) for i in range(1, count + 1)]


def header_x(table: RunsTable, key: str) -> int:
    """Screen column of the middle of column ``key``'s header (left of any horizontal scroll)."""
    x = 0
    for column in table.ordered_columns:
        if column.key == key:
            return x + table.render_width(column) // 2
        x += table.render_width(column)
    raise KeyError(key)


async def test_cursor_stays_on_its_run_across_sort_filter_and_updates() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(300))
        table.move_cursor(row=table.get_row_index("150"))
        await pilot.pause()
        table.sort_by("experiment", reverse=False)
        assert table.current_run_id == "150"
        exp0 = [run_id for run_id in table.visible_ids() if table.all_rows[run_id].experiment == "exp0"]
        assert exp0 == table.visible_ids()[:len(exp0)] and exp0 == sorted(exp0, key=int, reverse=True)
        assert table.cursor_row in table.rows_in_view()  # and scrolled into view
        table.set_query(parse_query("status=COMPLETED"))
        assert table.current_run_id == "150" and table.row_count == 100
        table.update_rows([RunRow("150", status="COMPLETED", experiment="exp0")])
        await pilot.pause()
        assert table.current_run_id == "150" and table.get_cell("150", "experiment").plain == "exp0"
        table.set_query(parse_query("status=FAILED"))  # its run is filtered out: the top row
        assert table.cursor_row == 0 and table.current_run_id == table.visible_ids()[0]
        table.move_cursor(row=90)
        await pilot.pause()
        table.set_query(parse_query("config.seed<9"))  # a few rows: they show from the top
        await pilot.pause()
        assert table.scroll_y == 0 and table.row_count == 8
        assert [line.split()[0] for line in screen_lines(app)[1:9]] == table.visible_ids()


async def test_frozen_columns_stay_while_scrolled_right_and_header_click_sorts() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_columns([*BASE_COLUMNS, column_for("config.lr"), column_for("config.seed")])
        table.set_rows(many(50))
        await pilot.pause()
        table.scroll_to_column("config.seed")
        await pilot.pause()
        assert table.scroll_x > 0
        lines = screen_lines(app)
        assert lines[0].split()[:2] == ["ID", "▼"] and "Status" in lines[0] and "seed" in lines[0]
        assert "Experiment" not in lines[0]  # scrolled away, the frozen ones stay
        assert lines[1].split()[:2] == ["50", table.get_cell("50", "status").plain]
        # A click on the Status header (frozen, so at the same place) sorts by it.
        await pilot.click(RunsTable, offset=(header_x(table, "status"), 0))
        await pilot.pause()
        assert app.headers == ["status"] and table.sort_column == "status" and not table.sort_reverse
        assert "Status ▲" in screen_lines(app)[0]
        assert [table.get_cell(run_id, "status").plain for run_id in table.visible_ids()[:2]] == \
            ["COMPLETED", "COMPLETED"]


async def test_keys_and_clicks_move_the_cursor_and_open_at_80x24() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(1000))
        await pilot.pause()
        assert len(table.ids_in_view()) == 22  # 24 lines: the header, 22 rows, the scroll bar
        await pilot.press("j", "j", "down", "k")
        assert table.current_run_id == "998"
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + 22 and table.cursor_row in table.rows_in_view()
        await pilot.press("G")
        assert table.current_run_id == "1"
        assert screen_lines(app)[22].split()[0] == "1"  # the last run on the last row line
        await pilot.press("home")
        assert table.current_run_id == "1000"
        await pilot.press("end")
        assert table.current_run_id == "1" and table.scroll_x == 0  # the last run, not the right edge
        await pilot.press("g", "enter")
        assert app.selected == ["1000"]
        await pilot.click(RunsTable, offset=(10, 3))  # the third row: highlighted, not opened
        assert table.current_run_id == "998" and app.selected == ["1000"]
        await pilot.click(RunsTable, offset=(10, 3))  # clicked again: opened
        assert app.selected == ["1000", "998"]


async def test_marking_redraws_one_line_and_space_moves_down() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(500))
        await pilot.pause()
        drawn: list[str] = []
        draw = table._row

        def counting(index: int, key: str) -> object:
            drawn.append(key)
            return draw(index, key)

        table._row = counting  # type: ignore[method-assign]
        table.toggle_mark("498")
        await pilot.pause()
        assert drawn == ["498"]
        assert screen_lines(app)[3].split()[:2] == ["●", "498"]
        await pilot.press("space")  # marks the cursor's run (500) and moves down
        assert table.marked == {"498", "500"} and table.current_run_id == "499"
        assert screen_lines(app)[1].split()[:2] == ["●", "500"]


async def test_filter_and_sort_of_thousands_of_rows_take_little_ui_time() -> None:
    """One pass over the rows and one sort: a few ms per thousand rows, not a table rebuild.

    Measured as CPU time of this thread, so other work on the machine does not count.
    """
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(5000))
        table.set_query(parse_query("exp3"))  # the haystacks are made once per row version
        table.set_query(parse_query(""))
        await pilot.pause()
        # A full collection of what earlier tests left would land in one of the measurements.
        gc.collect()
        costs = {}
        for name, action in {
            "word": lambda: table.set_query(parse_query("host2")),
            "config": lambda: table.set_query(parse_query("config.lr>0.45")),
            "none": lambda: table.set_query(parse_query("")),
            "sort": lambda: table.sort_by("status"),
            "sort back": lambda: table.sort_by("id", True),
            "column": lambda: table.set_columns([*BASE_COLUMNS, column_for("config.lr")]),
            "mark": lambda: table.toggle_mark(),
        }.items():
            begin = time.thread_time()
            action()
            await pilot.pause()
            costs[name] = time.thread_time() - begin
        assert table.row_count == 5000 and table.marked == {table.current_run_id}
        # About 10 ms each on a quiet 2-core machine; the old table spent 60-300 ms here.
        assert max(costs.values()) < 0.15, costs
        print(costs)


def test_lines_are_cut_at_the_scroll_position_by_terminal_cells() -> None:
    line = [Segment(" ab "), Segment(" 日本 "), Segment(" cd ")]
    widths = [4, 6, 4]
    assert "".join(segment.text for segment in cut(line, widths, 0, 14)) == " ab  日本  cd "
    assert [segment.text for segment in cut(line, widths, 2, 5)] == ["b ", " "]
    assert [segment.text for segment in cut(line, widths, 10, 12)] == [" c"]
    middle = cut(line, widths, 6, 9)  # starts inside a wide character: a space stands for its half
    assert sum(segment.cell_length for segment in middle) == 3


async def test_word_filters_match_what_the_query_says_of_each_row() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(60))
        await pilot.pause()
        for text in ("exp3", "EXP3 host2", "exp3 and host2", "exp3 or host2", "not exp3", "'p2' status=FAILED"):
            query = parse_query(text)
            assert bool(query.needles) == (text in ("exp3", "EXP3 host2", "exp3 and host2"))
            table.set_query(query)
            expected = [row.run_id for row in table.all_rows.values()
                        if query.matches(row, 0.0, lambda row: table._cells.haystack(row, 0.0))]
            assert sorted(table.visible_ids(), key=int) == sorted(expected, key=int), text
            assert expected


async def test_idle_steps_make_the_sort_keys_of_shown_columns_then_stop() -> None:
    """After the haystacks, idle steps make every shown column's sort keys (a first sort then only
    sorts) and stop once nothing is left; a sort gives the same order as one made on demand."""
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(3000))
        began = time.monotonic()
        while table._warm_timer is not None and time.monotonic() - began < 20:
            await pilot.pause(0.05)
        assert table._warm_timer is None, "the idle steps never stopped"
        order = table._order
        made = []
        for spec in table.specs:
            real = order._getter(spec.key)
            order._getters[spec.key] = lambda row, now, real=real: made.append(row.run_id) or real(row, now)
        table.sort_by("host")
        await pilot.pause()
        assert made == []
        on_demand, now = RunOrder(), table.clock()
        on_demand.ordered(table.all_rows, now)  # by id, as the table first showed them
        on_demand.set_sort("host", False)
        assert table.visible_ids() == on_demand.ordered(table.all_rows, now)
        # A column added later gets its keys in idle steps too.
        table.set_columns([*BASE_COLUMNS, column_for("config.lr")])
        began = time.monotonic()
        await pilot.pause(0.05)
        while table._warm_timer is not None and time.monotonic() - began < 20:
            await pilot.pause(0.05)
        real = order._getter("config.lr")
        order._getters["config.lr"] = lambda row, now: made.append(row.run_id) or real(row, now)
        table.sort_by("config.lr")
        await pilot.pause()
        assert made == []


async def test_idle_steps_make_the_search_texts_of_rows_that_settle_later() -> None:
    """Rows still being read get no search text in idle steps; once they arrive read, they get one."""
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(RunsTable)
        waiting = {str(i) for i in range(1, 601, 2)}
        table.unsettled = lambda run_id: run_id in waiting
        table.set_rows(many(600))

        async def idle_steps_done() -> None:
            began = time.monotonic()
            await pilot.pause(0.05)
            while table._warm_timer is not None and time.monotonic() - began < 20:
                await pilot.pause(0.05)
            assert table._warm_timer is None, "the idle steps never stopped"

        await idle_steps_done()
        assert table._cells.without_haystack(table.all_rows) == waiting
        read = [RunRow(row.run_id, status=row.status, experiment=row.experiment, host=row.host,
                       config={**row.config, "depth": 3}) for row in many(600) if row.run_id in waiting]
        waiting = set()
        table.update_rows(read[:150])
        await idle_steps_done()
        table.update_rows(read[150:])
        await idle_steps_done()
        assert table._cells.without_haystack(table.all_rows) == set()
        table.set_query(parse_query("exp3"))
        assert sorted(table.visible_ids(), key=int) == [str(i) for i in range(1, 601) if i % 7 == 3]


async def test_a_thousand_changed_rows_redraw_those_on_screen_and_ask_for_the_view_once(monkeypatch) -> None:
    # A liveness tick changes every dead run's row at once ("no heartbeat for 41 min" -> "42 min"):
    # Textual answers "which rows are on screen" slowly, so asking per row stalled keys for 0.1 s.
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        table.set_rows(many(2000))
        await pilot.pause()
        top = table.visible_ids()[0]
        asked = []
        real_view = VirtualTable.rows_in_view
        monkeypatch.setattr(VirtualTable, "rows_in_view", lambda self: asked.append(1) or real_view(self))
        changed = [RunRow(str(i), status="FAILED", experiment=f"new{i}", host=f"host{i % 5}",
                          config={"lr": (i % 10) / 10, "seed": i}) for i in range(1001, 2001)]
        table.update_rows(changed)
        assert len(asked) == 1
        monkeypatch.undo()
        await pilot.pause()
        assert screen_lines(app)[1].split()[:3] == [top, "FAILED", f"new{top}"]
        table.move_cursor(row=table.get_row_index("1001"))  # off screen at the update
        await pilot.pause()
        line = next(line for line in screen_lines(app) if line.split()[:1] == ["1001"])
        assert line.split()[1:3] == ["FAILED", "new1001"]


async def test_rows_the_table_already_holds_are_not_sorted_again(monkeypatch) -> None:
    # The first load's batches may reach the table after it took every row from the store.
    app = TableApp()
    async with app.run_test(size=(120, 24)) as pilot:
        table = app.query_one(RunsTable)
        rows = many(3000)
        table.set_rows(rows)
        await pilot.pause()
        keyed: list[int] = []
        real_update = RunOrder.update
        monkeypatch.setattr(RunOrder, "update",
                            lambda self, changed, gone, now: keyed.append(len(changed)) or real_update(self, changed, gone, now))
        table.update_rows(rows[:2000])
        newer = RunRow("7", status="FAILED", experiment="newer")
        table.update_rows([*rows[:10], newer])
        assert keyed == [0, 1]
        await pilot.pause()
        assert table.get_cell("7", "experiment").plain == "newer"
