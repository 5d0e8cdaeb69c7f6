"""A running run's record keeps up with it (real processes): metrics within about a second whatever the
beat interval, output never held back by a slow metrics write, and bounded memory for huge output."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

LIVE = '''
import json, sys, time
from core import Experiment

ex = Experiment("live")
MODE = sys.argv.pop(1)
MEGABYTES = int(sys.argv.pop(1)) if MODE == "huge-output" else 0

if MODE == "slow-metrics-write":  # a disk that takes 3 s to write metrics.json at the beat
    from core.observers import metrics_file
    original_flush = metrics_file.MetricsFile.flush

    def slow_flush(self):
        if self.waiting:
            time.sleep(3)
        return original_flush(self)

    metrics_file.MetricsFile.flush = slow_flush


@ex.automain
def main(_run):
    if MODE == "metrics":
        for step in range(3):
            _run.log_scalar("loss", 1 / (step + 1))
            with open("logged.txt", "a") as handle:
                handle.write(json.dumps(time.time()) + "\\n")
            time.sleep(1.5)
    elif MODE == "slow-metrics-write":
        _run.log_scalar("loss", 0.5)
        time.sleep(1.2)  # the beat (every second) is now writing metrics.json for 3 s
        print("printed during the metrics write", flush=True)
        with open("printed.txt", "w") as handle:
            handle.write(json.dumps(time.time()))
        time.sleep(2.5)
    elif MODE == "huge-output":
        block = ("y" * 99 + "\\n") * 10000  # 1 MB
        for _ in range(MEGABYTES):
            sys.stdout.write(block)
        import resource
        with open("peak.txt", "w") as handle:
            handle.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
'''


def _wait_for(predicate, timeout: float) -> float | None:
    """Poll ``predicate`` every 20 ms; the time it first held, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.time()
        time.sleep(0.02)
    return None


def _jsonl_points(run_dir: Path) -> int:
    try:
        return (run_dir / "metrics.jsonl").read_text().count("\n")
    except FileNotFoundError:
        return 0


def test_metrics_jsonl_gets_points_within_about_a_second_at_sacreds_default_beat(script):
    script.write("live.py", LIVE)
    run_dir = script.folder / "runs" / "1"
    process = script.start("live.py", "metrics", "-F", "runs")  # default beat interval: 10 s
    try:
        seen = [_wait_for(lambda count=count: _jsonl_points(run_dir) >= count, 10) for count in (1, 2, 3)]
    finally:
        process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read()
    logged = [json.loads(line) for line in (script.folder / "logged.txt").read_text().splitlines()]
    delays = [appeared - logged_at for appeared, logged_at in zip(seen, logged)]
    assert all(delay is not None and delay < 1.2 for delay in delays), delays
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["value"] for line in lines] == [1.0, 0.5, 1 / 3]
    assert json.loads((run_dir / "metrics.json").read_text())["loss"]["values"] == [1.0, 0.5, 1 / 3]


def test_output_reaches_cout_while_metrics_json_is_being_written(script):
    script.write("live.py", LIVE)
    run_dir = script.folder / "runs" / "1"
    process = script.start("live.py", "slow-metrics-write", "-F", "runs", "--beat-interval", "1")
    try:
        appeared = _wait_for(lambda: "printed during the metrics write" in
                             ((run_dir / "cout.txt").read_text() if (run_dir / "cout.txt").exists() else ""), 10)
    finally:
        process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read()
    printed = json.loads((script.folder / "printed.txt").read_text())
    assert appeared is not None and appeared - printed < 1.3, appeared and appeared - printed


def _peak_kib(script, megabytes: int) -> int:
    """Peak memory of a run printing ``megabytes`` MB (to /dev/null: the terminal's side is not measured)."""
    process = script.start("live.py", "huge-output", str(megabytes), "-F", "runs", stdout=subprocess.DEVNULL)
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    return int((script.folder / "peak.txt").read_text())


def test_printing_a_lot_keeps_the_runs_memory_bounded(script):
    script.write("live.py", LIVE)
    baseline = _peak_kib(script, 1)
    peak = _peak_kib(script, 150)
    with open(script.folder / "runs" / "2" / "cout.txt", "rb") as handle:
        assert sum(1 for line in handle if line == b"y" * 99 + b"\n") == 1_500_000
    print(f"peak {peak} KiB, baseline {baseline} KiB")
    assert (peak - baseline) / 1024 < 24, (peak, baseline)
