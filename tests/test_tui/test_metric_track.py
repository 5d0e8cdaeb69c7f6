"""MetricTrack keeps a metric compactly; what it stores reads back as the points that were added."""
from __future__ import annotations

import math
from datetime import datetime

from core.runs.metrics import MetricSeries
from sacred_tui.data.downsample import elapsed_seconds
from sacred_tui.data.metric_track import MetricTrack, TimestampColumn, epoch_seconds


def test_timestamps_stay_text_while_they_share_one_shape_then_become_seconds() -> None:
    column = TimestampColumn()
    column.extend(["2026-11-28T01:00:00.000001", "2026-11-28T01:00:01.500000"])
    assert len(column) == 2 and column[-1] == "2026-11-28T01:00:01.500000"
    column.extend(["2026-11-28T01:00:02", None, "2026-11-28T02:00:00+01:00"])
    assert len(column) == 5
    assert column[0] == epoch_seconds("2026-11-28T01:00:00.000001")
    assert column[2] == epoch_seconds(datetime(2026, 11, 28, 1, 0, 2)) and math.isnan(column[3])
    assert column[4] == column[2] - 2  # converted to UTC
    assert elapsed_seconds(column, [0, 1, 2, 3], "2026-11-28T01:00:00") == [
        column[0] - epoch_seconds("2026-11-28T01:00:00"), 1.5, 2.0, 2.0]


def test_a_track_reads_back_its_points_and_prepares_them_for_the_plot() -> None:
    track = MetricTrack()
    track.add(MetricSeries([0, 1, 2], ["2026-11-28T01:00:00.000000"] * 3, [1.0, None, float("inf")]))
    track.add(MetricSeries([3], ["2026-11-28T01:00:03.000000"], [0.5]))
    assert list(track.steps) == [0, 1, 2, 3] and len(track) == 4
    assert track.values[0] == 1.0 and math.isnan(track.values[1]) and track.values[3] == 0.5
    assert track.last_value() == 0.5
    assert list(track.prepared.values) == [1.0, 0.5] and track.prepared.original_index(1) == 3
    track.smooth(0.6)
    assert track.prepared.smoothing_lag(0.6) == 0


def test_big_metric_files_are_read_by_the_second_poll_so_the_rest_shows_first(tmp_path) -> None:
    import json

    from detail_support import make_run
    from sacred_tui.data.run_detail_data import RunDetailSource

    run_dir = make_run(tmp_path, status="COMPLETED")
    points = 40_000
    stamps = ["2026-11-28T01:00:00.000000"] * points
    (run_dir / "metrics.json").write_text(json.dumps(
        {"loss": {"steps": list(range(points)), "timestamps": stamps, "values": [0.5] * points}}, indent=2))
    source = RunDetailSource(tmp_path, "1")
    first = source.poll()
    assert first.metrics_pending and first.config == {"lr": 0.1, "seed": 1} and not first.tracks
    second = source.poll()
    assert not second.metrics_pending and len(second.tracks["loss"]) == points
    assert source.activity is None  # nothing is being read between polls
    small = tmp_path / "small"
    make_run(small, status="COMPLETED")
    (small / "1" / "metrics.json").write_text(json.dumps({"loss": {"steps": [0], "timestamps": stamps[:1],
                                                                   "values": [1.0]}}))
    update = RunDetailSource(small, "1").poll()
    assert not update.metrics_pending and len(update.tracks["loss"]) == 1
