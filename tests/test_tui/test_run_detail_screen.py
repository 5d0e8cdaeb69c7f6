"""Pilot tests of RunDetailScreen: every tab against Sacred 0.8.7 reference runs, keys, broken files."""

from __future__ import annotations

import asyncio
import json
import shlex
import struct
import threading
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.widgets import DataTable, Static

from sacred_tui.data.run_detail_data import RunDetailSource, RunDetailUpdate
from sacred_tui.screens.artifact import ArtifactScreen
from sacred_tui.screens import run_detail
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.artifacts_list import ArtifactPreviewView, ArtifactsList
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.config_view import ConfigView, ValueTree
from sacred_tui.widgets.log_tail import LogTail, StdoutPane
from sacred_tui.widgets.metrics_plot import MetricPlot, MetricsPanel
from sacred_tui.widgets.run_overview import RunOverview
from sacred_tui.widgets.sources_view import SourcesView
from sacred_tui.widgets.tab_strip import TabStrip

from detail_support import REFERENCE, DetailApp, make_run, settle, static_text




def tree_labels(tree: ValueTree) -> dict[str, Text]:
    labels: dict[str, Text] = {}
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        labels[str(node.data)] = node.label
        stack.extend(node.children)
    return labels


async def test_overview_shows_command_line_timings_and_comment() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        overview = app.screen.query_one(RunOverview)
        # Real Sacred records only the Python version: the command names that Python, adds the
        # run's seed and writes the runs folder as an absolute path (the command starts with cd).
        seed = json.loads((REFERENCE / "1" / "config.json").read_text())["seed"]
        assert overview.command_line == (
            f"cd /home/researcher/refexp && python3.11 ref_experiment.py with lr=0.02 opts.momentum=0.5 "
            f"seed={seed} -c 'a comment' -F {shlex.quote(str(REFERENCE.absolute()))}")
        body = static_text(app.screen.query_one("#overview-body", Static))
        assert "Python 3.11, as the run's host recorded" in body
        assert "/home/researcher/refexp is not on this machine: r re-runs a copy of the run's stored" in body
        assert "COMPLETED" in static_text(app.screen.query_one("#detail-header", Static))
        text = static_text(app.screen.query_one("#overview-body", Static))
        assert "a comment" in text and "d68d9a84e9a6" in text and "clean" in text
        assert "'final_loss': 0.25" in text


async def test_failed_run_shows_its_trace() -> None:
    app = DetailApp(REFERENCE, "2")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        overview = app.screen.query_one(RunOverview)
        assert overview.record is not None and overview.record.fail_trace is not None
        assert "with mode=fail" in overview.command_line
        assert app.screen.query_one(LogTail).line_count == 0  # Sacred lost this output


async def test_config_tab_colours_and_only_changed_key() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        tree = app.screen.query_one("#config-tree", ValueTree)
        assert app.focused is tree
        labels = tree_labels(tree)
        assert labels["lr"].spans[0].style == change_styles.MODIFIED
        assert labels["opts.momentum"].spans[0].style == change_styles.MODIFIED
        assert labels["opts"].plain == "opts:"
        assert labels["epochs"].spans == []
        assert labels["__doc__"].plain == '"""Main config docstring."""'
        # Which defaults answer (Sacred's save_config, or run 7 when the interpreter found has no
        # Sacred) depends on the machine; both are tested on their own in test_config_defaults.
        legend = static_text(app.screen.query_one("#config-legend", Static))
        assert "compared with the experiment's defaults (from the run's stored sources" in legend or \
            "compared with run 7" in legend, legend
        await pilot.press("c")
        assert app.screen.query_one(ConfigView).only_changed
        assert set(tree_labels(tree)) == {"__doc__", "lr", "opts", "opts.momentum"}
        await pilot.press("c")
        assert "epochs" in tree_labels(tree)


