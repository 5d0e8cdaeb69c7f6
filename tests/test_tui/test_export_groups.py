"""Export of seed groups: headless --group and E in the groups view, on runs written by Sacred 0.8.7."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from sacred_tui.cli import main
from sacred_tui.screens.groups import GroupsScreen
from sacred_tui.screens.notes_dialogs import LineDialog
from test_groups_app import loss_of, make_app, open_groups, result_of, runs, until  # noqa: F401


def test_headless_group_export_holds_numpy_statistics(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(runs), "--group", "--columns", "config.lr,metric.loss.last,result"]) == 0
    records = {record["group"]: record for record in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert records["g1"]["runs"] == "1 2 3" and records["g1"]["count"] == "3"
    results = [result_of(runs, run_id) for run_id in ("1", "2", "3")]
    assert float(records["g1"]["result.mean"]) == pytest.approx(np.mean(results), rel=1e-12)
    assert float(records["g1"]["result.std"]) == pytest.approx(np.std(results), rel=1e-12)
    losses = [loss_of(runs, run_id)[-1] for run_id in ("4", "5", "6")]
    assert float(records["g4"]["metric.loss.last.min"]) == min(losses)
    assert records["g4"]["config.lr"] != records["g1"]["config.lr"]
    assert main(["export", str(runs), "--group", "--ignore", "shuffle", "--format", "json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert len(groups) < 3  # the run that differed only by shuffle joins a group


async def test_export_key_in_the_groups_view(runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "groups.csv"
    async with make_app(runs).run_test(size=(150, 40)) as pilot:
        await open_groups(pilot)
        await pilot.press("E")
        assert isinstance(pilot.app.screen, LineDialog)
        pilot.app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: target.exists())
        assert isinstance(pilot.app.screen, GroupsScreen)
    assert main(["export", str(runs), "--group"]) == 0
    assert target.read_text() == capsys.readouterr().out  # the view's groups are the headless ones
