"""Following runs while they are written: TextTail on cout.txt, MetricsFollower on metrics files."""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

from core.runs import MetricsFollower, RunsFolder, TextTail


def append(path: Path, data: bytes | str) -> None:
    with open(path, "ab") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)


def point(name: str, step: int | None, value: object, stamp: str = "2026-01-01T00:00:00.5") -> str:
    entry: dict[str, object] = {"name": name, "timestamp": stamp, "value": value}
    if step is not None:
        entry["step"] = step
    return json.dumps(entry) + "\n"


def test_text_tail_returns_only_new_text(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    tail = TextTail(cout)
    assert tail.read_new() == ""
    append(cout, "first line\n")
    assert tail.read_new() == "first line\n"
    assert tail.read_new() == ""
    append(cout, "second\n")
    append(cout, "third\r")
    assert tail.read_new() == "second\nthird\r"
    assert tail.offset == cout.stat().st_size
    assert not tail.restarted


def test_text_tail_joins_a_character_split_across_writes(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    tail = TextTail(cout)
    euro = "€".encode()
    append(cout, b"price: 3" + euro[:1])
    assert tail.read_new() == "price: 3"
    append(cout, euro[1:2])
    assert tail.read_new() == ""
    append(cout, euro[2:] + b"\n")
    assert tail.read_new() == "€\n"


def test_text_tail_replaces_invalid_bytes(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    cout.write_bytes(b"ok \xff\xfe done")
    assert TextTail(cout).read_new() == "ok \ufffd\ufffd done"


def test_text_tail_starts_over_after_truncation(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    tail = TextTail(cout)
    append(cout, "a long first version\n")
    tail.read_new()
    cout.write_text("new\n")
    assert tail.read_new() == "new\n"
    assert tail.restarted
    append(cout, "more\n")
    assert tail.read_new() == "more\n"
    assert not tail.restarted


def test_text_tail_starts_over_when_file_is_replaced(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    tail = TextTail(cout)
    append(cout, "old\n")
    tail.read_new()
    (tmp_path / "tmp.txt").write_text("replacement, longer than before\n")
    os.replace(tmp_path / "tmp.txt", cout)
    assert tail.read_new() == "replacement, longer than before\n"
    assert tail.restarted


def test_text_tail_max_bytes_reads_in_pieces(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    cout.write_text("ab€cd")
    tail = TextTail(cout)
    pieces = [tail.read_new(max_bytes=3) for _ in range(3)]
    assert "".join(pieces) == "ab€cd"
    assert tail.read_new() == ""


def test_text_tail_seek_skips_to_a_character_start(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    cout.write_text("xé yz")
    tail = TextTail(cout, start=2)
    assert tail.offset == 3
    assert tail.read_new() == " yz"


def test_big_cout_range_reads(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    line = "epoch 12: loss=0.123 ✓ naïve ünïcode ——\n"
    text = line * 60_000
    cout.write_text(text, encoding="utf-8")
    tail = TextTail(cout)
    size = tail.size()
    assert size == len(text.encode()) and size > 2_500_000
    started = time.perf_counter()
    chunk = 65_536
    pieces = [tail.read_range(start, min(start + chunk, size)) for start in range(0, size, chunk)]
    elapsed = time.perf_counter() - started
    assert "".join(pieces) == text
    assert "\ufffd" not in "".join(pieces)
    last = tail.read_range(size - 1000, size)
    assert text.endswith(last) and len(last.encode()) <= 1000
    assert tail.offset == 0
    print(f"read {size / 1e6:.1f} MB in {len(pieces)} ranges: {elapsed * 1000:.1f} ms")


def test_read_ranges_of_any_width_join_up(tmp_path: Path) -> None:
    cout = tmp_path / "cout.txt"
    text = "a€b\U0001F600cé\n"
    cout.write_text(text, encoding="utf-8")
    tail = TextTail(cout)
    size = tail.size()
    for width in range(1, 8):
        pieces = [tail.read_range(start, min(start + width, size)) for start in range(0, size, width)]
        assert "".join(pieces) == text, width
    assert tail.read_range(2, 3) == ""
    assert tail.read_range(1, 2) == "€"


def test_read_range_arguments_and_missing_file(tmp_path: Path) -> None:
    tail = TextTail(tmp_path / "none.txt")
    assert tail.read_range(0, 10) == "" and tail.size() == 0
    try:
        tail.read_range(5, 2)
    except ValueError as exc:
        assert "start=5, end=2" in str(exc)
    else:
        raise AssertionError("read_range(5, 2) did not raise")


def test_metrics_follower_reads_sidecar_incrementally(tmp_path: Path) -> None:
    sidecar = tmp_path / "metrics.jsonl"
    follower = MetricsFollower(tmp_path)
    assert follower.poll() == {}
    append(sidecar, point("loss", 0, 1.0) + point("acc", 0, 0.5))
    first = follower.poll()
    assert first["loss"].steps == [0] and first["loss"].values == [1.0]
    assert first["acc"].values == [0.5]
    assert follower.poll() == {}
    torn = point("loss", 1, 0.5)
    append(sidecar, torn[:10])
    assert follower.poll() == {}
    append(sidecar, torn[10:] + point("loss", None, float("nan")))
    new = follower.poll()
    assert list(new) == ["loss"]
    assert new["loss"].steps == [1, 2]
    assert new["loss"].values[0] == 0.5 and math.isnan(new["loss"].values[1])
    assert follower.problem is None


def test_metrics_follower_skips_bad_sidecar_lines(tmp_path: Path) -> None:
    append(tmp_path / "metrics.jsonl", "garbage\n" + point("loss", 0, 1.0) + "[1]\n")
    follower = MetricsFollower(tmp_path)
    assert follower.poll()["loss"].values == [1.0]
    assert follower.problem == "metrics.jsonl: 2 unreadable line(s) skipped"


def test_metrics_follower_does_not_repeat_after_sidecar_rewrite(tmp_path: Path) -> None:
    sidecar = tmp_path / "metrics.jsonl"
    append(sidecar, point("loss", 0, 1.0) + point("loss", 1, 0.9))
    follower = MetricsFollower(tmp_path)
    assert len(follower.poll()["loss"]) == 2
    sidecar.write_text(point("loss", 0, 1.0))
    assert follower.poll() == {}
    append(sidecar, point("loss", 1, 0.9) + point("loss", 2, 0.8))
    assert follower.poll()["loss"].values == [0.8]


def write_metrics_json(run_dir: Path, values: list[float]) -> None:
    entry = {"steps": list(range(len(values))), "timestamps": ["2026-01-01T00:00:00"] * len(values),
             "values": values}
    (run_dir / "metrics.json").write_text(json.dumps({"loss": entry}, indent=2))


def test_metrics_follower_without_sidecar_uses_metrics_json(tmp_path: Path) -> None:
    follower = MetricsFollower(tmp_path)
    assert follower.poll() == {}
    write_metrics_json(tmp_path, [1.0, 0.5])
    assert follower.poll()["loss"].values == [1.0, 0.5]
    assert follower.poll() == {}
    write_metrics_json(tmp_path, [1.0, 0.5, 0.25])
    new = follower.poll()
    assert new["loss"].steps == [2] and new["loss"].values == [0.25]


def test_metrics_follower_survives_torn_metrics_json(tmp_path: Path) -> None:
    follower = MetricsFollower(tmp_path)
    write_metrics_json(tmp_path, [1.0])
    assert follower.poll()["loss"].values == [1.0]
    full = (tmp_path / "metrics.json").read_text()
    (tmp_path / "metrics.json").write_text(full[: len(full) // 2])
    assert follower.poll() == {}
    assert follower.problem is not None and follower.problem.startswith("metrics.json: incomplete JSON")
    write_metrics_json(tmp_path, [1.0, 2.0])
    assert follower.poll()["loss"].values == [2.0]
    assert follower.problem is None


def test_metrics_follower_switches_to_sidecar_without_duplicates(tmp_path: Path) -> None:
    follower = MetricsFollower(tmp_path)
    write_metrics_json(tmp_path, [1.0, 0.5])
    assert len(follower.poll()["loss"]) == 2
    append(tmp_path / "metrics.jsonl", point("loss", 0, 1.0) + point("loss", 1, 0.5) + point("loss", 2, 0.25))
    assert follower.poll()["loss"].values == [0.25]
    follower.reset()
    assert follower.poll()["loss"].values == [1.0, 0.5, 0.25]


def test_run_being_written_while_followed(tmp_path: Path) -> None:
    run_dir = tmp_path / "runs" / "1"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"status": "RUNNING"}))
    run = RunsFolder(tmp_path / "runs").run("1")
    tail, follower = run.cout_tail(), run.metrics_follower()
    seen_text, seen_points = "", 0
    payload = "step {i}: ünïcode ✓\n"
    for i in range(5):
        encoded = payload.format(i=i).encode()
        append(run.cout_path, encoded[:9])
        seen_text += tail.read_new()
        append(run.cout_path, encoded[9:])
        seen_text += tail.read_new()
        line = point("loss", i, 1.0 / (i + 1))
        append(run_dir / "metrics.jsonl", line[:-5])
        assert follower.poll() == {}
        append(run_dir / "metrics.jsonl", line[-5:])
        new = follower.poll()
        assert new["loss"].steps == [i]
        seen_points += len(new["loss"])
    assert seen_text == "".join(payload.format(i=i) for i in range(5))
    assert seen_points == 5
    assert run.read_metrics()["loss"].steps == [0, 1, 2, 3, 4]


def test_read_metrics_prefers_the_longer_sidecar(tmp_path: Path) -> None:
    run_dir = tmp_path / "7"
    run_dir.mkdir()
    (run_dir / "run.json").write_text("{}")
    write_metrics_json(run_dir, [1.0])
    append(run_dir / "metrics.jsonl", point("loss", 0, 1.0) + point("loss", 1, 0.5) + point("acc", 0, 0.1)
           + point("loss", 2, 0.1)[:-3])
    metrics = RunsFolder(tmp_path).run("7").read_metrics()
    assert metrics["loss"].values == [1.0, 0.5]
    assert metrics["acc"].values == [0.1]
    assert metrics["loss"].timestamp(1) is not None
