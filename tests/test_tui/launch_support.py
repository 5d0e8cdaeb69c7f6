"""Helpers of the launcher pilot tests: apps that launch a tiny experiment, waiting, reading runs."""
from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from sacred_tui.app import SacredTuiApp
from sacred_tui.data.launcher import LaunchedRun
from sacred_tui.screens.launch import LaunchScreen
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.screens.runs import RunsScreen

DATA = Path(__file__).parent.parent / "data" / "launch"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(DATA / "tiny_exp.py", folder / "tiny_exp.py"))


_APPS: list[SacredTuiApp] = []


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Kill what a failing test launched, so no experiment outlives the test run."""
    yield
    for app in _APPS:
        for launch in app.launch_flow.launcher.launches:
            if launch.process is not None and launch.process.poll() is None:
                launch.process.kill()
                launch.process.wait(5)
    _APPS.clear()


def make_app(tmp_path: Path, *scripts: Path) -> SacredTuiApp:
    app = SacredTuiApp(tmp_path / "runs", poll=True, poll_interval=0.1, safety_interval=0.5,
                       liveness_interval=1.0)
    app.configure_launching(scripts, sys.executable, log_dir=tmp_path / "logs")
    _APPS.append(app)
    return app


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], what: str,
                   timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            screen = pilot.app.screen
            extra = ""
            if isinstance(screen, LaunchScreen):
                extra = f" for={screen.preview_for} current={screen.current_spec()} err={screen.preview_error}"
            extra += f" (showing {type(screen).__name__})"
            raise AssertionError(f"timed out waiting for {what}{extra}")
        await pilot.pause(0.05)


def config_of(tmp_path: Path, run_id: str) -> dict:
    return json.loads((tmp_path / "runs" / run_id / "config.json").read_text())


def status_of(tmp_path: Path, run_id: str) -> str:
    return json.loads((tmp_path / "runs" / run_id / "run.json").read_text())["status"]


def asked(app: SacredTuiApp) -> bool:
    """A question is showing, its text mounted (a pushed screen composes a moment later)."""
    from sacred_tui.screens.launch_dialogs import ChoiceScreen

    return isinstance(app.screen, ChoiceScreen) and bool(app.screen.query("#dialog-text"))


def plain(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


async def composer(pilot: Pilot[None], key: str = "L") -> LaunchScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen), "the runs table")
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LaunchScreen), "the composer")
    screen = pilot.app.screen
    assert isinstance(screen, LaunchScreen)
    await wait_for(pilot, lambda: screen.interface or screen.interface_error, "the script's interface")
    return screen


async def preview_ready(pilot: Pilot[None], screen: LaunchScreen) -> None:
    await wait_for(pilot, lambda: screen.preview_for == screen.current_spec(), "the config preview")


async def type_update(pilot: Pilot[None], screen: LaunchScreen, text: str) -> None:
    field = screen.query_one("#update-input", Input)
    field.focus()
    field.value = text
    await pilot.press("enter")


async def launched_detail(pilot: Pilot[None], run_id: str) -> RunDetailScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen.run_id == run_id,
                   f"the detail of run {run_id}")
    detail = app.screen
    assert isinstance(detail, RunDetailScreen)

    def loaded() -> bool:
        found = detail.query("#detail-header")
        return bool(found) and "loading" not in plain(found.first(Static))

    await wait_for(pilot, loaded, f"run {run_id} to load")
    await wait_for(pilot, lambda: detail.tabs_built, f"the tabs of run {run_id}")
    return detail


async def ended(pilot: Pilot[None], launch: LaunchedRun) -> None:
    await wait_for(pilot, lambda: launch.exit_code is not None, f"launch #{launch.number} to end", 15)


def span_style(text: Text, fragment: str) -> str:
    start = text.plain.index(fragment)
    return " ".join(str(span.style) for span in text.spans if span.start <= start < span.end)
