"""quick_summaries agrees with the careful reader, and hands every unusual file over to it."""
from __future__ import annotations

import json
import math
from pathlib import Path

from core.runs import MetricsFollower
from sacred_tui.data import metric_summaries
from sacred_tui.data.metric_summaries import quick_summaries
from sacred_tui.data.rows import MetricSummary


def careful(run_dir: Path) -> dict[str, MetricSummary]:
    return {name: MetricSummary.of(series.values) for name, series in MetricsFollower(run_dir).poll().items()}


def write(run_dir: Path, document: object) -> Path:
    run_dir.mkdir(exist_ok=True)
    (run_dir / "metrics.json").write_text(json.dumps(document, indent=2))
    return run_dir


def test_summaries_match_the_careful_reader(tmp_path: Path) -> None:
    run_dir = write(tmp_path / "1", {
        "loss": {"steps": [0, 1, 2], "timestamps": ["a", "b", "c"], "values": [0.5, 0.25, 0.125]},
        "odd": {"steps": [0, 1, 2, 3], "timestamps": [], "values": [1, None, "x", float("nan")]},
        "cut": {"steps": [0, 1], "timestamps": [], "values": [3.0, -1.0, 99.0]},
        "big": {"steps": [0, 1], "timestamps": [], "values": [1e308, 1e308]},
        "empty": {"steps": [], "timestamps": [], "values": []},
    })
    quick = quick_summaries(str(run_dir))
    assert quick is not None
    expected = careful(run_dir)
    assert quick.keys() == {"loss", "odd", "cut", "big", "empty"}
    for name in ("loss", "cut", "big"):
        assert quick[name] == expected[name]
    assert quick["loss"] == MetricSummary(0.125, 0.125, 0.5, 3)
    assert quick["cut"] == MetricSummary(-1.0, -1.0, 3.0, 2)
    odd = quick["odd"]
    assert (odd.min, odd.max, odd.count) == (1.0, 1.0, 4) and math.isnan(odd.last)
    assert quick["empty"].count == 0


def test_unusual_files_go_the_careful_way(tmp_path: Path, monkeypatch) -> None:
    assert quick_summaries(str(tmp_path / "none")) == {}
    only_sidecar = tmp_path / "sidecar"
    only_sidecar.mkdir()
    (only_sidecar / "metrics.jsonl").write_text('{"name": "loss", "step": 0, "value": 1.0}\n')
    assert quick_summaries(str(only_sidecar)) is None
    torn = tmp_path / "torn"
    torn.mkdir()
    (torn / "metrics.json").write_text('{"loss": {"steps": [0')
    assert quick_summaries(str(torn)) is None
    assert quick_summaries(str(write(tmp_path / "list", [1, 2]))) is None
    assert quick_summaries(str(write(tmp_path / "shape", {"loss": {"values": [1.0]}}))) is None
    monkeypatch.setattr(metric_summaries, "QUICK_LIMIT", 10)
    assert quick_summaries(str(write(tmp_path / "huge", {"loss": {"steps": [0], "values": [1.0]}}))) is None
