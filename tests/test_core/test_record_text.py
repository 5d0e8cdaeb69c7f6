"""run.json's text with its fixed entries encoded once equals encoding the whole record each time."""
from __future__ import annotations

import numpy as np

from core.config.values import dumps
from core.observers.record_text import RecordText


def test_the_spliced_text_equals_dumps_while_the_record_changes() -> None:
    experiment = {"name": "x", "sources": [["a.py", "1" * 32]], "dependencies": ["numpy==1"], "base_dir": "/p"}
    record = {"experiment": experiment, "host": {"hostname": "h", "cpu": "é", "gpus": {"n": 0}},
              "status": "RUNNING", "heartbeat": None, "artifacts": [], "meta": {"options": {"--x": True}}}
    text = RecordText()
    assert text.encode(record) == dumps(record)
    record.update(status="COMPLETED", result={"arr": np.arange(3), "t": (1, 2)}, artifacts=["m.pt"])
    assert text.encode(record) == dumps(record)
    assert text.encode({}) == dumps({}) and text.encode({1: 2}) == dumps({1: 2})


def test_fixed_entries_of_later_runs_get_their_own_text() -> None:
    """The text of a fixed entry is reused from an earlier run only for the same data down to the types."""
    variants = [{"os": ["Linux", "x"], "n": 1}, {"os": ["Linux", "x"], "n": 1}, {"os": ("Linux", "x"), "n": 1},
                {"os": ["Linux", "x"], "n": True}, {"os": ["Linux", "x"], "n": 1.0}, {"os": ["Linux", "x"], "n": 1},
                {"os": ["Linux", "x"], "n": np.int64(1)}, {"os": ["Linux", "y"], "n": 1}]
    for host in variants:
        record = {"host": host, "experiment": {"name": "x", "sources": [], "n": host["n"]}, "status": "RUNNING",
                  "meta": {"config_updates": {"n": host["n"]}, "options": {"--x": host["os"]}}}
        text = RecordText()
        assert text.encode(record) == dumps(record)
        record["meta"]["config_updates"]["n"] = 2  # meta changed during the run
        record["status"] = "COMPLETED"
        assert text.encode(record) == dumps(record)
