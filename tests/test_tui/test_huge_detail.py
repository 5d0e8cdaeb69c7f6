"""A run with a huge config, a huge string value or huge metrics opens at once and stays responsive."""
from __future__ import annotations

import asyncio
import json
import math
import time
from array import array
from pathlib import Path

from textual.widgets import Static

from detail_support import DetailApp, make_run, settle, static_text
from sacred_tui.data.metric_track import TimestampColumn, epoch_seconds
from sacred_tui.screens.value_screen import ValueScreen
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.config_view import ConfigView
from sacred_tui.widgets.metrics_plot import MetricPlot, MetricsPanel
from sacred_tui.widgets.run_overview import RunOverview
from sacred_tui.widgets.value_tree import PAGE, ValueTree
from sacred_tui.widgets.wrapped_text import WrappedText


def huge_config_run(folder: Path, words: int = 120_000) -> Path:
    """A config of about 3 MB (a 120,000-word vocabulary, 300 layers), started with two updates."""
    run_dir = make_run(folder, status="COMPLETED")
    record = json.loads((run_dir / "run.json").read_text())
    record["meta"]["config_updates"] = {"lr": 0.5, "model": {"layers": {"layer0007": {"units": 512}}}}
    (run_dir / "run.json").write_text(json.dumps(record))
    config = {"lr": 0.5, "seed": 1,
              "model": {"layers": {f"layer{i:04d}": {"units": 512 if i == 7 else 64, "act": "relu"}
                                   for i in range(300)}},
              "vocab": {f"word{i:06d}": i for i in range(words)}}
    (run_dir / "config.json").write_text(json.dumps(config, indent=2))
    return run_dir


def labels(tree: ValueTree) -> dict[str, str]:
    found: dict[str, str] = {}
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        found[str(node.data)] = node.label.plain
        stack.extend(node.children)
    return found


def key_style(tree: ValueTree, key: str) -> str:
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        if node.data == key:
            spans = [span for span in node.label.spans if span.start == 0]
            return str(spans[0].style) if spans else ""
        stack.extend(node.children)
    raise KeyError(key)


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:
    begin = time.monotonic()
    while not condition():
        assert time.monotonic() - begin < timeout, "condition not met in time"
        await pilot.pause(0.02)


async def test_a_huge_config_shows_its_top_level_and_opens_branch_by_branch(tmp_path: Path) -> None:
    huge_config_run(tmp_path)
    app = DetailApp(tmp_path, "1")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        tree = app.screen.query_one("#config-tree", ValueTree)
        shown = time.thread_time()
        await wait_until(pilot, lambda: bool(tree.root.children))
        ui_cpu = time.thread_time() - shown  # the UI thread's own work while the file was read
        await settle(pilot)
        # Only the top level has nodes: the 120,000 words wait until their branch is opened.
        assert set(labels(tree)) == {"lr", "seed", "model", "vocab"}
        assert not tree.fully_built
        assert "branches are read as you open them" in static_text(app.screen.query_one("#config-legend", Static))
        assert ui_cpu < 2.0, ui_cpu  # building all 120,000 entries took far longer than this
        # The keys given on the command line are still coloured, at every level once opened.
        assert key_style(tree, "lr") == change_styles.MODIFIED
        assert key_style(tree, "model") == change_styles.MODIFIED
        vocab = next(node for node in tree.root.children if node.data == "vocab")
        tree.move_cursor(vocab)
        await pilot.press("enter")
        await settle(pilot)
        words = [node for node in vocab.children if node.data is not None]
        assert len(words) == PAGE and words[0].label.plain == "word000000 = 0"
        more = vocab.children[-1]
        assert more.data is None and f"{120_000 - PAGE:,} more entries" in more.label.plain
        tree.move_cursor(more)
        await pilot.press("enter")
        await settle(pilot)
        assert len([node for node in vocab.children if node.data is not None]) == 2 * PAGE
        assert vocab.children[PAGE].data == f"vocab.word{PAGE:06d}"
        model = next(node for node in tree.root.children if node.data == "model")
        tree.move_cursor(model)
        await pilot.press("enter")
        await settle(pilot)
        layers = model.children[0]
        tree.move_cursor(layers)
        await pilot.press("enter")
        await settle(pilot)
        layer7 = next(node for node in layers.children if node.data == "model.layers.layer0007")
        tree.move_cursor(layer7)
        await pilot.press("enter")
        await settle(pilot)
        assert key_style(tree, "model.layers.layer0007.units") == change_styles.MODIFIED
        assert key_style(tree, "model.layers.layer0008") == ""  # not opened: no nodes below it
        assert "model.layers.layer0008.units" not in labels(tree)
        # Opened branches stay open when the diff against the defaults arrives and the tree is rebuilt.
        app.screen.query_one(ConfigView).action_toggle_changed()
        await settle(pilot)
        assert set(labels(tree)) == {"lr", "model", "model.layers", "model.layers.layer0007",
                                     "model.layers.layer0007.units"}
        app.screen.query_one(ConfigView).action_toggle_changed()
        await settle(pilot)
        assert "vocab.word000499" in labels(tree) and "model.layers.layer0007.units" in labels(tree)


