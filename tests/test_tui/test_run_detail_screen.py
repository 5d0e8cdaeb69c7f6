"""Pilot tests of RunDetailScreen: every tab against Sacred 0.8.7 reference runs, keys, broken files."""

from __future__ import annotations

import json
import shlex
import struct
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Static

from sacred_tui.screens.artifact import ArtifactScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.artifacts_list import ArtifactPreviewView, ArtifactsList
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.config_view import ConfigView, ValueTree
from sacred_tui.widgets.log_tail import LogTail
from sacred_tui.widgets.metrics_plot import MetricPlot, MetricsPanel
from sacred_tui.widgets.run_overview import RunOverview
from sacred_tui.widgets.sources_view import SourcesView
from sacred_tui.widgets.tab_strip import TabStrip

from detail_support import REFERENCE, DetailApp, settle, static_text




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
