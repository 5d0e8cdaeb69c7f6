"""Live behaviour of RunDetailScreen: output and metrics written while it is open, follow/pause, huge files."""

from __future__ import annotations

import json
import time
from pathlib import Path

from textual.app import App

from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.log_tail import LogTail, StdoutPane
from sacred_tui.widgets.metrics_plot import MetricPlot, MetricsPanel
from sacred_tui.widgets.run_overview import RunOverview

from detail_support import DetailApp, make_run, settle, write_huge_cout


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def metric_line(name: str, step: int, value: float) -> str:
    return json.dumps({"name": name, "step": step, "timestamp": f"2026-11-28T01:00:{step % 60:02d}",
                       "value": value}) + "\n"


async def test_output_and_metrics_written_while_open_appear(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, cout="starting\n")
    app = DetailApp(tmp_path, "1", poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 0.15)
        await pilot.press("4")
        log = app.screen.query_one(LogTail)
        assert log.lines == ["starting"]
        append(run_dir / "cout.txt", "epoch 1\ntraining [#    ] 20%\r")
        await settle(pilot, 0.15)
        assert log.lines == ["starting", "epoch 1", "training [#    ] 20%"]
        append(run_dir / "cout.txt", "training [#####] 100%\r\n")
        await settle(pilot, 0.15)
        assert log.lines == ["starting", "epoch 1", "training [#####] 100%"]
        assert log.following and log.scroll_y == log.max_scroll_y

        append(run_dir / "metrics.jsonl", metric_line("loss", 0, 1.0) + metric_line("loss", 1, 0.5))
        await pilot.press("3")
        await settle(pilot, 0.15)
        panel = app.screen.query_one(MetricsPanel)
        assert list(panel.series["loss"].values) == [1.0, 0.5]
        append(run_dir / "metrics.jsonl", metric_line("acc", 0, 0.1) + metric_line("loss", 2, 0.25))
        await settle(pilot, 0.15)
        assert list(panel.series["loss"].steps) == [0, 1, 2]
        assert list(panel.chooser.selected) == ["loss"]  # a new metric does not change the choice
        plot = app.screen.query_one(MetricPlot)
        assert plot.metric == "loss" and plot.last_data is not None and plot.last_data.xs == [0.0, 1.0, 2.0]

        record = json.loads((run_dir / "run.json").read_text())
        record.update(status="COMPLETED", stop_time="2026-11-28T01:00:05")
        (run_dir / "run.json").write_text(json.dumps(record, indent=2))
        await settle(pilot, 0.15)
        overview = app.screen.query_one(RunOverview)
        assert overview.record is not None and overview.record.status == "COMPLETED"


async def test_scrolling_up_pauses_and_end_follows_again(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, cout="".join(f"line {i}\n" for i in range(200)))
    app = DetailApp(tmp_path, "1", poll_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, 0.15)
        await pilot.press("4")
        log = app.screen.query_one(LogTail)
        assert log.following and log.scroll_y == log.max_scroll_y > 0
        await pilot.press("k", "k", "k")
        assert not log.following
        paused_at = log.scroll_y
        status = app.screen.query_one(StdoutPane).query_one("#stdout-status")
        assert "paused" in str(status.content)
        append(run_dir / "cout.txt", "".join(f"more {i}\n" for i in range(50)))
        await settle(pilot, 0.15)
        assert log.line_count == 250
        assert log.scroll_y == paused_at
        await pilot.press("end")
        assert log.following and log.scroll_y == log.max_scroll_y
        append(run_dir / "cout.txt", "last\n")
        await settle(pilot, 0.15)
        assert log.lines[-1] == "last" and log.scroll_y == log.max_scroll_y


async def test_200mb_stdout_opens_quickly_and_loads_earlier_on_demand(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path)
    write_huge_cout(run_dir / "cout.txt", 200 * 1024 * 1024)
    app = DetailApp(tmp_path, "1", poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.perf_counter()
        await settle(pilot, delay=0.02)
        log = app.screen.query_one(LogTail)
        while log.line_count == 0 and time.perf_counter() - started < 5:
            await pilot.pause(0.02)
        assert time.perf_counter() - started < 2.0
        shown = log.line_count
        assert 37000 < shown < 38000  # 1 MB of 28-byte lines
        first = log.lines[0]
        status = str(app.screen.query_one("#stdout-status").content)
        assert "showing last 1.0 MB of 200.0 MB" in status
        await pilot.press("4", "k")
        offset = log.scroll_y
        await pilot.press("left_square_bracket")
        await settle(pilot, 0.15)
        assert log.line_count > 74000
        assert log.lines[log.line_count - shown] == first
        assert log.scroll_y == offset + (log.line_count - shown)


async def test_app_file_events_trigger_an_immediate_refresh(tmp_path: Path) -> None:
    from textual.message import Message

    class RunsUpdated(Message):
        def __init__(self, run_ids: list[str]) -> None:
            super().__init__()
            self.run_ids = run_ids

    run_dir = make_run(tmp_path, cout="a\n")
    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = RunDetailScreen(tmp_path, "1", poll_interval=60)
        await app.push_screen(screen)
        await settle(pilot, 0.15)
        append(run_dir / "cout.txt", "b\n")
        screen.post_message(RunsUpdated(["2"]))
        await settle(pilot, 0.05)
        assert screen.query_one(LogTail).lines == ["a"]
        screen.post_message(RunsUpdated(["1"]))
        await settle(pilot, 0.05)
        assert screen.query_one(LogTail).lines == ["a", "b"]
