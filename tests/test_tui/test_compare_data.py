"""Tests of the comparison data layer: config rows across runs, navigation, colours, live source."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.runs.metrics import MetricSeries
from sacred_tui.data.compare import (MISSING, RUN_COLORS, CellKind, ConfigRow, color_rgb, compare_configs,
                                     next_difference, order_run_ids, run_colors)
from sacred_tui.data.compare_source import CompareSource, MetricOverlay

REFERENCE = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


def reference_config(run_id: str) -> dict[str, Any]:
    return json.loads((REFERENCE / run_id / "config.json").read_text())


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A writable copy of the Sacred 0.8.7 reference runs."""
    target = tmp_path / "runs"
    shutil.copytree(REFERENCE, target)
    return target


def by_key(rows: tuple[ConfigRow, ...] | list[ConfigRow]) -> dict[str, ConfigRow]:
    return {row.key: row for row in rows}


# ---- config comparison -----------------------------------------------------------------------

def test_reference_runs_differ_in_lr_momentum_delay_and_seed() -> None:
    comparison = compare_configs([reference_config(r) for r in ("1", "7", "9", "myrun")])
    changed = [row.key for row in comparison.visible(only_changed=True)]
    assert changed == ["lr", "opts.momentum", "progress_delay", "seed"]
    rows = by_key(comparison.rows)
    assert rows["lr"].values == (0.02, 0.01, 0.01, 0.01)
    assert rows["lr"].kinds == (CellKind.BASE, CellKind.MODIFIED, CellKind.MODIFIED, CellKind.MODIFIED)
    assert rows["progress_delay"].kinds == (CellKind.BASE, CellKind.SAME, CellKind.MODIFIED, CellKind.SAME)
    assert not rows["epochs"].differs and rows["epochs"].kinds[1:] == (CellKind.SAME,) * 3
    assert "__doc__" not in rows
    assert len(comparison.visible(only_changed=False)) == len(comparison.rows) == 12
    assert comparison.changed_count == 4


def test_added_removed_and_type_changed_keys_across_three_runs() -> None:
    first = reference_config("1")
    second = json.loads(json.dumps(first))
    second["extra"] = {"depth": 4}          # missing in the first run -> added
    del second["sleep"]                     # present in the first run -> removed
    second["lr"] = "0.02"                   # float -> str
    second["epochs"] = 3.0                  # int -> float is a type change too
    third = json.loads(json.dumps(first))
    third["opts"]["nested"] = 5             # a sub-config replaced by a plain value
    third["name"] = None                    # a change to None is no type change
    third["layers"] = {"py/tuple": [16, 8]}  # a tuple equals a list in type (Sacred), not in value
    rows = by_key(compare_configs([first, second, third]).rows)

    assert rows["extra.depth"].kinds == (CellKind.ABSENT, CellKind.ADDED, CellKind.ABSENT)
    assert rows["extra.depth"].values == (MISSING, 4, MISSING)
    assert rows["sleep"].kinds == (CellKind.BASE, CellKind.REMOVED, CellKind.SAME)
    assert rows["lr"].kinds == (CellKind.BASE, CellKind.TYPECHANGED, CellKind.SAME)
    assert rows["lr"].type_names == ("float", "str", "float")
    assert rows["epochs"].kinds[1] is CellKind.TYPECHANGED
    assert rows["opts.nested"].kinds == (CellKind.ABSENT, CellKind.ABSENT, CellKind.TYPECHANGED)
    assert rows["opts.nested.flag"].kinds == (CellKind.BASE, CellKind.SAME, CellKind.REMOVED)
    assert rows["name"].kinds == (CellKind.BASE, CellKind.SAME, CellKind.MODIFIED)
    assert rows["layers"].kinds == (CellKind.BASE, CellKind.SAME, CellKind.MODIFIED)
    assert all(rows[key].differs for key in ("extra.depth", "sleep", "lr", "opts.nested", "name"))
    assert not rows["dataset.path"].differs


def test_values_equal_to_the_first_run_still_differ_when_other_runs_disagree() -> None:
    rows = by_key(compare_configs([{"a": 1, "b": True}, {"a": 1, "b": 1}, {"a": 2, "b": True}]).rows)
    assert rows["a"].differs and rows["a"].kinds == (CellKind.BASE, CellKind.SAME, CellKind.MODIFIED)
    assert rows["b"].differs and rows["b"].kinds[1] is CellKind.TYPECHANGED


