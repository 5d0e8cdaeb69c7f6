"""Sweep expansion: values, ranges, log ranges, named-config alternatives and seeds become launch specs."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from sacred_tui.data.launch_spec import LaunchSpec
from sacred_tui.data.sweep_spec import (SweepError, SweepSpec, choose_seeds, parse_alternatives, parse_axis,
                                        split_values, sweep_of)


@pytest.fixture
def base(tmp_path: Path) -> LaunchSpec:
    script = tmp_path / "train.py"
    script.write_text("")
    return LaunchSpec.create(script, named_configs=["quick"], updates=["epochs=3"], python="/usr/bin/python3")


@pytest.mark.parametrize("text, values", [
    ("lr=0.01,0.1,1", ["0.01", "0.1", "1"]),
    ("layers=[16,8],[32, 16],()", ["[16,8]", "[32, 16]", "()"]),
    ("msg='a,b',\"c,d\",plain", ["'a,b'", '"c,d"', "plain"]),
    ("n=1..4", ["1", "2", "3", "4"]),
    ("steps=10..50:5", ["10", "20", "30", "40", "50"]),
    ("x=0..1:3", ["0.0", "0.5", "1.0"]),
    ("x=0.1..0.3:3", ["0.1", "0.2", "0.3"]),
    ("lr=1e-4..1e-1:4log", ["0.0001", "0.001", "0.01", "0.1"]),
    ("lr=1..100:3log", ["1.0", "10.0", "100.0"]),
    ("path=../data,./x", ["../data", "./x"]),
    ("one=5", ["5"]),
])
def test_axis_values(text: str, values: list[str]) -> None:
    axis = parse_axis(text)
    assert list(axis.values) == values
    assert axis.words() == [f"{axis.key}={value}" for value in values]


@pytest.mark.parametrize("text, message", [
    ("lr", "not a swept key: write KEY=VALUES"),
    ("lr=", "no values given"),
    ("lr=0.1,,1", "an empty value between commas"),
    ("lr=0.1,0.1", "a value is listed twice"),
    ("x=0.1..0.5", "a range without a count needs whole numbers"),
    ("n=5..1", "the range runs backwards"),
    ("lr=0..1:4log", "a log range needs both ends above 0"),
    ("lr=1..2:0", "the number of values must be 1 to"),
    ("n=1..20000", "at most 10000"),
    (".lr=1,2", "has an empty part"),
])
def test_axis_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        parse_axis(text)


def test_split_values_keeps_brackets_and_quotes_together() -> None:
    assert split_values("{'a': 1, 'b': 2},[1,(2,3)],'x,y'") == ["{'a': 1, 'b': 2}", "[1,(2,3)]", "'x,y'"]


def test_alternatives() -> None:
    assert parse_alternatives("big,quick") == [("big",), ("quick",)]
    assert parse_alternatives(",big+hard") == [(), ("big", "hard")]
    with pytest.raises(SweepError, match="listed twice"):
        parse_alternatives("big,big")
    with pytest.raises(SweepError, match="is an update"):
        parse_alternatives("lr=1")


def test_seeds_are_distinct_and_in_sacreds_range() -> None:
    seeds = choose_seeds(50, random.Random(1))
    assert len(set(seeds)) == 50 and all(1 <= seed <= 10**9 for seed in seeds)
    assert choose_seeds(0) == ()


def test_a_2x2x2_sweep_expands_in_order_to_the_argv_of_single_launches(base: LaunchSpec, tmp_path: Path) -> None:
    sweep = sweep_of(base, ["lr=0.01,0.1"], "big,hard", [11, 22])
    assert len(sweep) == 8 and sweep.problems() == []
    points = sweep.points()
    assert [p.index for p in points] == list(range(8))
    words = [p.spec.words() for p in points]
    assert words[0] == ["quick", "big", "epochs=3", "lr=0.01", "seed=11"]
    assert words[1] == ["quick", "big", "epochs=3", "lr=0.01", "seed=22"]
    assert words[2] == ["quick", "big", "epochs=3", "lr=0.1", "seed=11"]
    assert words[7] == ["quick", "hard", "epochs=3", "lr=0.1", "seed=22"]
    assert [p.seed for p in points] == [11, 22] * 4
    single = LaunchSpec.create(base.script, None, ["quick", "big"], ["epochs=3", "lr=0.01", "seed=11"],
                               python="/usr/bin/python3")
    assert points[0].spec.argv(tmp_path / "runs") == single.argv(tmp_path / "runs")


def test_a_sweep_of_one_is_the_base_launch(base: LaunchSpec) -> None:
    sweep = sweep_of(base)
    assert len(sweep) == 1
    assert sweep.points()[0].spec == base


def test_sweep_problems(base: LaunchSpec) -> None:
    assert "epochs is both swept and set to one value" in " ".join(
        sweep_of(base, ["epochs=1,2"]).problems())
    assert "lr is swept twice" in " ".join(sweep_of(base, ["lr=1,2", "lr=3"]).problems())
    seeded = base.with_changes(updates=("seed=5",))
    assert "seed is set while the sweep chooses seeds" in " ".join(sweep_of(seeded, seeds=2).problems())
    huge = sweep_of(base, ["a=1..100", "b=1..101"])
    assert "The sweep has 10,100 runs; at most 10,000" in " ".join(huge.problems())
    with pytest.raises(SweepError):
        huge.points()


def test_a_sweep_round_trips_through_its_record(base: LaunchSpec) -> None:
    sweep = sweep_of(base, ["lr=1e-3..1e-1:3log", "layers=[1,2],[3]"], ",big", 3, {"target": "local"})
    again = SweepSpec.from_json(sweep.to_json())
    assert again == sweep
    assert [p.spec.argv() for p in again.points()] == [p.spec.argv() for p in sweep.points()]
    with pytest.raises(SweepError, match="Not a sweep record"):
        SweepSpec.from_json({"axes": []})