async def test_config_added_and_typechanged_colours(tmp_path: Path) -> None:
    for run_id, updates, config in (("1", {}, {"a": 1, "b": "x", "seed": 3}),
                                    ("2", {"a": "1", "c": 2}, {"a": "1", "b": "x", "c": 2, "seed": 4})):
        run_dir = tmp_path / run_id
        run_dir.mkdir()
        record = {"status": "COMPLETED", "experiment": {"mainfile": "t.py", "base_dir": "/b", "sources": []},
                  "meta": {"command": "main", "named_configs": [], "config_updates": updates}}
        (run_dir / "run.json").write_text(json.dumps(record))
        (run_dir / "config.json").write_text(json.dumps(config))
    app = DetailApp(tmp_path, "2")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        labels = tree_labels(app.screen.query_one("#config-tree", ValueTree))
        assert labels["a"].spans[0].style == "bold red"
        assert "(int → str)" in labels["a"].plain
        assert labels["c"].spans[0].style == "bold green"
        assert labels["b"].spans == []


async def test_metrics_tab_plots_and_keys() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        panel = app.screen.query_one(MetricsPanel)
        assert sorted(panel.series) == ["acc", "loss", "train.lr"]
        plots = list(app.screen.query(MetricPlot))
        assert [plot.metric for plot in plots] == ["acc"]
        assert plots[0].last_data is not None and plots[0].last_data.xs == [0.0, 10.0, 20.0]
        await pilot.press("j", "space")
        await settle(pilot)
        assert [plot.metric for plot in app.screen.query(MetricPlot)] == ["acc", "loss"]
        await pilot.press("x", "s", "y")
        await settle(pilot)
        assert (panel.x_mode, panel.smoothing, panel.log_y) == ("time", 0.6, True)
        data = app.screen.query(MetricPlot).first().last_data
        assert data is not None and data.x_label == "time since start (s)" and data.smooth_ys
        assert "smoothing 0.6" in static_text(app.screen.query_one("#metrics-status", Static))


async def test_stdout_tab_renders_progress_bar_lines() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        log = app.screen.query_one(LogTail)
        assert app.focused is log
        assert "done.         " in log.lines
        assert not any("progress" in line for line in log.lines)
        assert log.lines[-1] == "INFO - ref_exp - Completed after 0:00:00"


