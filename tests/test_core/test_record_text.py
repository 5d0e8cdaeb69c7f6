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
