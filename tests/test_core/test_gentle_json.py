"""Big JSON files are parsed in pieces, to exactly what json.loads gives, without holding the GIL long."""
from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import pytest

import core.runs._jsonfile as jsonfile
from core.runs import RunsFolder
from core.runs.gentle_json import SLICE, NotGentle, loads_gently

DOCUMENTS = [
    "{}", "[]", " [ ] ", '"plain"', "12", "-0.5e-3", "null", "[NaN, Infinity, -Infinity]",
    '{"a": [1, 2, {"b": "x,y]}"}], "c": "q\\"uo,te\\\\", "d": "\\u00e9,\\ud83d\\ude00"}',
    json.dumps({f"k{i}": {"v": [i, f"s,{i}", {"n": None, "t": True}]} for i in range(20_000)}),
    json.dumps({"s": "x,]}" * 50_000, "l": list(range(100_000)), "u": ["ü,ß€😀" * 7] * 20_000}, indent=2),
    json.dumps([[[i, "]"]] * 3 for i in range(30_000)]),
    json.dumps({"deep": [[[[{"x": list(range(i % 50))}]]] for i in range(5_000)]}, indent=1),
    json.dumps({"huge string": "é" * (3 * SLICE) + "\\\"" + "a" * SLICE}),
]


@pytest.mark.parametrize("text", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_gentle_parse_equals_json_loads(text: str) -> None:
    expected = json.loads(text)
    got = loads_gently(text.encode("utf-8"))
    if isinstance(expected, list) and expected and isinstance(expected[0], float):
        assert [repr(x) for x in got] == [repr(x) for x in expected]  # NaN != NaN
    else:
        assert got == expected


@pytest.mark.parametrize("text", ['{"a": 1,}', "[1, 2", '{"a" 1}', '"abc', "[1] x", "", "{'a': 1}",
                                  '{"a": [' + "1, " * SLICE + "]}", "[" + "9" * 5000 + "]"])
def test_what_it_does_not_read_is_left_to_json_loads(text: str) -> None:
    with pytest.raises(NotGentle):
        loads_gently(text.encode("utf-8"))


def test_big_files_keep_the_readers_problem_texts(tmp_path: Path) -> None:
    big = json.dumps({"values": list(range(100_000))})
    run_dir = tmp_path / "1"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(big[:-20])  # cut short, as while a writer is at it
    run = RunsFolder(tmp_path).run("1")
    assert run.read_config() == {}
    assert any("config.json: incomplete JSON" in problem for problem in run.problems())
    (run_dir / "config.json").write_text(big)
    assert run.read_config()["values"][-1] == 99_999
    value, note = jsonfile.parse_json_bytes(b'{"n": ' + b"7" * 5000 + b', "pad": "' + b"p" * 300_000 + b'"}',
                                            "config.json", dict)
    assert value["n"] == "7" * 5000 and note is not None and "5,000 digits" in note


def test_a_big_file_parsed_in_a_thread_leaves_other_threads_running() -> None:
    data = json.dumps({"metric": {"steps": list(range(600_000)),
                                  "values": [math.sin(i) for i in range(600_000)]}}).encode()
    gaps: list[float] = []
    done = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.thread_time()
    value = loads_gently(data)
    parse_cpu = time.thread_time() - started
    done.set()
    ticker.join()
    assert value["metric"]["values"][-1] == math.sin(599_999)
    # json.loads would hold the lock for the whole parse; in pieces the ticker waits at most about
    # one switch interval (5 ms) plus one piece. Bound relative to the parse's own CPU time, so a
    # busy machine does not make this fail.
    assert parse_cpu > 0.05
    assert max(gaps) < parse_cpu / 3, (max(gaps), parse_cpu)
