"""Provides RunsScreen: the table of every run in the folder, with filter, sort and columns."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from sacred_tui.data.columns import BASE_COLUMNS, BASE_KEYS, ColumnSpec, column_for
from sacred_tui.data.format import format_time
from sacred_tui.data.liveness import liveness_sentence
from sacred_tui.data.query import QueryError, parse_query
from sacred_tui.data.queue_view import queue_sentence
from sacred_tui.data.watcher import NATIVE, POLLING, WAITING
from sacred_tui.messages import RunsPainted, RunsUpdated, WatchModeChanged
from sacred_tui.screens.columns import ColumnsScreen
from sacred_tui.widgets.runs_table import RunsTable
from sacred_tui.data.visible_text import visible

if TYPE_CHECKING:
    from sacred_tui.data.store import RunStore

_TYPE_AHEAD_ROWS = 2000
"""Tables up to this many runs re-filter at every key; bigger ones when typing pauses."""
_TYPE_AHEAD_DELAY = 0.15

_MODE_TEXT = {NATIVE: "live", POLLING: "polling", WAITING: "waiting for folder"}


class RunsScreen(Screen[None]):
    """Lists the runs; Enter opens one, ``/`` filters, ``s`` sorts, ``c`` picks columns."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("c", "choose_columns", "Columns"),
        Binding("m", "show_marked", "Marked", show=False),
        Binding("C", "compare_marked", "Compare marked runs"),
        Binding("L,n", "app.launch", "Launch"),
        Binding("r", "app.rerun", "Re-run"),
        Binding("R", "app.rerun_edit", "Edit and re-run", show=False),
        Binding("J", "app.launch_log", "Launched runs", show=False),
        Binding("X", "app.cancel_sweep", "Cancel rest of sweep", show=False),
        Binding("Q", "app.resume_queue", "Resume waiting runs", show=False),
    ]

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.loaded = False
        self.watch_mode = ""
        self.watch_reason = ""
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield RunsTable(id="runs-table")
        yield Static(id="row-info", markup=False)
        yield Input(id="filter", placeholder="filter: words, status=FAILED, config.lr>0.01, "
                    "started<2h, metric.loss.last<0.1 … (Enter: apply, Esc: clear)")
        yield Static(id="status-line", markup=False)
        yield Footer()

    @property
    def table(self) -> RunsTable:
        """The runs table."""
        return self.query_one(RunsTable)

    def on_mount(self) -> None:
        self.sub_title = visible(str(self.store.path))
        table = self.table
        table.rebuild(columns=True)
        self.set_interval(1.0, table.refresh_times)
        self._show_status()

    # -- data --------------------------------------------------------------------------------
    @on(RunsUpdated)
    def _runs_updated(self, message: RunsUpdated) -> None:
        table = self.table
        if message.initial or not self.loaded:
            self.loaded = True
            table.set_rows(self.store.rows())
            self.call_after_refresh(self.post_message, RunsPainted())
        else:
            rows = [row for run_id in message.run_ids if (row := self.store.get(run_id)) is not None]
            table.update_rows(rows, message.removed)
        self._show_row_info()
        self._show_status()

    @on(WatchModeChanged)
    def _watch_mode_changed(self, message: WatchModeChanged) -> None:
        self.watch_mode, self.watch_reason = message.mode, message.reason
        self._show_status()

    # -- actions -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        """Show the filter input and focus it."""
        field = self.query_one("#filter", Input)
        field.add_class("-shown")
        field.value = self.table.query_filter.text
        field.focus()

    def action_clear_filter(self) -> None:
        """Drop the filter (Esc)."""
        self._cancel_typed_filter()
        field = self.query_one("#filter", Input)
        field.value = ""
        field.remove_class("-shown", "-error")
        self.table.set_query(parse_query(""))
        self.table.focus()
        self._show_status()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        self.table.cycle_sort()
        self._show_status()

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        table = self.table
        table.sort_by(table.sort_column, not table.sort_reverse)
        self._show_status()

    def action_choose_columns(self) -> None:
        """Open the picker of config and metric columns."""
        config_keys, metric_names = self.store.known_keys()
        current = [spec.key for spec in self.table.specs if spec.key not in BASE_KEYS]
        self.app.push_screen(ColumnsScreen(config_keys, metric_names, current), self._set_extra_columns)

    def action_show_marked(self) -> None:
        """Tell which runs are marked."""
        marked = sorted(self.table.marked)
        self.notify(", ".join(marked) if marked else "No run is marked (space marks one).",
                    title="Marked runs")

    def action_compare_marked(self) -> None:
        """Compare the marked runs side by side (config, metrics, outputs)."""
        from sacred_tui.screens.compare import compare_marked

        compare_marked(self, self.store, self.table.marked)

    def _set_extra_columns(self, keys: list[str] | None) -> None:
        if keys is None:
            return
        specs: list[ColumnSpec] = list(BASE_COLUMNS)
        for key in keys:
            try:
                specs.append(column_for(key))
            except ValueError as exc:
                self.notify(str(exc), severity="error", title="Column")
        self.table.set_columns(specs)
        self._show_status()

    # -- events ------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self._cancel_typed_filter()
        if len(self.table.all_rows) <= _TYPE_AHEAD_ROWS:
            self._apply_filter(event.value, notify=False)
        else:
            # A big table re-filters once typing pauses, not at every key.
            self._filter_timer = self.set_timer(
                _TYPE_AHEAD_DELAY, lambda: self._apply_filter(event.value, notify=False))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._apply_filter(event.value, notify=True):
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.table.focus()

    def _cancel_typed_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None

    def _apply_filter(self, text: str, *, notify: bool) -> bool:
        self._cancel_typed_filter()
        field = self.query_one("#filter", Input)
        try:
            query = parse_query(text)
        except QueryError as exc:
            field.add_class("-error")
            self.query_one("#row-info", Static).update(Text(f"Filter: {exc}", style="bold red"))
            if notify:
                self.notify(str(exc), severity="error", title="Filter")
            return False
        field.remove_class("-error")
        if query.text != self.table.query_filter.text:
            self.table.set_query(query)
        self._show_row_info()
        self._show_status()
        return True

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key and key != "mark":
            self.table.sort_by(key)
            self._show_status()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_row_info()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_run(event.row_key.value)

    @on(RunsTable.MarksChanged)
    def _marks_changed(self, event: RunsTable.MarksChanged) -> None:
        self._show_status()

    def open_run(self, run_id: str) -> None:
        """Open the detail screen of a run."""
        try:
            from sacred_tui.screens.run_detail import RunDetailScreen
        except ImportError as exc:
            self.notify(f"Run details are not available in this build ({exc}).",
                        severity="warning", title=f"Run {run_id}")
            return
        self.app.push_screen(RunDetailScreen(self.store, run_id))

    # -- status texts ------------------------------------------------------------------------
    def _show_row_info(self) -> None:
        info = self.query_one("#row-info", Static)
        table = self.table
        row = table.all_rows.get(table.current_run_id or "")
        if row is None:
            info.update("")
            return
        text = Text()
        text.append(f"Run {visible(row.run_id)}", style="bold")
        text.append(visible(f"  {row.experiment or '?'} {row.command}  started {format_time(row.start)}"))
        sentence = liveness_sentence(row.liveness)
        if row.liveness.dead:
            text.append(visible(f"  {sentence}"), style="bold magenta")
        elif sentence:
            text.append(visible(f"  ({sentence})"), style="dim")
        waiting = queue_sentence(row.status, row.start, row.queue, self._own_queue_note(row.run_id))
        if waiting:
            text.append(visible(f"  {waiting}"), style="dim")
        if row.queue is not None and row.queue.position():
            text.append(visible(f"  ({row.queue.position()})"), style="dim")
        for problem in row.problems:
            text.append(f"  ⚠ {visible(problem)}", style="dark_orange3")
        info.update(text)

    def _own_queue_note(self, run_id: str) -> str:
        flow = getattr(self.app, "queue_flow", None)
        return flow.own_note(run_id) if flow is not None else ""

    def _show_status(self) -> None:
        table = self.table
        shown, total = table.row_count, len(table.all_rows)
        parts = [f"{shown} of {total} runs" if shown != total else f"{total} runs"]
        if table.query_filter.text.strip():
            parts.append(f"filter: {table.query_filter.text}")
        label = next((spec.label for spec in table.specs if spec.key == table.sort_column), "")
        parts.append(f"sorted by {label} {'▼' if table.sort_reverse else '▲'}")
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if not self.loaded or self.store.pending:
            parts.append("loading…")
        mode = _MODE_TEXT.get(self.watch_mode, self.watch_mode)
        if mode:
            parts.append(f"{mode}: {self.watch_reason}" if self.watch_reason else mode)
        self.query_one("#status-line", Static).update(visible(" · ".join(parts)))