def test_numpy_scalar_equal_value_is_same_and_nan_equals_nan() -> None:
    encoded = {"py/object": "numpy.float64", "dtype": "float64", "value": 0.5}
    rows = by_key(compare_configs([{"x": encoded, "y": float("nan")},
                                   {"x": dict(encoded), "y": float("nan")}]).rows)
    assert rows["x"].kinds == (CellKind.BASE, CellKind.SAME) and not rows["x"].differs
    assert not rows["y"].differs


def test_keys_are_sorted_by_dotted_parts_and_missing_configs_compare_as_empty() -> None:
    comparison = compare_configs([{"b": 1, "a": {"z": 1, "b": 2}}, {}])
    assert [row.key for row in comparison.rows] == ["a.b", "a.z", "b"]
    assert all(row.kinds == (CellKind.BASE, CellKind.REMOVED) for row in comparison.rows)


# ---- navigation ------------------------------------------------------------------------------

def rows_with(differs: list[bool]) -> list[ConfigRow]:
    return [ConfigRow(f"k{i}", (i,), (CellKind.BASE,), flag, ("int",)) for i, flag in enumerate(differs)]


def test_next_difference_forward_backward_and_wrapping() -> None:
    rows = rows_with([False, True, False, False, True, False])
    assert next_difference(rows, None) == 1
    assert next_difference(rows, 1) == 4
    assert next_difference(rows, 4) == 1
    assert next_difference(rows, 4, wrap=False) is None
    assert next_difference(rows, 4, step=-1) == 1
    assert next_difference(rows, 1, step=-1) == 4
    assert next_difference(rows, None, step=-1) == 4
    assert next_difference(rows, 0, step=-1, wrap=False) is None


def test_next_difference_when_nothing_differs_or_no_rows() -> None:
    assert next_difference(rows_with([False, False]), 0) is None
    assert next_difference([], None) is None
    assert next_difference(rows_with([True]), 0) == 0
    with pytest.raises(ValueError, match="step must be 1 or -1, got 2"):
        next_difference(rows_with([True]), 0, step=2)


def test_next_difference_walks_the_reference_differences_in_order() -> None:
    rows = compare_configs([reference_config(r) for r in ("1", "7", "9")]).visible(only_changed=False)
    seen, index = [], None
    for _ in range(4):
        index = next_difference(rows, index)
        assert index is not None
        seen.append(rows[index].key)
    assert seen == ["lr", "opts.momentum", "progress_delay", "seed"]


# ---- colours and ordering ----------------------------------------------------------------------

def test_run_colors_are_stable_by_position_and_distinct() -> None:
    colors = run_colors(["1", "7", "9", "myrun"])
    assert colors == run_colors(["1", "7", "9", "myrun"])
    assert list(colors.values()) == list(RUN_COLORS[:4])
    assert len(set(run_colors(str(i) for i in range(len(RUN_COLORS))).values())) == len(RUN_COLORS)
    assert run_colors(["7", "1", "7"]) == {"7": RUN_COLORS[0], "1": RUN_COLORS[1]}
    assert run_colors(str(i) for i in range(len(RUN_COLORS) + 1))[str(len(RUN_COLORS))] == RUN_COLORS[0]
    kind_colours = {(0, 0, 255), (0, 128, 0), (255, 0, 0)}
    assert not kind_colours & {color_rgb(color) for color in RUN_COLORS}


def test_color_rgb_parses_hex_and_rejects_other_text() -> None:
    assert color_rgb("#f28e2b") == (242, 142, 43)
    with pytest.raises(ValueError, match="Expected a colour as '#rrggbb', got 'blue'"):
        color_rgb("blue")
    with pytest.raises(ValueError, match="got '#gggggg'"):
        color_rgb("#gggggg")


def test_order_run_ids_numeric_first_then_named() -> None:
    assert order_run_ids(["10", "myrun", "2", "1", "2", "alpha"]) == ["1", "2", "10", "alpha", "myrun"]


# ---- live source and overlay ----------------------------------------------------------------------

