"""The liveness rule: RUNNING runs without signs of life become probably dead, and revive."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sacred_tui.data.liveness import (ALIVE, DEAD, NOT_APPLICABLE, assess,
                                      beat_interval_from_options, grace_period, liveness_sentence,
                                      run_duration, status_words)
from sacred_tui.data.processes import ProcessInfo, own_start_ticks

NOW = datetime(2026, 6, 1, 12, 0, 0)
NOW_EPOCH = (NOW - datetime(1970, 1, 1)).total_seconds()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def judge(status: str = "RUNNING", *, heartbeat_ago: float | None = None, start_ago: float = 3600,
          write_ago: float | None = None, beat: float = 10.0, **kwargs: object):
    return assess(status,
                  heartbeat=None if heartbeat_ago is None else NOW - timedelta(seconds=heartbeat_ago),
                  start=NOW - timedelta(seconds=start_ago),
                  last_write=None if write_ago is None else NOW_EPOCH - write_ago,
                  beat_interval=beat, now=NOW_EPOCH, **kwargs)  # type: ignore[arg-type]


def test_liveness_only_judges_running_runs() -> None:
    assert judge("COMPLETED", heartbeat_ago=10_000) is NOT_APPLICABLE
    assert judge("QUEUED") is NOT_APPLICABLE


def test_liveness_recent_heartbeat_is_alive() -> None:
    assert judge(heartbeat_ago=20).state == ALIVE


def test_liveness_old_heartbeat_is_probably_dead_with_reason() -> None:
    result = judge(heartbeat_ago=7 * 60)
    assert result.state == DEAD
    assert result.dead
    assert result.reason == "no heartbeat for 7 min"
    assert result.silent_for == "7 min"


def test_liveness_grace_is_three_beats_but_at_least_a_minute() -> None:
    assert grace_period(10) == 60
    assert grace_period(1) == 60
    assert grace_period(30) == 90
    assert judge(heartbeat_ago=80, beat=30).state == ALIVE
    assert judge(heartbeat_ago=100, beat=30).state == DEAD
    assert judge(heartbeat_ago=59, beat=1).state == ALIVE


def test_liveness_without_heartbeat_uses_the_start_time() -> None:
    assert judge(start_ago=30).state == ALIVE
    result = judge(start_ago=3 * 3600)
    assert result.state == DEAD
    assert result.reason == "no sign of life since start for 3 h"


def test_liveness_revives_when_files_are_written_again() -> None:
    assert judge(heartbeat_ago=600).state == DEAD
    assert judge(heartbeat_ago=600, write_ago=5).state == ALIVE


def test_liveness_with_heartbeat_disabled_cannot_tell() -> None:
    result = judge(heartbeat_ago=None, start_ago=10_000, beat=0)
    assert result.state == ALIVE
    assert result.reason == "heartbeat disabled"


def test_liveness_process_gone_on_this_host() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    result = judge(heartbeat_ago=1, pid=child.pid, hostname=socket.gethostname())
    assert result.state == DEAD
    assert result.reason == f"process {child.pid} has exited"
    # The same pid on another host says nothing about that process.
    assert judge(heartbeat_ago=1, pid=child.pid, hostname="elsewhere").state == ALIVE


def test_beat_interval_from_options() -> None:
    assert beat_interval_from_options({"--beat-interval": None}) == 10.0
    assert beat_interval_from_options({"--beat-interval": "0.5"}) == 0.5
    assert beat_interval_from_options({"--beat-interval": 3}) == 3.0
    assert beat_interval_from_options({"--beat-interval": "fast"}) == 10.0
    assert beat_interval_from_options(None) == 10.0


def test_liveness_status_with_stray_whitespace_is_judged() -> None:
    result = judge("RUNNING\n", heartbeat_ago=7 * 60)
    assert result.dead and result.reason == "no heartbeat for 7 min"


def test_liveness_heartbeat_in_the_future_is_clock_skew_judged_by_file_times() -> None:
    future = -(973 * 365 * 86400.0)  # year 2999
    quiet = judge(heartbeat_ago=future, write_ago=7 * 60)
    assert quiet.dead
    assert quiet.reason.startswith("heartbeat ") and "in the future: clock skew?" in quiet.reason
    assert quiet.reason.endswith("no file written for 7 min")
    busy = judge(heartbeat_ago=future, write_ago=5)
    assert busy.state == ALIVE and "clock skew?" in busy.reason
    # Nothing else to go by: alive, saying why it cannot tell more.
    unknown = judge(heartbeat_ago=future, start_ago=future)
    assert unknown.state == ALIVE and "clock skew?" in unknown.reason


def test_liveness_heartbeat_in_the_future_falls_back_to_the_process() -> None:
    import os
    import time

    now = time.time()
    mine = ProcessInfo(os.getpid(), socket.gethostname(), None, own_start_ticks())
    result = assess("RUNNING", heartbeat=datetime(2999, 1, 1), start=_utc(now - 5),
                    last_write=None, beat_interval=10, now=now, process=mine)
    assert result.state == ALIVE
    assert "clock skew?" in result.reason and f"process {os.getpid()} is running" in result.reason


def test_liveness_silent_but_running_process_is_not_dead() -> None:
    import os
    import time

    now = time.time()
    mine = ProcessInfo(os.getpid(), socket.gethostname(), None, own_start_ticks())
    result = assess("RUNNING", heartbeat=_utc(now - 630),
                    start=_utc(now - 700), last_write=None, beat_interval=10,
                    now=now, process=mine)
    assert result.state == ALIVE
    assert result.reason == f"no heartbeat for 10 min; process {os.getpid()} is running"


def test_duration_of_a_dead_run_ends_at_its_last_heartbeat_from_run_json() -> None:
    dead = judge(heartbeat_ago=600, start_ago=900)
    start, beat = NOW - timedelta(seconds=900), NOW - timedelta(seconds=600)
    assert run_duration("RUNNING", start, None, beat, dead, NOW_EPOCH) == 300
    assert run_duration("RUNNING", start, None, None, judge(start_ago=900), NOW_EPOCH) is None
    assert run_duration("COMPLETED", start, NOW, beat, NOT_APPLICABLE, NOW_EPOCH) == 900
    assert run_duration("RUNNING", start, None, beat, judge(heartbeat_ago=5), NOW_EPOCH) == 900
    assert status_words("RUNNING", dead) == "DEAD? 10 min"
    assert liveness_sentence(dead) == "probably dead: no heartbeat for 10 min"