async def test_a_long_string_is_shortened_and_enter_shows_it_whole(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, status="COMPLETED")
    prompt = "".join(f"sentence {i} of the prompt. " for i in range(200_000))  # about 5 MB
    (run_dir / "config.json").write_text(json.dumps({"prompt": prompt, "seed": 1}))
    app = DetailApp(tmp_path, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        tree = app.screen.query_one("#config-tree", ValueTree)
        await wait_until(pilot, lambda: bool(tree.root.children))
        await settle(pilot)
        label = labels(tree)["prompt"]
        assert label.startswith("prompt = 'sentence 0 of the prompt. ") and label.endswith("…")
        assert len(label) < 200
        node = next(node for node in tree.root.children if node.data == "prompt")
        tree.move_cursor(node)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ValueScreen) and app.screen.text is not None)
        await settle(pilot)
        view = app.screen.query_one(WrappedText)
        assert view.text == prompt
        width = view.scrollable_content_region.width
        assert view.line_count >= len(prompt) // width
        assert view.render_line(0).text == prompt[:width]  # wrapped where the scrollbar begins: nothing hidden
        assert f"string, {len(prompt) / 1024 / 1024:.1f} MB" in static_text(app.screen.query_one("#value-header", Static))
        await pilot.press("end")
        await settle(pilot)
        assert view.scroll_offset.y == view.max_scroll_y > 0
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#config-tree", ValueTree) is tree


async def test_a_huge_metric_is_stored_compactly_and_plotted_from_a_downsample(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, status="COMPLETED")
    points = 300_000
    values = [math.exp(-i / points) + 0.01 * math.sin(i) for i in range(points)]
    values[123_456] = 5.0  # a spike the downsample must keep
    stamps = [f"2026-11-28T01:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 100 * 10_000:06d}"
              for i in range(points)]
    (run_dir / "metrics.json").write_text(json.dumps(
        {"loss": {"steps": list(range(points)), "timestamps": stamps, "values": values}}, indent=2))
    app = DetailApp(tmp_path, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        panel = app.screen.query_one(MetricsPanel)

        def plotted() -> bool:
            plots = list(app.screen.query(MetricPlot))
            return bool(plots) and plots[0].last_data is not None and plots[0].last_data.total == points

        await wait_until(pilot, plotted)
        track = panel.series["loss"]
        assert isinstance(track.values, array) and isinstance(track.steps, array)
        assert isinstance(track.timestamps, TimestampColumn) and track.timestamps[7] == stamps[7]
        assert len(track) == points and track.values[123_456] == 5.0
        plot = app.screen.query_one(MetricPlot)
        data = plot.last_data
        assert data is not None and len(data.xs) <= 4 * plot.size.width + 2
        assert max(data.ys) == 5.0 and data.xs[0] == 0.0 and data.xs[-1] == points - 1
        cpu = time.thread_time()
        await pilot.press("x")
        await wait_until(pilot, lambda: plot.last_data is not data)
        assert plot.last_data.x_label == "time since start (min)"
        assert plot.last_data.xs[-1] == (epoch_seconds(stamps[-1]) - epoch_seconds(stamps[0])) / 60
        await pilot.press("s")  # the smoothed line is computed in a worker thread
        await wait_until(pilot, lambda: bool(plot.last_data.smooth_ys), timeout=60)
        assert time.thread_time() - cpu < 1.0  # the UI thread never walks the 300,000 points
        await asyncio.sleep(0)


async def test_a_huge_value_given_on_the_command_line_is_cut_in_the_overview_but_copied_whole(
        tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, status="COMPLETED")
    prompt = "word " * 400_000
    record = json.loads((run_dir / "run.json").read_text())
    record["meta"]["config_updates"] = {"prompt": prompt}
    record["meta"]["options"] = {}
    (run_dir / "run.json").write_text(json.dumps(record))
    (run_dir / "config.json").write_text(json.dumps({"prompt": prompt, "seed": 1}))
    app = DetailApp(tmp_path, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        overview = app.screen.query_one(RunOverview)
        assert repr(prompt) in overview.command_line  # what y copies
        body = static_text(app.screen.query_one("#overview-body", Static))
        assert f"({len(overview.command_line):,} characters, y copies all of them)" in body
        assert len(body) < 20_000
