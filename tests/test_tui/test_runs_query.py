"""The runs filter language: comparisons, relative times, combinators, bare words and errors."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sacred_tui.data.liveness import DEAD, Liveness
from sacred_tui.data.query import QueryError, parse_query, parse_span
from sacred_tui.data.rows import MetricSummary, RunRow

NOW = datetime(2026, 6, 1, 12, 0, 0)
NOW_EPOCH = (NOW - datetime(1970, 1, 1)).total_seconds()


def row(run_id: str, **fields: object) -> RunRow:
    return RunRow(run_id=run_id, **fields)  # type: ignore[arg-type]


ROWS = [
    row("1", status="COMPLETED", experiment="svm_grid", config={"lr": 0.1, "optim.name": "sgd"},
        start=NOW - timedelta(minutes=30), stop=NOW - timedelta(minutes=20), result=0.95,
        metrics={"loss": MetricSummary(0.05, 0.01, 1.0, 10)}, comment="baseline"),
    row("2", status="FAILED", experiment="mlp", config={"lr": 0.001, "optim.name": "adam"},
        start=NOW - timedelta(hours=5), result={"acc": 0.5}, metrics={"loss": MetricSummary(0.5, 0.4, 2.0, 3)}),
    row("3", status="RUNNING", experiment="SVM-linear", config={"lr": 0.02},
        start=NOW - timedelta(days=3), liveness=Liveness(DEAD, "no heartbeat for 3 days", "3 days")),
    row("10", status="RUNNING", experiment="mlp", config={"flag": True}, start=NOW - timedelta(minutes=1)),
]


def ids(text: str) -> list[str]:
    query = parse_query(text)
    hay = {r.run_id: f"{r.run_id} {r.status} {r.experiment} {r.comment}".casefold() for r in ROWS}
    return [r.run_id for r in ROWS if query.matches(r, NOW_EPOCH, lambda r: hay[r.run_id])]


def test_query_empty_matches_everything() -> None:
    assert ids("") == ["1", "2", "3", "10"]
    assert ids("   ") == ["1", "2", "3", "10"]


def test_query_status_equality_ignores_case() -> None:
    assert ids("status=FAILED") == ["2"]
    assert ids("status=failed") == ["2"]
    assert ids("status!=FAILED") == ["1", "3", "10"]


def test_query_status_of_a_dead_run_is_dead_and_running() -> None:
    assert ids("status=DEAD") == ["3"]
    assert ids("status=RUNNING") == ["3", "10"]
    assert ids("status!=DEAD") == ["1", "2", "10"]


def test_query_config_numbers_compare_numerically() -> None:
    assert ids("config.lr>0.01") == ["1", "3"]
    assert ids("config.lr<=0.02") == ["2", "3"]
    assert ids("config.optim.name=adam") == ["2"]
    assert ids("config.flag=true") == ["10"]


def test_query_missing_value_never_matches_except_not_equal() -> None:
    assert ids("config.nothing=1") == []
    assert ids("config.nothing>1") == []
    assert ids("config.nothing!=1") == ["1", "2", "3", "10"]


def test_query_regex_and_substring_match() -> None:
    assert ids("experiment~svm") == ["1", "3"]
    assert ids("experiment~^mlp$") == ["2", "10"]
    assert ids("experiment!~svm") == ["2", "10"]
    # An invalid regular expression is matched as plain text.
    assert ids("experiment~svm(") == []


def test_query_relative_and_absolute_times() -> None:
    assert ids("started<2h") == ["1", "10"]
    assert ids("started>1d") == ["3"]
    assert ids("started<90s") == ["10"]
    assert ids(f"started>{(NOW - timedelta(hours=1)).isoformat()}") != ["3"]


def test_query_duration_uses_spans() -> None:
    assert ids("duration>=10m and status=COMPLETED") == ["1"]
    assert ids("duration<5m and status=COMPLETED") == []


def test_query_result_number_and_result_key() -> None:
    assert ids("result>=0.9") == ["1"]
    assert ids("result.acc<0.6") == ["2"]


def test_query_metric_summaries() -> None:
    assert ids("metric.loss.last<0.1") == ["1"]
    assert ids("metric.loss<0.1") == ["1"]
    assert ids("metric.loss.max>=2") == ["2"]
    assert ids("metric.loss.min>0.3") == ["2"]


def test_query_and_or_not_and_parentheses() -> None:
    assert ids("status=FAILED or config.lr>0.05") == ["1", "2"]
    assert ids("status=RUNNING and config.lr>0.01 or status=FAILED") == ["2", "3"]
    assert ids("status=RUNNING and (config.lr>0.01 or status=FAILED)") == ["3"]
    assert ids("not status=RUNNING") == ["1", "2"]
    assert ids("STATUS=running AND NOT experiment~svm") == ["10"]


def test_query_bare_words_search_visible_text() -> None:
    assert ids("baseline") == ["1"]
    assert ids("MLP") == ["2", "10"]
    assert ids("mlp failed") == ["2"]
    assert ids("'svm_grid'") == ["1"]


@pytest.mark.parametrize(("text", "message", "position"), [
    ("foo=1", "unknown field 'foo'", 0),
    ("status=", "expected a value after '='", 7),
    ("(status=FAILED", "expected ')' to close '('", 0),
    ("status=FAILED)", "unexpected ')'", 13),
    ("comment='open", "unterminated quote '", 8),
    ("started<yesterday", "started needs an age like 30m, 2h, 3d or a date", 8),
    ("duration>long", "duration needs seconds or a span", 9),
    ("a and", "expected a condition or a word", 5),
])
def test_query_errors_name_the_problem_and_position(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert message in str(info.value)
    assert info.value.position == position
    assert f"(at position {position + 1})" in str(info.value)


def test_parse_span_units() -> None:
    assert parse_span("90s") == 90
    assert parse_span("5m") == 300
    assert parse_span("2h") == 7200
    assert parse_span("1.5d") == 1.5 * 86400
    assert parse_span("1w") == 7 * 86400
    assert parse_span("2x") is None


def test_query_regex_keeps_its_parentheses_inside_a_group() -> None:
    assert ids("(experiment~svm(_grid|-linear))") == ["1", "3"]
    assert ids("(status=FAILED or experiment~(grid))") == ["1", "2"]


def test_query_config_keys_no_run_has_are_refused_with_the_closest_ones() -> None:
    known = ["lr", "layers", "opts.momentum", "opts.nested.flag"]
    with pytest.raises(QueryError, match=r"no run has a config key 'lrr'; did you mean config\.lr\?"):
        parse_query("status=COMPLETED and config.lrr>0.1", known_config=known)
    with pytest.raises(QueryError) as refused:
        parse_query("config.zzz=1", known_config=known)
    assert str(refused.value) == "no run has a config key 'zzz' (at position 1)"
    with pytest.raises(QueryError, match=r"config\.opts is a dict of keys: compare one of them "
                                         r"\(config\.opts\.momentum, config\.opts\.nested\.flag\)"):
        parse_query("config.opts~momentum", known_config=known)
    # Keys inside dicts compare; unknown keys pass when the keys are not known yet (runs still loading).
    nested = row("4", config={"opts.momentum": 0.5, "opts.nested.flag": True})
    assert parse_query("config.opts.momentum=0.5", known_config=known).matches(nested, NOW_EPOCH, lambda r: "")
    assert not parse_query("config.lrr>0.1").matches(nested, NOW_EPOCH, lambda r: "")
