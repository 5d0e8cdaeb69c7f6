"""Provides CompareScreen: N runs side by side (config keys, overlaid metrics, text diff of two).

The screen follows the compared runs live: while any of them is RUNNING it polls their files
once a second in a worker thread (and right away when the app reports that their files changed),
so the config table and the plots keep up. The text diff is computed in a worker thread on the
last part of each file, on demand (`r` computes it again).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from core.runs.record import RunRecord
from core.runs.stored import StoredRun
from sacred_tui.data.compare import ConfigComparison, compare_configs, order_run_ids, run_colors
from sacred_tui.data.compare_source import CompareSource, CompareUpdate, MetricOverlay
from sacred_tui.data.queue_view import shown_status
from sacred_tui.data.compare_text import diff_texts, read_side
from sacred_tui.data.liveness import NOT_APPLICABLE, Liveness, liveness_sentence
from sacred_tui.messages import RunsUpdated
from sacred_tui.screens.polling import PollingTabsScreen
from sacred_tui.widgets.config_compare import ConfigCompareTable, kind_legend
from sacred_tui.widgets.config_view import format_value
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.overlay_plot import OverlayPlot
from sacred_tui.widgets.run_overview import status_text
from sacred_tui.widgets.text_diff_view import TextDiffPanel
from sacred_tui.data.visible_text import visible

__all__ = ["CompareScreen", "TAB_IDS", "compare_marked"]

TAB_IDS = ("tab-config", "tab-metrics", "tab-diff")
_FOCUS = {"tab-config": "#config-table", "tab-metrics": "#metric-list", "tab-diff": "#diff-view"}


def compare_marked(screen: Screen[Any], store_or_folder: Any, marked: Iterable[str]) -> None:
    """Open the comparison of the marked runs, or explain why it cannot be opened."""
    run_ids = order_run_ids(marked)
    if len(run_ids) < 2:
        screen.notify("Mark at least two runs (space) to compare them.", severity="warning",
                      title="Compare runs")
        return
    screen.app.push_screen(CompareScreen(store_or_folder, run_ids))


class CompareScreen(PollingTabsScreen):
    """Compares runs; the first run is the reference the config colours are relative to."""

    TAB_IDS = TAB_IDS

    DEFAULT_CSS = """
    CompareScreen > #compare-header { height: auto; background: $panel; padding: 0 1; }
    CompareScreen > #compare-problems { height: auto; color: $warning; padding: 0 1; display: none; }
    CompareScreen > #compare-problems.-shown { display: block; }
    CompareScreen > TabbedContent { height: 1fr; }
    CompareScreen TabPane { padding: 0; height: 1fr; }
    CompareScreen .compare-line { height: auto; padding: 0 1; color: $text-muted; }
    CompareScreen #metric-list { width: 32; height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("n", "next_difference(1)", "Next diff"),
        Binding("N", "next_difference(-1)", "Prev diff"),
        Binding("a", "toggle_all", "All keys"),
        Binding("x", "toggle_x", "Step/time"),
        Binding("s", "swap_sides", "Swap A/B"),
        Binding("r", "reload", "Reload"),
        Binding("h", "switch_tab(-1)", "Prev tab", show=False),
        Binding("l", "switch_tab(1)", "Next tab", show=False),
        Binding("1", "show_tab('tab-config')", "Config tab", show=False),
        Binding("2", "show_tab('tab-metrics')", "Metrics tab", show=False),
        Binding("3", "show_tab('tab-diff')", "Diff tab", show=False),
    ]

    def __init__(self, store_or_folder: Any, run_ids: Iterable[str], poll_interval: float = 1.0,
                 max_diff_bytes: int | None = None) -> None:
        super().__init__()
        self.source = CompareSource(store_or_folder, list(run_ids))
        self.run_ids = self.source.run_ids
        self.color_of = run_colors(self.run_ids)
        """Colour of each run, used by the legend, the table headers and the plot lines."""
        self.overlay = MetricOverlay(self.run_ids)
        self.poll_interval = poll_interval
        self.max_diff_bytes = max_diff_bytes
        self.only_changed = True
        """Show only the config keys that differ (`a` toggles)."""
        self.comparison = ConfigComparison((), len(self.run_ids))
        self._configs: dict[str, dict[str, Any]] = {}
        self._records: dict[str, RunRecord] = {}
        self._problems: dict[str, list[str]] = {}
        self._liveness: dict[str, Liveness] = {}
        self._loaded = False
        self._metric_listing: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield Static(self._header_text(), id="compare-header")
        yield Static("", id="compare-problems")
        with TabbedContent(id="compare-tabs", initial="tab-config"):
            with TabPane("1 Config", id="tab-config"):
                yield Static("", id="config-legend", classes="compare-line")
                yield ConfigCompareTable(id="config-table")
                yield Static("", id="config-row-info", classes="compare-line")
            with TabPane("2 Metrics", id="tab-metrics"):
                with Horizontal():
                    yield OptionList(id="metric-list")
                    with Vertical():
                        yield Static("", id="metric-legend", classes="compare-line")
                        yield OverlayPlot(self.overlay, self.color_of, id="overlay-plot")
            with TabPane("3 Diff", id="tab-diff"):
                yield TextDiffPanel(self.run_ids, id="diff-panel")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_config()
        self._show_metric_legend()
        self.refresh_from_files()
        self.set_interval(self.poll_interval, self._tick)
        self.query_one("#config-table").focus()

    # ---- polling -------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.source.running:
            self.refresh_from_files()

    def poll_error_title(self) -> str:
        return "Cannot read the compared runs"

    def apply_update(self, update: CompareUpdate) -> None:
        """Route what changed to the header, the config table, the plot and the diff choices."""
        for run_id, record in update.records.items():
            self._records[run_id] = record
            self.overlay.set_origin(run_id, record.start_time)
        self._liveness.update(update.liveness)
        if update.records or update.liveness:
            self.query_one("#compare-header", Static).update(self._header_text())
            self._update_sources()
        if update.configs:
            self._configs.update(update.configs)
            self.comparison = compare_configs([self._configs.get(run_id, {}) for run_id in self.run_ids])
            self._show_config()
        for run_id, points in update.metrics.items():
            self.overlay.add(run_id, points)
        if update.metrics or not self._loaded:
            self._update_metric_list()
            self.query_one(OverlayPlot).refresh()
            self._show_metric_legend()
        if update.problems:
            self._show_problems(update.problems)
        self._loaded = True

    @on(RunsUpdated)
    def _runs_updated(self, message: RunsUpdated) -> None:
        if set(message.run_ids) & set(self.run_ids):
            self.refresh_from_files()

    # ---- header and problems -----------------------------------------------------------------

    def _header_text(self) -> Text:
        text = Text(f"Comparing {len(self.run_ids)} runs: ", style="bold")
        for run_id in self.run_ids:
            record = self._records.get(run_id)
            text.append("● ", style=self.color_of[run_id])
            text.append(f"{visible(run_id)} ", style=f"bold {self.color_of[run_id]}")
            if record is not None:
                liveness = self._liveness.get(run_id, NOT_APPLICABLE)
                text.append_text(status_text(self._shown_status(run_id, record), liveness))
                if liveness.dead:
                    text.append(visible(f" ({liveness_sentence(liveness)})"), style="magenta")
                if record.experiment_name:
                    text.append(f" {visible(record.experiment_name)}", style="dim")
            text.append("   ")
        return text

    def _shown_status(self, run_id: str, record: Any) -> str:
        """The status the table shows (CANCELLED, PENDING ... for queued runs), else the stored one."""
        store = self.source.store
        row = store.get(run_id) if store is not None else None
        if row is not None:
            return row.shown_status
        stored = (record.status or "").strip()
        return shown_status(stored, record.start_time, None) if stored else stored

    def _show_problems(self, changed: dict[str, list[str]]) -> None:
        new = [f"run {run_id}: {problem}" for run_id, problems in changed.items()
               for problem in problems if problem not in self._problems.get(run_id, [])]
        self._problems.update(changed)
        lines = [f"⚠ run {run_id}: {problem}" for run_id in self.run_ids
                 for problem in self._problems.get(run_id, [])]
        widget = self.query_one("#compare-problems", Static)
        widget.update(Text("\n".join(visible(line) for line in lines)))
        widget.set_class(bool(lines), "-shown")
        if new:
            self.notify("\n".join(new), severity="warning", title="File problems")

    # ---- config tab ---------------------------------------------------------------------------

    def _show_config(self) -> None:
        table = self.query_one(ConfigCompareTable)
        table.show(self.comparison, self.run_ids, self.color_of, self.only_changed)
        legend = kind_legend()
        total, changed = len(self.comparison.rows), self.comparison.changed_count
        if not self._configs:
            legend.append(" · reading configs…")
        elif self.only_changed:
            legend.append(f" · {changed} of {total} keys differ (a: show all)")
            if changed == 0:
                legend.append(" · the configs are identical", style="bold")
        else:
            legend.append(f" · all {total} keys, {changed} differ (a: only differences)")
        legend.append(" · n/N: next/previous difference")
        self.query_one("#config-legend", Static).update(legend)
        self._show_row_info()

    def _show_row_info(self) -> None:
        row = self.query_one(ConfigCompareTable).current_row
        info = Text()
        if row is not None:
            info.append(visible(row.key), style="bold")
            for run_id, value, type_name in zip(self.run_ids, row.values, row.type_names, strict=True):
                info.append("  ")
                info.append(f"{visible(run_id)}: ", style=self.color_of[run_id])
                info.append("missing" if type_name is None else visible(f"{format_value(value, 80)} ({type_name})"))
        self.query_one("#config-row-info", Static).update(info)

    @on(DataTable.RowHighlighted, "#config-table")
    def _row_highlighted(self) -> None:
        self._show_row_info()

    def action_toggle_all(self) -> None:
        """Show every config key, or only those that differ."""
        self.only_changed = not self.only_changed
        self._show_config()

    def action_next_difference(self, step: int) -> None:
        """Move to the next (1) or previous (-1) key that differs."""
        self.action_show_tab("tab-config")
        if self.query_one(ConfigCompareTable).jump(step) is None:
            self.notify("No config key differs between these runs.", title="Compare runs", timeout=3)

    # ---- metrics tab -----------------------------------------------------------------------------

    def _update_metric_list(self) -> None:
        """List every metric with how many runs logged it; rebuilt only when that changed."""
        names = self.overlay.names()
        listing = [(name, len(self.overlay.runs_with(name))) for name in names]
        if listing == self._metric_listing:
            return
        self._metric_listing = listing
        chooser = self.query_one("#metric-list", OptionList)
        current = self.query_one(OverlayPlot).metric
        chooser.clear_options()
        chooser.add_options([Option(Text(f"{visible(name)}  ({count}/{len(self.run_ids)} runs)"), id=name)
                             for name, count in listing])
        if names:
            chooser.highlighted = names.index(current) if current in names else 0

    @on(OptionList.OptionHighlighted, "#metric-list")
    def _metric_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        self.show_metric(message.option.id)

    def show_metric(self, name: str | None) -> None:
        """Plot metric `name` of every run that logged it."""
        plot = self.query_one(OverlayPlot)
        if plot.metric != name:
            plot.metric = name
            plot.refresh()
        self._show_metric_legend()

    def _show_metric_legend(self) -> None:
        plot = self.query_one(OverlayPlot)
        legend = Text()
        if plot.metric is None:
            legend.append("No metrics logged by these runs (yet)." if self._loaded else "Reading metrics…")
        for run_id in self.run_ids:
            if plot.metric is None:
                break
            series = self.overlay.series.get(run_id, {}).get(plot.metric)
            legend.append("━━ ", style=self.color_of[run_id])
            if series is None:
                legend.append(f"run {visible(run_id)}: not logged   ", style="dim")
            else:
                last = series.last_value()
                legend.append(f"run {visible(run_id)}", style=f"bold {self.color_of[run_id]}")
                legend.append(f" {len(series):,} pts, last {last:.6g}   " if last is not None
                              else f" {len(series):,} pts   ")
        axis = "time since each run's start" if plot.x_mode == "time" else "step"
        legend.append(f"\nx: {axis} (x toggles)", style="dim")
        self.query_one("#metric-legend", Static).update(legend)

    def action_toggle_x(self) -> None:
        """Switch the plot's x axis between step and time since each run's start."""
        plot = self.query_one(OverlayPlot)
        plot.x_mode = "time" if plot.x_mode == "step" else "step"
        plot.refresh()
        self._show_metric_legend()

    # ---- diff tab -----------------------------------------------------------------------------------

    def _update_sources(self) -> None:
        names = sorted({relpath for record in self._records.values() for relpath, _ in record.sources})
        self.query_one(TextDiffPanel).set_sources(names)

    @on(TextDiffPanel.Wanted)
    def _diff_wanted(self, message: TextDiffPanel.Wanted) -> None:
        self._diff_worker(message.a, message.b, message.what)

    @work(thread=True, exclusive=True, group="compare-diff", exit_on_error=False)
    def _diff_worker(self, a: str, b: str, what: str) -> None:
        panel = self.query_one(TextDiffPanel)
        try:
            limit = {} if self.max_diff_bytes is None else {"max_bytes": self.max_diff_bytes}
            sides = [read_side(StoredRun(self.source.folder, run_id), what, **limit) for run_id in (a, b)]
            result = diff_texts(sides[0], sides[1])
        except Exception as exc:  # show the failure in place, never crash the screen
            self.app.call_from_thread(panel.show_error, f"{type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(panel.show_result, result, a, b, what)

    def action_swap_sides(self) -> None:
        """Swap the two runs of the text diff (the diff follows the new choice)."""
        self.action_show_tab("tab-diff")
        self.query_one(TextDiffPanel).swap()

    # ---- navigation --------------------------------------------------------------------------------

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, message: TabbedContent.TabActivated) -> None:
        pane = message.pane.id or ""
        panel = self.query_one(TextDiffPanel)
        if pane == "tab-diff" and not panel.active:
            panel.request()
        if pane in _FOCUS:
            self.query_one(_FOCUS[pane]).focus()

    def action_reload(self) -> None:
        """Read the runs' files again and recompute the text diff if it is shown."""
        self.refresh_from_files()
        panel = self.query_one(TextDiffPanel)
        if panel.active:
            panel.request()
