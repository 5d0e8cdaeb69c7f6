"""Provides RunDetailScreen: one run in tabs (overview, config, metrics, stdout, artifacts, info, sources).

The screen opens with the overview only; the other tabs' widgets are mounted right after its first
paint (what they are sent meanwhile waits, in order), so a run's overview shows in about half the time.
Every tab updates live: the screen polls its RunDetailSource in a worker thread every
`poll_interval` seconds, and the app may call `refresh_from_files()` when it sees file events.
Polls never overlap; a request that arrives during a poll runs right after it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Static

from sacred_tui.data.artifact_preview import ArtifactItem, ArtifactPreview
from core.runs.record import RunRecord
from sacred_tui.data.config_diff import ConfigDiff
from sacred_tui.data.liveness import NOT_APPLICABLE, Liveness
from sacred_tui.data.run_detail_data import RunDetailSource, RunDetailUpdate
from sacred_tui.screens.artifact import ArtifactScreen, open_externally
from sacred_tui.screens.run_tabs import FOCUS_TARGETS, TAB_IDS, TAB_LABELS, pane_widgets
from sacred_tui.screens.searchable_tabs import SearchableTabsScreen
from sacred_tui.screens.run_actions import edit_note, edit_tags
from sacred_tui.screens.value_screen import ValueScreen
from sacred_tui.widgets.artifacts_list import ArtifactPreviewView, ArtifactsList
from sacred_tui.widgets.config_view import ConfigView, ValueTree
from sacred_tui.widgets.key_bar import KeyBar
from sacred_tui.widgets.log_tail import LogTail, StdoutPane
from sacred_tui.widgets.metrics_plot import MetricsPanel
from sacred_tui.data.queue_view import QueueView
from sacred_tui.widgets.run_header import RunHeader
from sacred_tui.widgets.run_overview import RunOverview
from sacred_tui.widgets.search_bar import SearchBar
from sacred_tui.widgets.sources_view import SourcesView
from sacred_tui.widgets.tab_strip import TabStrip

__all__ = ["RunDetailScreen", "TAB_IDS"]


class RunDetailScreen(SearchableTabsScreen):
    """Everything about one run; Esc or Backspace returns to the previous screen."""

    TAB_IDS = TAB_IDS

    DEFAULT_CSS = """
    RunDetailScreen > #detail-tabs { height: 1fr; }
    RunDetailScreen > #search-status { height: 1; padding: 0 1; color: $text-muted; display: none; }
    RunDetailScreen #detail-tabs > Vertical { padding: 0; height: 1fr; }
    RunDetailScreen #artifacts-split > ArtifactsList { width: 2fr; height: 1fr; }
    RunDetailScreen #artifacts-split > ArtifactPreviewView { width: 3fr; height: 1fr; border-left: solid $panel; }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("h", "switch_tab(-1)", "Prev tab", show=False),
        Binding("l", "switch_tab(1)", "Next tab", show=False),
        Binding("o", "open_artifact", "Open outside"),
        Binding("r", "app.rerun", "Re-run"),
        Binding("R", "app.rerun_edit", "Edit and re-run", show=False),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("slash", "search", "Search"),
        Binding("n", "search_next(True)", "Next match", show=False),
        Binding("N", "search_next(False)", "Previous match", show=False),
        Binding("e", "edit_note", "Note", show=False),
        Binding("t", "edit_tags", "Tags", show=False),
        *(Binding(str(n + 1), f"show_tab('{tab}')", tab[4:].title(), show=False) for n, tab in enumerate(TAB_IDS)),
    ]

    def __init__(self, store_or_folder: Any, run_id: str, poll_interval: float = 0.5,
                 source: RunDetailSource | None = None) -> None:
        super().__init__()
        self.source = source or RunDetailSource(store_or_folder, run_id)
        self.run_id = self.source.run_id
        self.poll_interval = poll_interval
        self._config: dict[str, Any] = {}
        self._diff: ConfigDiff | None = None
        self._highlighted: ArtifactItem | None = None
        self._problems: set[str] = set()
        self._loaded = False
        self._record: RunRecord | None = None
        self._liveness: Liveness = NOT_APPLICABLE
        self._queue: QueueView | None = None
        self._defaults_diff: ConfigDiff | None = None
        self._defaults_asked = False
        self._panes_ready = False
        """Whether the tabs other than the overview have their widgets (mounted after the first paint)."""
        self._held: list[tuple[RunDetailUpdate, bool]] = []
        """Updates that came before those widgets, shown in order once they are there."""

    def compose(self) -> ComposeResult:
        yield RunHeader(self.run_id, id="detail-header")
        yield TabStrip(list(zip(TAB_IDS, TAB_LABELS)), "tab-overview", id="detail-tab-strip")
        with ContentSwitcher(id="detail-tabs", initial="tab-overview"):
            with Vertical(id="tab-overview"):
                yield RunOverview(id="overview")
            for tab in TAB_IDS[1:]:
                yield Vertical(id=tab)
        yield Static("", id="search-status", markup=False)
        yield SearchBar()
        yield KeyBar()

    _pane_widgets = staticmethod(pane_widgets)

    async def _mount_panes(self) -> None:
        """Give the other tabs their widgets, then show what they were sent meanwhile."""
        if self._leaving():
            return
        for mounting in [self.query_one(f"#{tab}", Vertical).mount(*widgets)  # all begun, then awaited
                         for tab, widgets in self._pane_widgets().items()]:
            await mounting
        if self._leaving():
            return  # the tabs may lack widgets
        self._panes_ready = True
        held, self._held = self._held, []
        for update, new_tracks in held:
            self._apply_to_panes(update, new_tracks, config=False)
        if self._defaults_diff is not None or any(
                update.config is not None or update.config_diff is not None for update, _new in held):
            self._show_config()  # once, as it stands now
        self._focus_active_tab()
        self.refresh_bindings()

    @property
    def tabs_built(self) -> bool:
        """Whether every tab has its widgets (the overview's come with the screen, the others after)."""
        return self._panes_ready

    def _leaving(self) -> bool:
        """Whether the screen is on its way out: taken off the app's stack, or being removed with
        the app as it quits (Textual then mounts nothing more into it)."""
        return not self.is_attached or self not in self.app.screen_stack or getattr(self, "_pruning", False)

    @property
    def active_tab(self) -> str:
        return self.query_one(ContentSwitcher).current or TAB_IDS[0]

    def show_tab(self, tab: str) -> None:
        if tab not in TAB_IDS or tab == self.active_tab:
            return
        self.query_one(ContentSwitcher).current = tab
        self.query_one(TabStrip).active = tab
        self.search_follows_tab()

    @on(TabStrip.Chosen)
    def _tab_chosen(self, message: TabStrip.Chosen) -> None:
        self.show_tab(message.tab_id)

    def on_mount(self) -> None:
        flow = getattr(self.app, "launch_flow", None)
        if flow is not None and self.source.launcher_python is None:
            self.source.launcher_python = flow.python
        self.refresh_from_files()
        self.set_interval(self.poll_interval, self.refresh_from_files)
        self._activity_timer = self.set_interval(0.25, self._show_activity)
        self.call_after_refresh(self._focus_active_tab)
        self.call_after_refresh(self._mount_panes)

    def _show_header(self, activity: str | None = None) -> None:
        self.query_one(RunHeader).show(self._record, self._queue, self._liveness, activity)

    def _show_activity(self) -> None:
        """While the first polls read big files, the header says which one."""
        if self._loaded:
            self._activity_timer.stop()
            self._show_header()
        elif self.source.activity:
            self._show_header(self.source.activity)

    def _focus_active_tab(self) -> None:
        """Focus the widget of whichever tab is active by now (a tab key may already have been pressed)."""
        target = FOCUS_TARGETS.get(self.active_tab)
        found = self.query(target) if target else None
        if found:
            found.first().focus()

    # ---- polling -------------------------------------------------------------------------

    def on_runs_updated(self, message: Message) -> None:
        """The app saw files of some runs change (its RunsUpdated message): re-read if ours did."""
        if self.run_id in getattr(message, "run_ids", ()):
            self.refresh_from_files()
            self._show_notes()

    def _show_notes(self) -> None:
        """The note and tags the store read for this run (nothing shown without a store)."""
        store = self.source.store
        row = store.get(self.run_id) if store is not None else None
        if row is not None and self.is_mounted:
            self.query_one(RunOverview).show_notes(row.note, row.tags, row.archived)

    def poll_error_title(self) -> str:
        return f"Cannot read run {self.run_id}"

    def apply_update(self, update: RunDetailUpdate) -> None:
        """Route the parts of an update to the tabs that show them."""
        if (update.record is not None or update.problems is not None or update.state is not None
                or update.reproduction is not None):
            self.query_one(RunOverview).show(update.record, update.problems, update.state,
                                             update.reproduction)
            self._show_notes()
        if update.state is not None:
            self._liveness = update.state.liveness
            self._queue = update.state.queue
        if update.record is not None:
            self._record = update.record
            self.refresh_bindings()  # x (stop) is offered while the run runs
        if update.record is not None or update.state is not None:
            self._show_header()
        if update.config is not None:
            self._config = update.config
        if update.config_diff is not None and self._defaults_diff is None:
            self._diff = update.config_diff
        if self._record is not None and not self._defaults_asked:
            self._defaults_asked = True
            self._ask_defaults()
        # Plots are drawn for new points, and once when the metrics are known to have none.
        new_tracks = bool(update.tracks) or not (self._loaded or update.metrics_pending)
        if self._panes_ready:
            self._apply_to_panes(update, new_tracks)
        else:
            self._held.append((update, new_tracks))
        if update.problems is not None:
            self._notify_problems(update.problems)
        self._loaded = not update.metrics_pending
        if update.metrics_pending or update.diff_pending:
            self.refresh_from_files()  # now the big metric files, the baseline run

    def _apply_to_panes(self, update: RunDetailUpdate, new_tracks: bool, config: bool = True) -> None:
        """The parts of an update shown in the tabs other than the overview (``config``: the config too)."""
        if update.record is not None:
            self.query_one(MetricsPanel).origin = update.record.start_time
        if config and (update.config is not None or update.config_diff is not None):
            self._show_config()
        if update.info is not None:
            info_tree = self.query_one("#info-tree", ValueTree)
            info_tree.show_data(update.info)
            if not update.info:
                info_tree.root.add_leaf(Text("No info stored for this run.", style="dim"))
        if update.metrics_note is not None:
            self.query_one(MetricsPanel).cadence = update.metrics_note
        if new_tracks:
            self.query_one(MetricsPanel).add_tracks(update.tracks)
        if update.stdout is not None:
            self.query_one(StdoutPane).apply_chunk(update.stdout)
        self._apply_artifacts(update)
        if update.sources is not None:
            mainfile = self._record.mainfile if self._record is not None else None
            self.query_one(SourcesView).show_entries(update.sources, mainfile)

    def _show_config(self) -> None:
        if not self._panes_ready:
            return  # shown once the tabs have their widgets
        note = "" if self._defaults_diff is not None else "asking the script for the experiment's defaults…"
        self.query_one(ConfigView).show(self._config, self._diff, note)

    @work(thread=True, group="config-defaults", exclusive=True, exit_on_error=False)
    def _ask_defaults(self) -> None:
        diff = self.source.defaults_diff()
        self.app.call_from_thread(self._defaults_known, diff)

    def _defaults_known(self, diff: ConfigDiff) -> None:
        if not self.is_attached:
            return
        self._defaults_diff = self._diff = diff
        self._show_config()

    def _apply_artifacts(self, update: RunDetailUpdate) -> None:
        if update.files is None:
            return
        self.query_one(ArtifactsList).show_items(update.files)
        if not update.files:
            self.query_one(ArtifactPreviewView).show_message("This run stored no artifacts and opened no resources.")

    def _notify_problems(self, problems: list[str]) -> None:
        new = [problem for problem in problems if problem not in self._problems]
        self._problems = set(problems)
        if new:
            self.notify("\n".join(new), severity="warning", title=f"Run {self.run_id}: file problems")

    # ---- stdout, artifacts, sources ------------------------------------------------------------

    @on(LogTail.EarlierRequested)
    def _load_earlier(self) -> None:
        self._read_earlier()

    @work(thread=True, group="stdout-earlier", exclusive=True, exit_on_error=False)
    def _read_earlier(self) -> None:
        text = self.source.load_earlier_stdout()
        self.app.call_from_thread(self._show_earlier, text)

    def _show_earlier(self, text: str | None) -> None:
        if text is None:
            self.notify("The whole output is shown already.")
            return
        self.query_one(StdoutPane).prepend(text, self.source.stdout_start)

    @on(ArtifactsList.Highlighted)
    def _artifact_highlighted(self, message: ArtifactsList.Highlighted) -> None:
        self._highlighted = message.item
        self.query_one(ArtifactPreviewView).show_message(f"Loading {message.item.name}…")
        self._load_preview(message.item)

    @work(thread=True, group="artifact-preview", exclusive=True, exit_on_error=False)
    def _load_preview(self, item: ArtifactItem) -> None:
        preview = self.source.preview_artifact(item)
        self.app.call_from_thread(self._show_preview, item, preview)

    def _show_preview(self, item: ArtifactItem, preview: ArtifactPreview) -> None:
        if item == self._highlighted and self.is_attached:
            self.query_one(ArtifactPreviewView).show_preview(preview)

    @on(ValueTree.ValueChosen)
    def _value_chosen(self, message: ValueTree.ValueChosen) -> None:
        where = "info" if message.control is not None and message.control.id == "info-tree" else "config"
        self.app.push_screen(ValueScreen(f"Run {self.run_id} {where}", message.key, message.value))

    @on(ArtifactsList.Chosen)
    def _artifact_chosen(self, message: ArtifactsList.Chosen) -> None:
        self.app.push_screen(ArtifactScreen(self.source, message.item))

    @on(SourcesView.Wanted)
    def _source_wanted(self, message: SourcesView.Wanted) -> None:
        self._read_source(message.entry)

    @work(thread=True, group="source-text", exit_on_error=False)
    def _read_source(self, entry: Any) -> None:
        text, lexer = self.source.read_coloured_source(entry)
        self.app.call_from_thread(self.query_one(SourcesView).show_text, entry, text, lexer)

    # ---- navigation --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer `o` (open outside) only on the artifacts tab, search on the text tabs."""
        if action == "open_artifact":
            return self.is_mounted and self.active_tab == "tab-artifacts"
        if action == "search":
            return self.is_mounted and self._searched() is not None
        if action == "search_next":
            target = self._searched() if self.is_mounted else None
            return target is not None and target.search.pattern is not None
        return True

    def _searched(self) -> Any:
        """The view of the active tab that searches (stdout, sources, config), or None."""
        if not self._panes_ready:
            return None
        active = self.active_tab
        if active == "tab-stdout":
            return self.query_one(StdoutPane).log_view
        if active == "tab-sources":
            return self.query_one(SourcesView)
        if active == "tab-config":
            return self.query_one(ConfigView)
        return None

    def action_open_artifact(self) -> None:
        """Open the highlighted artifact with a pager, editor or the system viewer."""
        if self._highlighted is None:
            return
        open_externally(self.app, self._highlighted)

    def action_edit_note(self) -> None:
        """Write a note about this run (kept beside the run, Sacred's files untouched)."""
        if self.source.store is not None:
            edit_note(self, self.source.store, self.run_id)

    def action_edit_tags(self) -> None:
        """Edit this run's tags."""
        if self.source.store is not None:
            edit_tags(self, self.source.store, [self.run_id])

    def action_reload(self) -> None:
        """Poll the files now."""
        self.refresh_from_files()

