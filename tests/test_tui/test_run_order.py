"""RunOrder: sort keys made ahead in idle steps give exactly the order made on demand."""
from __future__ import annotations

import gc
import random
from datetime import datetime, timedelta

from sacred_tui.data.rows import MetricSummary, RunRow
from sacred_tui.widgets.run_order import RunOrder

COLUMNS = ["id", "status", "experiment", "started", "duration", "host", "result",
           "config.lr", "metric.loss.last"]
OTHER_COLUMNS = ["comment", "tags", "named_configs", "command", "config.missing", "metric.loss.max"]
NOW = datetime(2026, 12, 3, 12, 0).timestamp()


def random_row(rng: random.Random, run_id: str) -> RunRow:
    """A row with a mix of present, missing and oddly typed values (ties are common)."""
    start = datetime(2026, 12, 1) + timedelta(minutes=rng.randrange(0, 3000)) if rng.random() < 0.9 else None
    status = rng.choice(["COMPLETED", "FAILED", "RUNNING", "INTERRUPTED", "QUEUED"])
    stop = start + timedelta(seconds=rng.randrange(1, 900)) if start and status != "RUNNING" else None
    config: dict = {"lr": rng.choice([0.1, 0.01, 1, "high", None, True, 0.01])} if rng.random() < 0.8 else {}
    metrics = {"loss": MetricSummary(rng.choice([0.5, 0.25, float("nan"), None]), None, None, 3)} \
        if rng.random() < 0.7 else {}
    return RunRow(run_id, status=status, experiment=rng.choice(["mlp", "CNN", "cnn", ""]), start=start,
                  stop=stop, heartbeat=start, host=rng.choice(["a", "b", "B", ""]),
                  result=rng.choice([None, 1, 2.5, "done", [1, 2]]), config=config, metrics=metrics)


def test_warmed_keys_give_the_order_made_on_demand_through_changes() -> None:
    """Two orders see the same rows, changes and sorts; one has its keys made ahead (partly or
    wholly) between steps. Every order they give is identical, ties included."""
    rng = random.Random(7)
    rows = {str(i): random_row(rng, str(i)) for i in range(1, 801)}
    cold, warm = RunOrder(), RunOrder()
    next_id = 802
    for step in range(120):
        for _ in range(rng.randrange(4)):
            warm.warm(COLUMNS, rows, NOW, rng.choice([50, 400, 100_000]))
        # Sorting by columns not warmed too: their keys push warmed ones out of the cache.
        column, reverse = rng.choice(COLUMNS + OTHER_COLUMNS), rng.random() < 0.5
        for order in (cold, warm):
            order.set_sort(column, reverse)
        assert warm.ordered(rows, NOW) == cold.ordered(rows, NOW), (step, column, reverse)
        # Now and then many rows at once (a folder copied in): the warmed columns are made again.
        many = 300 if step % 20 == 19 else 5
        changed = [random_row(rng, run_id) for run_id in rng.sample(sorted(rows), many)]
        changed += [random_row(rng, str(next_id + n)) for n in range(rng.randrange(3))]
        next_id += 3
        removed = rng.sample(sorted(rows), rng.randrange(3))
        for run_id in removed:
            del rows[run_id]
        rows.update((row.run_id, row) for row in changed)
        for order in (cold, warm):
            order.update(changed, removed, NOW)
        assert warm.ordered(rows, NOW) == cold.ordered(rows, NOW), step


def test_a_warmed_column_is_sorted_without_making_keys() -> None:
    """Once every key of a column is made, a sort by it makes none; changed rows get new keys."""
    rng = random.Random(3)
    rows = {str(i): random_row(rng, str(i)) for i in range(1, 301)}
    order = RunOrder()
    assert order.warm(["status", "host"], rows, NOW, 10_000) == 600
    assert order.warm(["status", "host"], rows, NOW, 10_000) == 0  # nothing left to make
    calls = []
    real = order._getter("host")
    order._getters["host"] = lambda row, now: calls.append(row.run_id) or real(row, now)
    order.set_sort("host", False)
    first = order.ordered(rows, NOW)
    assert calls == [] and sorted(first) == sorted(rows)
    moved = RunRow("7", host="zzz")
    rows["7"] = moved
    order.update([moved], (), NOW)
    assert calls == ["7"]  # only the changed row's key was made again
    with_host = [run_id for run_id in order.ordered(rows, NOW) if rows[run_id].host]
    assert with_host[-1] == "7"  # runs without a host come after it
    assert order.warm(["status", "host"], rows, NOW, 10_000) == 0  # kept up to date by update
    many = [RunRow(str(i), host="h") for i in range(1, 251)]
    rows.update((row.run_id, row) for row in many)
    order.update(many, (), NOW)
    # Left to the idle steps: status; host is sorted by, its keys are made as the rows come.
    assert order.warm(["status", "host"], rows, NOW, 10_000) == 250


def test_keys_made_ahead_add_nothing_for_the_garbage_collector_to_walk() -> None:
    """A full collection walks every object the interpreter tracks: the keys of thousands of rows
    must not add one per row and column (at 20,000 rows that made each collection 60-170 ms longer)."""
    rng = random.Random(11)
    rows = {str(i): random_row(rng, str(i)) for i in range(1, 3001)}
    order = RunOrder()
    order.warm(["status"], rows, NOW, 100_000)  # the order's own structures exist
    gc.collect()
    before = len(gc.get_objects())
    columns = ["status", "experiment", "started", "host", "config.lr", "metric.loss.last"]
    assert order.warm(columns, rows, NOW, 100_000) == 3000 * 5
    gc.collect()
    assert len(gc.get_objects()) - before < 100
