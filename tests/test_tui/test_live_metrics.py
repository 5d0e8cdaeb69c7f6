"""A launched run's points reach the Metrics tab as they are logged, not at the run's heartbeat."""
from __future__ import annotations

import json
import time
from pathlib import Path

from launch_support import launched_detail, make_app, no_leftover_processes, script, wait_for
from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets.metrics_plot import MetricsPanel

__all__ = ["no_leftover_processes", "script"]  # fixtures used by name


def logged(run_dir: Path, file: str) -> int:
    """How many loss points a metrics file holds (metrics.jsonl: live; metrics.json: at heartbeats)."""
    try:
        text = (run_dir / file).read_text()
        if file.endswith(".jsonl"):
            return sum(1 for line in text.splitlines() if line.strip() and json.loads(line).get("name") == "loss")
        return len(json.loads(text).get("loss", {}).get("values", []))
    except (OSError, ValueError):
        return 0


async def test_points_reach_the_metrics_tab_long_before_the_heartbeat(tmp_path: Path, script: Path) -> None:
    app = make_app(tmp_path, script)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs table")
        launch = app.launch_flow.launch(LaunchSpec.create(script, named_configs=["slow"],
                                                          options={"--beat-interval": "60"}))
        assert launch is not None
        detail = await launched_detail(pilot, "1")
        await pilot.press("3")
        panel = detail.query_one(MetricsPanel)
        run_dir = tmp_path / "runs" / "1"

        def shown() -> int:
            return len(panel.series["loss"].values) if "loss" in panel.series else 0

        await wait_for(pilot, lambda: logged(run_dir, "metrics.jsonl") >= 5, "points in metrics.jsonl")
        for _ in range(2):  # what is on disk now is on screen within moments (the tab polls twice a second)
            written, at = logged(run_dir, "metrics.jsonl"), time.monotonic()
            await wait_for(pilot, lambda: shown() >= written, f"{written} points on the Metrics tab", 5)
            assert time.monotonic() - at < 5
        # No heartbeat has come (one a minute): the points did not wait for it.
        assert launch.running and logged(run_dir, "metrics.json") == 0 and shown() >= 5
        app.launch_flow.launcher.stop(launch)