async def test_artifacts_tab_previews_and_opens_full_screen() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one(ArtifactsList)
        assert [item.name for item in table.items] == [
            "out_model.txt", "model_copy.txt", "/home/researcher/refexp/data/input.txt"]
        assert [item.role for item in table.items][-1] == "resource"
        assert table.get_row_at(0)[1].plain == "8 B" and table.get_row_at(2)[1].plain == "18 B"
        view = app.screen.query_one(ArtifactPreviewView)
        assert "out_model.txt · text · 8 B" in static_text(view.query_one("#preview-title", Static))
        await pilot.press("j")
        await settle(pilot)
        assert "model_copy.txt" in static_text(view.query_one("#preview-title", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArtifactScreen)
        assert app.screen.preview is not None and app.screen.preview.text == "weights\n"
        await pilot.press("escape")
        assert isinstance(app.screen, RunDetailScreen)


async def test_csv_and_image_previews_and_artifacts_added_live(tmp_path: Path, monkeypatch) -> None:
    run_dir = tmp_path / "1"
    run_dir.mkdir()
    record = {"status": "RUNNING", "artifacts": ["scores.csv"]}
    (run_dir / "run.json").write_text(json.dumps(record))
    (run_dir / "scores.csv").write_text("epoch,acc\n1,0.5\n2,0.75\n")
    app = DetailApp(tmp_path, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        view = app.screen.query_one(ArtifactPreviewView)
        table = view.query_one(DataTable)
        assert table.row_count == 2
        assert [str(column.label) for column in table.columns.values()] == ["epoch", "acc"]
        (run_dir / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 64, 32))
        record["artifacts"].append("plot.png")
        (run_dir / "run.json").write_text(json.dumps(record, indent=1))
        await settle(pilot, 0.2)
        items = app.screen.query_one(ArtifactsList).items
        assert [item.name for item in items] == ["scores.csv", "plot.png"]
        await pilot.press("j")
        await settle(pilot)
        body = static_text(view.query_one("#preview-text", Static))
        assert "plot.png: PNG image, 64×32 px, 24 B" in body and "Not drawn here (not a readable image" in body
        assert not view.query(DataTable)
        monkeypatch.setattr("sacred_tui.screens.artifact.opener_command", lambda path, kind: None)
        await pilot.press("o")
        assert any("No program found to open plot.png" in str(n.message) for n in app._notifications)


async def test_info_and_sources_tabs() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        labels = tree_labels(app.screen.query_one("#info-tree", ValueTree))
        assert labels["custom.np_float"].plain == "np_float = 2.5"
        assert labels["custom.tuple"].plain == "tuple = (1, 2)"
        await pilot.press("7")
        await settle(pilot)
        sources = app.screen.query_one(SourcesView)
        # run.json lists helper_module.py first; the run's main file is listed and shown first.
        assert [entry.relpath for entry in sources.entries] == ["ref_experiment.py", "helper_module.py"]
        assert sources.shown == "ref_experiment.py"
        assert "@ex.automain" in (sources.texts["ref_experiment.py"] or "")
        await pilot.press("j")
        await settle(pilot)
        assert sources.shown == "helper_module.py"
        assert "def double" in (sources.texts["helper_module.py"] or "")


async def test_sources_at_80x24_leave_most_of_the_width_to_the_code() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        sources = app.screen.query_one(SourcesView)
        files, code = sources.children
        assert files.size.width <= 24 and code.size.width >= 54, (files.size, code.size)


async def test_tab_keys_and_escape_returns() -> None:
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("l", "l")
        assert screen.active_tab == "tab-metrics"
        await pilot.press("1", "h")
        assert screen.active_tab == "tab-sources"
        # A click on a tab's name shows it, as the strip then says.
        strip = screen.query_one(TabStrip)
        x = next(start for tab, start, _end in strip.spans() if tab == "tab-info")
        await pilot.click(TabStrip, offset=(x + 2, 0))
        await pilot.pause()
        assert screen.active_tab == "tab-info" and strip.active == "tab-info"
        assert screen.query_one("#info-tree").has_focus
        await pilot.press("1", "escape")
        assert not isinstance(app.screen, RunDetailScreen)


async def test_broken_run_shows_problems_without_crashing(tmp_path: Path) -> None:
    run_dir = tmp_path / "5"
    run_dir.mkdir()
    (run_dir / "run.json").write_text('{"status": "RUNNING", "experiment": ')
    (run_dir / "config.json").write_text("[1, 2]")
    (run_dir / "metrics.json").write_text("garbage")
    (run_dir / "cout.txt").write_bytes(b"bad \xff\xfe bytes\n")
    app = DetailApp(tmp_path, "5")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        overview = app.screen.query_one(RunOverview)
        assert any("run.json" in problem for problem in overview.problems)
        assert any("config.json" in problem for problem in overview.problems)
        assert "UNKNOWN (no status read from run.json)" in static_text(overview.query_one("#overview-body", Static))
        assert any(n.severity == "warning" for n in app._notifications)
        assert app.screen.query_one(LogTail).lines == ["bad �� bytes"]
        assert "No config stored" in static_text(app.screen.query_one("#config-legend", Static))
        await pilot.press(*"234567")
        await settle(pilot)
        assert isinstance(app.screen, RunDetailScreen)


async def test_keys_pressed_as_the_screen_opens_and_leaving_at_once_work() -> None:
    """The tabs other than the overview get their widgets just after the first paint: a tab key
    pressed before that still shows its tab, focused and filled; leaving at once breaks nothing."""
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")  # as soon as the screen takes keys
        await settle(pilot, 0.3)
        screen = app.screen
        assert isinstance(screen, RunDetailScreen) and screen.active_tab == "tab-stdout"
        log = screen.query_one(LogTail)
        assert log.has_focus and log.line_count > 0
        for pause in (0, 0, 0.005, 0.01, 0.02, 0.03, 0.05):  # open, and leave before the tabs are filled
            opened = RunDetailScreen(REFERENCE, "1", poll_interval=0.1)
            app.push_screen(opened)
            while not opened.is_mounted:
                await asyncio.sleep(0)
            await asyncio.sleep(pause)
            await pilot.press("escape")
        await settle(pilot, 0.3)
        assert app.screen is screen and screen.active_tab == "tab-stdout"


class _TakenAwayAsItFills(RunDetailScreen):
    """A run screen the app removes (as Back or another screen does), or the app quits, while the
    widgets of its other tabs are being mounted, after ``turns`` turns of the event loop."""

    def __init__(self, turns: int, quit_app: bool = False) -> None:
        super().__init__(REFERENCE, "1", poll_interval=0.05)
        self.turns, self.quit_app = turns, quit_app

    async def _mount_panes(self) -> None:
        for _ in range(200):  # the run's first files read and held, as on a busy machine
            if self._held:
                break
            await asyncio.sleep(0.005)
        await super()._mount_panes()

    def _pane_widgets(self):  # type: ignore[override]
        widgets = super()._pane_widgets()
        self.run_worker(self._pop_soon(), exclusive=False)
        return widgets

    async def _pop_soon(self) -> None:
        for _ in range(self.turns):
            await asyncio.sleep(0)
        if self.quit_app:
            self.app.exit()
        else:
            self.app.pop_screen()


async def test_screen_removed_while_its_tabs_fill_breaks_nothing() -> None:
    """Textual mounts nothing into a screen being removed, so a tab's widget can be left without its
    own children: neither it nor the screen may then fail, and the next run screen works whole."""
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 0.2)
        base = app.screen
        for turns in range(16):
            taken = _TakenAwayAsItFills(turns)
            app.push_screen(taken)
            for _ in range(400):
                if app.screen is base and not taken.is_attached:
                    break
                await asyncio.sleep(0.005)
            assert app.screen is base and not taken.is_attached, turns
        await pilot.press("4")
        await settle(pilot, 0.3)
        assert base.active_tab == "tab-stdout" and base.query_one(LogTail).line_count > 0