def test_source_first_poll_returns_everything_then_nothing(runs: Path) -> None:
    source = CompareSource(runs, ["1", "7", "9"])
    first = source.poll()
    assert set(first.records) == set(first.configs) == {"1", "7", "9"}
    assert set(first.metrics) == {"1", "9"}                  # run 7 logged no metrics
    assert len(first.metrics["1"]["loss"]) == 3
    assert not source.running
    assert source.poll().empty


def test_source_reports_new_points_changed_config_and_broken_files(runs: Path) -> None:
    source = CompareSource(runs, ["1", "9"])
    source.poll()
    metrics_path = runs / "1" / "metrics.json"
    metrics = json.loads(metrics_path.read_text())
    metrics["loss"]["steps"].append(3)
    metrics["loss"]["timestamps"].append("2026-11-28T01:24:01.000000")
    metrics["loss"]["values"].append(0.2)
    metrics_path.write_text(json.dumps(metrics) + " ")
    config = json.loads((runs / "9" / "config.json").read_text())
    config["lr"] = 0.5
    (runs / "9" / "config.json").write_text(json.dumps(config))
    update = source.poll()
    assert list(update.metrics) == ["1"]
    assert update.metrics["1"]["loss"].values == [0.2] and "acc" not in update.metrics["1"]
    assert update.configs["9"]["lr"] == 0.5 and "1" not in update.configs
    (runs / "9" / "config.json").write_text("not json at all")
    broken = source.poll()
    assert broken.problems["9"] and "config.json" in broken.problems["9"][0]


def test_source_of_a_missing_run_reports_problems_without_raising(runs: Path) -> None:
    source = CompareSource(runs, ["1", "nope"])
    update = source.poll()
    assert update.configs["nope"] == {}
    assert any("run.json" in problem for problem in update.problems["nope"])
    with pytest.raises(ValueError, match="at least one run id"):
        CompareSource(runs, [])


def series(count: int, start: datetime, seconds_per_step: float = 1.0) -> MetricSeries:
    stamps = [(start + timedelta(seconds=i * seconds_per_step)).isoformat() for i in range(count)]
    return MetricSeries(list(range(count)), stamps, [float((i * 37) % 101) for i in range(count)])


def test_overlay_downsamples_each_run_to_the_plot_width_keeping_extremes() -> None:
    overlay = MetricOverlay(["a", "b"])
    start = datetime(2024, 1, 1)
    big = series(20_000, start)
    big.values[12_345] = -50.0
    overlay.add("a", {"loss": big})
    overlay.add("b", {"loss": series(10, start), "acc": series(3, start)})
    drawn = overlay.overlay("loss", width=50)
    assert [line.run_id for line in drawn.lines] == ["a", "b"]
    long_line = drawn.lines[0]
    assert len(long_line.xs) <= 4 * 50 + 2 and long_line.total == 20_000
    assert min(long_line.ys) == -50.0 and 12_345.0 in long_line.xs
    assert len(drawn.lines[1].xs) == 10
    assert overlay.names() == ["acc", "loss"] and overlay.runs_with("acc") == ["b"]
    overlay.add("b", {"loss": series(5, start)})
    assert overlay.point_count("loss") == 20_015
    with pytest.raises(ValueError, match="x_mode must be 'step' or 'time', got 'epoch'"):
        overlay.overlay("loss", 50, "epoch")


def test_overlay_time_axis_is_relative_to_each_run_start_in_one_unit() -> None:
    overlay = MetricOverlay(["early", "late"])
    overlay.add("early", {"loss": series(4, datetime(2024, 1, 1), seconds_per_step=3600.0)})
    overlay.add("late", {"loss": series(4, datetime(2024, 6, 1, 12), seconds_per_step=60.0)})
    overlay.set_origin("early", datetime(2024, 1, 1))
    overlay.set_origin("late", datetime(2024, 6, 1, 12))
    drawn = overlay.overlay("loss", width=40, x_mode="time")
    assert drawn.x_label == "time since start (h)"
    assert drawn.lines[0].xs == [0.0, 1.0, 2.0, 3.0]
    assert drawn.lines[1].xs == pytest.approx([0.0, 1 / 60, 2 / 60, 3 / 60])


def test_data_modules_do_not_import_textual() -> None:
    code = ("import sys, sacred_tui.data.compare, sacred_tui.data.compare_source, "
            "sacred_tui.data.compare_text; print('textual' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
