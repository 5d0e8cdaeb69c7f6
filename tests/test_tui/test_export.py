"""Export: the headless command gives the table's values; the E key writes the shown table."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from textual.widgets import Input

from sacred_tui.cli import main
from sacred_tui.data.columns import column_for
from sacred_tui.data.format import format_number
from sacred_tui.data.run_management import save_tags, set_archived
from sacred_tui.data.store import RunStore
from sacred_tui.screens.notes_dialogs import LineDialog
from test_runs_app import SIZE, loaded, make_app, until
from tui_runs_factory import copy_reference_runs, write_run

FILTER = "status=COMPLETED and config.lr<0.1"
COLUMNS = ["id", "status", "config.lr", "config.optim", "metric.loss.min", "tags"]


def make_folder(root: Path) -> Path:
    statuses = ["COMPLETED", "FAILED", "COMPLETED", "INTERRUPTED"]
    for number in range(1, 25):
        lr = [0.3, 0.05, 0.001234567891234, 1e-5][number % 4]
        loss = [1 / (number + step) for step in range(5)]
        write_run(root, str(number), status=statuses[number % 3], config={"lr": lr, "optim": "sgd" if number % 2
                  else "adam, \"beta\"", "seed": number}, metrics={"loss": loss})
    write_run(root, "special", config={"lr": 0.01, "optim": "x"}, metrics={"loss": [math.nan]})
    rows = {row.run_id: row for row in RunStore(root).load_all()}
    save_tags(root, [rows["2"], rows["6"]], (), "baseline x")
    set_archived(root, ["10"], True)
    return root


def export(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["export", *args]) == 0
    return capsys.readouterr().out


async def test_headless_csv_holds_the_values_the_table_shows(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    runs = make_folder(tmp_path / "runs")
    text = export(capsys, str(runs), "--filter", FILTER, "--columns", ",".join(COLUMNS), "--sort=-id")
    records = list(csv.DictReader(io.StringIO(text)))
    assert list(records[0]) == COLUMNS
    app = make_app(runs)
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        await until(pilot, lambda: not app.store.pending)
        screen = app.screen
        screen._set_extra_columns(COLUMNS[2:5])  # the table's own column picker result
        await pilot.press("slash")
        screen.query_one("#filter", Input).value = FILTER
        await pilot.press("enter")
        await pilot.pause()
        shown = table.visible_ids()
        assert [record["id"] for record in records] == shown  # same runs, same order (newest first)
        assert "10" not in shown and "special" in shown  # archived runs are left out in both
        for record in records:
            for key in COLUMNS:
                cell = table.get_cell(record["id"], key).plain
                value = record[key]
                if key in ("config.lr", "metric.loss.min") and value not in ("", "NaN"):
                    assert format_number(float(value)) == cell, (record["id"], key)
                elif key == "tags":
                    assert value == (cell if cell != "–" else "")
                else:
                    assert value == (cell if cell != "–" else ""), (record["id"], key)
    # CSV keeps full precision where the table shortens.
    assert any(record["config.lr"] == "0.001234567891234" for record in records)
    assert next(record for record in records if record["id"] == "special")["metric.loss.min"] == ""


def test_json_markdown_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = make_folder(tmp_path / "runs")
    data = json.loads(export(capsys, str(runs), "--filter", "tag=baseline", "--columns", "id,tags,config.lr",
                             "--format", "json"))
    assert data == [{"id": "2", "tags": ["baseline", "x"], "config.lr": 0.001234567891234},
                    {"id": "6", "tags": ["baseline", "x"], "config.lr": 0.001234567891234}]
    archived = json.loads(export(capsys, str(runs), "--filter", "archived=true", "--archived", "--columns", "id",
                                 "--format", "json"))
    assert archived == [{"id": "10"}]
    markdown = export(capsys, str(runs), "--filter", "id=special", "--columns", "id,config.optim,metric.loss.last",
                      "--format", "markdown")
    assert markdown.splitlines() == ["| ID | optim | loss (last) |", "| --- | --- | --- |", "| special | x | nan |"]
    target = tmp_path / "out.md"
    assert main(["export", str(runs), "--columns", "id", "-o", str(target)]) == 0
    assert target.read_text().startswith("| ID |")
    assert "Wrote 24 of 25 runs to" in capsys.readouterr().err
    for args, message in [(["--format", "xls"], "use csv, json or md"),
                          (["--columns", "id,config.lrr"], "no run has the config key 'lrr'"),
                          (["--columns", "id,metric.los.min"], "no run logged a metric 'los'"),
                          (["--filter", "status="], "expected a value"),
                          (["--filter", "config.optimm=x"], "no run has a config key 'optimm'; did you mean config.optim?"),
                          (["--columns", "bogus"], "Unknown column 'bogus'")]:
        with pytest.raises(SystemExit) as exit_info:
            main(["export", str(runs), *args])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


async def test_export_key_writes_the_shown_table_and_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    runs = copy_reference_runs(tmp_path / "runs")
    monkeypatch.chdir(tmp_path)
    app = make_app(runs)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot)
        monkeypatch.setattr(app.screen, "notify", lambda message, **kw: notes.append(message))
        await pilot.press("slash")
        app.screen.query_one("#filter", Input).value = "status=FAILED"
        await pilot.press("enter")
        await pilot.press("E")
        assert isinstance(app.screen, LineDialog)
        field = app.screen.query_one(Input)
        assert field.value.startswith(str(tmp_path / "runs-")) and field.value.endswith(".csv")
        field.value = str(tmp_path / "table.xlsx")
        await pilot.press("enter")
        assert "should end in .csv, .json or .md" in str(app.screen.query_one("#line-hint").render())
        field.value = str(tmp_path / "failed.md")
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "failed.md").exists())
        assert notes[-1] == f"Wrote 2 runs to {tmp_path / 'failed.md'}"
        lines = (tmp_path / "failed.md").read_text().splitlines()
        labels = [column_for(spec.key).label for spec in table.specs]
        assert lines[0] == "| " + " | ".join(labels) + " |"
        assert [line.split(" | ")[0] for line in lines[2:]] == ["| 8", "| 2"]  # as shown: newest first
        await pilot.press("E")
        app.screen.query_one(Input).value = str(tmp_path / "failed.md")
        await pilot.press("enter")
        assert "exists already" in str(app.screen.query_one("#line-hint").render())


def test_plain_records_render_in_every_format() -> None:
    from sacred_tui.data.export import render_records

    records = [{"group": "g1", "runs": "1 2", "loss.mean": 0.123456789, "loss.std": None, "tags": ["a", "b"]}]
    keys = ["group", "runs", "loss.mean", "loss.std"]
    assert render_records(records, keys, "csv") == "group,runs,loss.mean,loss.std\ng1,1 2,0.123456789,\n"
    assert json.loads(render_records(records, keys, "json")) == [
        {"group": "g1", "runs": "1 2", "loss.mean": 0.123456789, "loss.std": None}]
    assert render_records(records, keys, "md").splitlines()[2] == "| g1 | 1 2 | 0.123457 | – |"
