"""Provides RunsScreen: the table of every run in the folder, with filter, sort and columns."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input

from sacred_tui.data.format import format_time
from sacred_tui.data.liveness import liveness_sentence
from sacred_tui.data.query import Query, QueryError, incomplete_comparison, parse_query
from sacred_tui.data.queue_view import queue_sentence
from sacred_tui.data.table_state import TableStateStore
from sacred_tui.data.watcher import NATIVE, POLLING, WAITING
from sacred_tui.messages import RunsPainted, RunsUpdated, WatchModeChanged
from sacred_tui.data.visible_text import visible
from sacred_tui.screens.run_actions import RunChanges
from sacred_tui.screens.run_change_keys import RUN_CHANGE_BINDINGS, RunChangeKeys
from sacred_tui.screens.runs_layout_keys import LAYOUT_BINDINGS, RunsLayoutKeys
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.line_static import LineStatic
from sacred_tui.widgets.runs_table import RunsTable

if TYPE_CHECKING:
    from sacred_tui.data.rows import RunRow
    from sacred_tui.data.store import RunStore

_TYPE_AHEAD_ROWS = 2000
"""Tables up to this many runs re-filter at every key; bigger ones when typing pauses."""
_TYPE_AHEAD_DELAY = 0.15

UPDATE_SLICE = 1000
"""Changed rows applied to the table per message: a key waits for one slice at most (a batch of
5,000 rows of a first load took the table 70-140 ms)."""

ROW_ACTIONS = ("stop_run", "cancel_sweep")
"""Actions offered for some runs only (the key bar changes when the cursor moves onto one)."""

_MODE_TEXT = {NATIVE: "live", POLLING: "polling", WAITING: "waiting for folder"}


class RunsScreen(RunChangeKeys, RunsLayoutKeys, Screen[None]):
    """Lists the runs; Enter opens one, ``/`` filters, ``s`` sorts, ``c`` picks columns."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        *LAYOUT_BINDINGS,
        Binding("m", "show_marked", "Marked", show=False),
        Binding("C", "compare_marked", "Compare"),
        Binding("v", "seed_groups", "Seed groups"),
        Binding("h", "scatter", "Hyperparameters", show=False),
        Binding("L,n", "app.launch", "Launch"),
        Binding("r", "app.rerun", "Re-run"),
        Binding("R", "app.rerun_edit", "Edit and re-run", show=False),
        Binding("J", "app.launch_log", "Launched runs", show=False),
        Binding("X", "app.cancel_sweep", "Cancel rest of sweep", show=False),
        Binding("Q", "app.resume_queue", "Resume waiting runs", show=False),
        *RUN_CHANGE_BINDINGS,
    ]

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.loaded = False
        self._row_actions: tuple[bool | None, ...] = ()
        self.watch_mode = ""
        self.watch_reason = ""
        self._filter_timer: Timer | None = None
        self.layouts = TableStateStore()
        """Where the columns, sort and filter of each runs folder are remembered."""
        self.committed = parse_query("")
        """The filter last applied with Enter (or restored): what an invalid text falls back to."""
        self._filter_note: Text | None = None
        """Shown instead of the run line while the typed filter is invalid or half typed."""
        self.changes = RunChanges(self, store, self._targets, self._unmark_hidden)
        """Note, tags, archive, delete and export of the marked runs (or the one under the cursor)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield RunsTable(id="runs-table")
        yield LineStatic(id="row-info")
        yield Input(id="filter", select_on_focus=False,
                    placeholder="filter: words, status=FAILED, config.lr>0.01, "
                    "started<2h, metric.loss.last<0.1 … (Enter: apply, Esc: clear)")
        yield LineStatic(id="status-line")
        yield KeyBar()

    @property
    def table(self) -> RunsTable:
        """The runs table."""
        return self.query_one(RunsTable)

    def on_mount(self) -> None:
        self.sub_title = visible(str(self.store.path))
        table = self.table
        table.unsettled = self.store.waits_for_details
        table.settling = lambda: self.store.pending > 0
        table.rebuild(columns=True)
        self._restore_layout()
        self.set_interval(1.0, table.refresh_times)
        self._prefer_timer = self.set_interval(0.3, self._prefer_rows_in_view)
        self._show_status()

    def _prefer_rows_in_view(self) -> None:
        """While config and metrics are read, read those of the rows on screen first."""
        if not self.loaded:
            return
        if not self.store.pending:
            self._prefer_timer.stop()
            return
        self.store.prefer(self.table.ids_in_view(margin=20))

    # -- data --------------------------------------------------------------------------------
    @on(RunsUpdated)
    def _runs_updated(self, message: RunsUpdated) -> None:
        table = self.table
        if message.initial or not self.loaded:
            self.loaded = True
            table.set_rows(self.store.rows())
            self.call_after_refresh(self.post_message, RunsPainted())
        else:
            run_ids = message.run_ids
            if len(run_ids) > UPDATE_SLICE:
                # The rest comes back after the keys pressed meanwhile (the store's rows are read
                # then, so a newer version of a row read in between is the one shown).
                self.post_message(RunsUpdated(run_ids[UPDATE_SLICE:]))
                run_ids = run_ids[:UPDATE_SLICE]
            rows = [row for run_id in run_ids if (row := self.store.get(run_id)) is not None]
            table.update_rows(rows, message.removed)
            if table.current_run_id in run_ids:
                self.refresh_bindings()  # the run under the cursor may have stopped: no x any more
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
        if field.value != self.committed.text:
            field.value = self.committed.text
        field.focus()
        field.cursor_position = len(field.value)  # extend the filter, do not retype it

    def action_clear_filter(self) -> None:
        """Drop the filter (Esc)."""
        self._cancel_typed_filter()
        field = self.query_one("#filter", Input)
        field.value = ""
        field.remove_class("-shown", "-error")
        self._filter_note = None
        self.committed = parse_query("")
        self.table.set_query(self.committed)
        self.table.focus()
        self._save_layout()
        self._show_status()

    def action_show_marked(self) -> None:
        """Tell which runs are marked."""
        marked = sorted(self.table.marked)
        self.notify(", ".join(marked) if marked else "No run is marked (space marks one).",
                    title="Marked runs")

    def action_compare_marked(self) -> None:
        """Compare the marked runs side by side (config, metrics, outputs)."""
        from sacred_tui.screens.compare import compare_marked

        compare_marked(self, self.store, self.table.marked)

    def shown_rows(self) -> list[RunRow]:
        """The rows the table shows now (its filter applied), top to bottom."""
        rows = self.table.all_rows
        return [rows[run_id] for run_id in self.table.visible_ids() if run_id in rows]

    def action_seed_groups(self) -> None:
        """Group the shown runs by config, seed aside, with mean ± std per metric column."""
        from sacred_tui.data.groups import default_fields
        from sacred_tui.screens.groups import GroupsScreen

        fields = default_fields([spec.key for spec in self.table.specs], self.store.known_keys()[1])
        self.app.push_screen(GroupsScreen(self.store, self.shown_rows, fields, self.committed.text))

    def action_scatter(self) -> None:
        """Scatter a config key against a metric summary over the shown runs."""
        from sacred_tui.data.groups import default_fields
        from sacred_tui.screens.scatter import ScatterScreen

        fields = default_fields([spec.key for spec in self.table.specs], self.store.known_keys()[1])
        self.app.push_screen(ScatterScreen(self.store, self.shown_rows, fields))

    # -- events ------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self._cancel_typed_filter()
        if len(self.table.all_rows) <= _TYPE_AHEAD_ROWS:
            self._apply_filter(event.value, commit=False)
        else:
            # A big table re-filters once typing pauses, not at every key.
            self._filter_timer = self.set_timer(
                _TYPE_AHEAD_DELAY, lambda: self._apply_filter(event.value, commit=False))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._apply_filter(event.value, commit=True):
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.table.focus()

    @on(Input.Blurred, "#filter")
    def _filter_left(self, event: Input.Blurred) -> None:
        """Leaving the field without Enter keeps what it shows when valid, else the last filter."""
        if event.value != self.committed.text and not self._apply_filter(event.value, commit=True, quiet=True):
            event.input.value = self.committed.text
            event.input.remove_class("-error")
            if not self.committed.text.strip():
                event.input.remove_class("-shown")
            self._filter_note = None
            self._show_row_info()

    def _cancel_typed_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None

    def _apply_filter(self, text: str, *, commit: bool, quiet: bool = False) -> bool:
        """Filter by ``text``; an invalid (or half-typed) text shows why and keeps the last filter.

        While typing (``commit`` False) a text is applied only when it is complete; Enter
        (``commit``) makes it the filter to fall back to and remembers it for this folder.
        """
        self._cancel_typed_filter()
        field = self.query_one("#filter", Input)
        pending = None if commit else incomplete_comparison(text)
        if pending is not None:
            field.remove_class("-error")
            self._filter_note = Text(visible(f"{pending}: add an operator (= != < <= > >= ~) and a value, "
                                             f"or Enter to look for the word"), style="dim")
            self._show_query(self.committed)
            self._show_row_info()
            return False
        try:
            query = parse_query(text, *self._known_keys(text))
        except QueryError as exc:
            field.add_class("-error")
            kept = f" (still showing {self.committed.text!r})" if self.committed.text.strip() else ""
            self._filter_note = Text(visible(f"Filter: {exc}{kept}"), style="bold red")
            self._show_query(self.committed)
            self._show_row_info()
            if commit and not quiet:
                self.notify(visible(str(exc)), severity="error", title="Filter", markup=False)
            return False
        field.remove_class("-error")
        self._filter_note = None
        self._show_query(query)
        if commit:
            self.committed = query
            self._save_layout()
        self._show_row_info()
        self._show_status()
        return True

    def _show_query(self, query: Query) -> None:
        if query.text != self.table.query_filter.text:
            self.table.set_query(query)
            self._show_status()

    def _known_keys(self, text: str) -> tuple[set[str] | None, set[str] | None]:
        """Metric names and config keys of all runs, for a filter naming them, once every run is read.

        Before that (None) a key no run seems to have may still arrive with the next runs read.
        """
        lowered = text.lower()
        if ("metric" not in lowered and "config" not in lowered) or not self.loaded or self.store.pending:
            return None, None
        config, metrics = self.store.known_keys()
        return set(metrics), set(config)

    @on(RunsTable.HeaderSelected)
    def _header_clicked(self, event: RunsTable.HeaderSelected) -> None:
        key = event.column_key
        if key != "mark":
            self.table.sort_by(key)
            self._save_layout()
            self._show_status()

    @on(RunsTable.RowHighlighted)
    def _row_highlighted(self, event: RunsTable.RowHighlighted) -> None:
        self._show_row_info()
        # x (stop) and the sweep's cancel are offered for some runs only. Redrawing the key bar at
        # every cursor move cost more than the move itself: only when what is offered changes.
        offered = tuple(self.app.check_action(action, ()) for action in ROW_ACTIONS)
        if offered != self._row_actions:
            self._row_actions = offered
            self.refresh_bindings()

    @on(RunsTable.RowSelected)
    def _row_selected(self, event: RunsTable.RowSelected) -> None:
        self.open_run(event.row_key)

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
        info = self.query_one("#row-info", LineStatic)
        if self._filter_note is not None:
            info.show(self._filter_note)
            return
        table = self.table
        row = table.all_rows.get(table.current_run_id or "")
        if row is None:
            info.show("")
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
        if row.note:
            text.append(visible(f"  note: {row.note.splitlines()[0][:120]}"), style="italic")
        for problem in row.problems:
            text.append(f"  ⚠ {visible(problem)}", style="dark_orange3")
        info.show(text)

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
        archived = table.archived_count
        if archived:
            parts.append(f"{archived} archived " + ("shown (A hides)" if table.show_archived else "hidden (A shows)"))
        if not self.loaded or self.store.pending:
            parts.append("loading…")
        mode = _MODE_TEXT.get(self.watch_mode, self.watch_mode)
        if mode:
            parts.append(f"{mode}: {self.watch_reason}" if self.watch_reason else mode)
        self.query_one("#status-line", LineStatic).show(visible(" · ".join(parts)))