class _QuitsAsItFills(App[None]):
    def __init__(self, turns: int) -> None:
        super().__init__()
        self.turns = turns

    def on_mount(self) -> None:
        self.push_screen(_TakenAwayAsItFills(self.turns, quit_app=True))


async def test_app_quitting_while_the_tabs_fill_breaks_nothing() -> None:
    """Quitting right after a run screen opened (its tabs still being filled) ends cleanly."""
    for turns in range(10):
        app = _QuitsAsItFills(turns)
        async with app.run_test(size=(120, 40)):  # raises what the app raised
            for _ in range(400):
                if not app.is_running:
                    break
                await asyncio.sleep(0.005)
        assert app.return_code in (0, None), turns


async def test_overview_is_drawn_before_the_other_tabs_are_built(monkeypatch) -> None:
    """The first frame with the run's record on it comes before the other tabs get their widgets
    (building them takes most of the screen's opening), and then they come without a key."""
    monkeypatch.setattr(run_detail, "_PANES_AT_THE_LATEST", 30.0)  # only the first update asks for them
    frames: list[tuple[bool, bool]] = []
    app = DetailApp(REFERENCE, "1")
    display = app._display

    def watching(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, RunDetailScreen):
            frames.append((screen._record is not None, bool(screen.query(StdoutPane))))

    app._display = watching
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 0.3)
        assert (True, False) in frames and frames[-1] == (True, True)
        assert frames.index((True, False)) < frames.index((True, True))
        assert app.screen.query_one(LogTail).line_count > 0


class _FirstReadWaits(RunDetailSource):
    """The run's files as read from a slow disk: the first read waits until ``go`` is set."""

    def __init__(self, folder: Path, run_id: str) -> None:
        super().__init__(folder, run_id)
        self.go = threading.Event()

    def poll(self) -> RunDetailUpdate:
        self.go.wait(30)
        return super().poll()


class _SlowReadApp(App[None]):
    def __init__(self, source: RunDetailSource) -> None:
        super().__init__()
        self.source = source

    def on_mount(self) -> None:
        self.push_screen(RunDetailScreen(None, "1", poll_interval=0.1, source=self.source))


async def test_tabs_are_built_while_the_run_is_still_being_read(tmp_path: Path) -> None:
    """A run whose files take long to read still gets its tabs' widgets soon after opening, and
    what the files say is shown in them once read."""
    make_run(tmp_path, cout="hello from the run\n")
    source = _FirstReadWaits(tmp_path, "1")
    app = _SlowReadApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(run_detail._PANES_AT_THE_LATEST + 0.3)
        screen = app.screen
        assert isinstance(screen, RunDetailScreen) and screen._record is None
        assert screen.query(StdoutPane) and screen.query(ConfigView) and screen.query(SourcesView)
        source.go.set()
        await settle(pilot, 0.3)
        await pilot.press("4")
        assert screen._record is not None and "hello from the run" in screen.query_one(LogTail).lines
        assert "lr" in tree_labels(screen.query_one("#config-tree", ValueTree))
