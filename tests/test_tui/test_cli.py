"""The sacred-tui command line: defaults, --version, --poll and clear errors for bad arguments."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sacred_tui import cli
from sacred_tui.app import SacredTuiApp


def run_main(monkeypatch: pytest.MonkeyPatch, *argv: str) -> SacredTuiApp:
    started: list[SacredTuiApp] = []
    monkeypatch.setattr(SacredTuiApp, "run", lambda self, *a, **k: started.append(self))
    assert cli.main(list(argv)) == 0
    (app,) = started
    return app


def test_cli_defaults_to_my_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    app = run_main(monkeypatch)
    assert app.runs_dir == Path("my_runs")
    assert app.poll is False


def test_cli_takes_a_folder_and_poll(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = run_main(monkeypatch, str(tmp_path), "--poll", "--poll-interval", "0.5")
    assert app.runs_dir == tmp_path
    assert app.poll is True
    assert app._poll_interval == 0.5


def test_cli_rejects_a_file_as_runs_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "runs.txt"
    not_a_folder.write_text("x")
    with pytest.raises(SystemExit) as info:
        cli.main([str(not_a_folder)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "RUNS_DIR must be a folder of runs" in err and "runs.txt" in err


def test_cli_rejects_a_bad_poll_interval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([str(tmp_path), "--poll-interval", "0"])
    assert "--poll-interval must be a positive number of seconds, got 0.0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([str(tmp_path), "--poll-interval", "soon"])
    assert "invalid float value: 'soon'" in capsys.readouterr().err


def test_cli_version_through_python_m() -> None:
    done = subprocess.run([sys.executable, "-m", "sacred_tui", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("sacred-tui ")
    assert cli.package_version() in done.stdout
