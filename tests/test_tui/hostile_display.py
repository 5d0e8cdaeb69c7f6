"""Runs whose every string carries terminal escapes and markup, and a check of what the app draws."""
from __future__ import annotations

import json
import re
from pathlib import Path

from textual.app import App

# An OSC title change, a screen clear, a C1 CSI, a BEL, a bidi override and Textual markup that
# would raise if parsed. "PWN" marks where hostile text is shown.
EVIL = "\x1b]0;PWN\x07\x1b[2J\x9b31m\u202e[/]PWN"
EVIL_JSON = EVIL + "\ud800"
"""Also a lone surrogate (legal in JSON, not encodable in UTF-8)."""
EVIL_ID = "\x1b]0;PWN\x07\x1b[2J[bold]PWN"
"""A run folder name (no C1 or bidi: kept short so it still fits the table)."""

_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*[mH]|\x1b\[\?25[lh]")
"""What Textual itself writes in a screen update: colours (SGR) and cursor moves."""
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def make_hostile_runs(root: Path) -> list[str]:
    """Two hostile runs (one numeric id, one hostile id) with every kind of run data; returns the ids."""
    (root / "_sources").mkdir(parents=True)
    source_name = f"src_{EVIL_ID}_0123.py"
    (root / "_sources" / source_name).write_text(f"print('{EVIL}')\n")
    ids = []
    for run_id in ("1", EVIL_ID):
        run_dir = root / run_id
        run_dir.mkdir()
        record = {
            "status": "FAILED", "command": EVIL_JSON,
            "start_time": "2026-01-01T10:00:00", "stop_time": "2026-01-01T10:05:00",
            "experiment": {"name": EVIL_JSON, "mainfile": f"{EVIL_ID}.py", "base_dir": EVIL_JSON,
                           "sources": [[f"{EVIL_ID}.py", f"_sources/{source_name}"]],
                           "repositories": [{"url": EVIL_JSON, "commit": EVIL_JSON, "dirty": True}],
                           "dependencies": [EVIL_JSON]},
            "meta": {"command": EVIL_JSON, "comment": EVIL_JSON, "named_configs": [EVIL_JSON],
                     "config_updates": {EVIL_JSON: EVIL_JSON}, "options": {"--name": EVIL_JSON}},
            "host": {"hostname": EVIL_JSON, "os": [EVIL_JSON], "python_version": EVIL_JSON,
                     "cpu": EVIL_JSON, "ENV": {EVIL_JSON: EVIL_JSON}},
            "fail_trace": [f"Traceback {EVIL_JSON}\n", f"ValueError: {EVIL_JSON}\n"],
            "result": {EVIL_JSON: EVIL_JSON},
            "artifacts": [f"{EVIL_ID}.txt", "table.csv", "data.json", f"/etc/{EVIL_ID}"],
            "resources": [],
        }
        (run_dir / "run.json").write_text(json.dumps(record))
        (run_dir / "config.json").write_text(json.dumps({EVIL_JSON: EVIL_JSON, "nested": {EVIL_JSON: 1},
                                                         "seed": 1, "__doc__": EVIL_JSON}))
        (run_dir / "info.json").write_text(json.dumps({EVIL_JSON: {EVIL_JSON: EVIL_JSON}}))
        (run_dir / "metrics.json").write_text(json.dumps(
            {EVIL_JSON: {"steps": [0, 1, 2], "values": [1.0, 0.5, 0.25], "timestamps": ["", "", ""]}}))
        (run_dir / "cout.txt").write_text(f"start {EVIL}\n\x1b[31mred\x1b[0m {EVIL}\nlast {EVIL}")
        (run_dir / f"{EVIL_ID}.txt").write_text(f"text {EVIL}\n")
        (run_dir / "table.csv").write_text(f"a,{EVIL}\n1,{EVIL}\n")
        (run_dir / "data.json").write_text(json.dumps({EVIL: EVIL}))
        ids.append(run_id)
    return ids


def terminal_output(app: App[object]) -> str:
    """What the app would write to the terminal for the current screen (a full redraw)."""
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "" if update is None else update.render_segments(app.console)  # type: ignore[union-attr]


def raw_controls(output: str) -> list[str]:
    """Control characters in the output that Textual did not write itself (each with context)."""
    text = _OWN_SEQUENCES.sub("", output)
    return [repr(text[max(0, m.start() - 20):m.end() + 20]) for m in _CONTROL.finditer(text)]
