"""Opening the run screen: the overview drawn first, the other tabs built right after it, and nothing
broken by keys, leaving or quitting while they are being built, or by slow files."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from textual.app import App

from sacred_tui.data.run_detail_data import RunDetailSource, RunDetailUpdate
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.config_view import ConfigView, ValueTree
from sacred_tui.widgets.log_tail import LogTail, StdoutPane
from sacred_tui.widgets.sources_view import SourcesView

from detail_support import REFERENCE, DetailApp, make_run, settle
from test_run_detail_screen import tree_labels


async def test_keys_pressed_as_the_screen_opens_and_leaving_at_once_work() -> None:
    """The tabs other than the overview get their widgets just after the first paint: a tab key
    pressed before that still shows its tab, focused and filled; leaving at once breaks nothing."""
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")  # as soon as the screen takes keys
        await settle(pilot, 0.3)
        screen = app.screen
        assert isinstance(screen, RunDetailScreen) and screen.active_tab == "tab-stdout"
        log = screen.query_one(LogTail)
        assert log.has_focus and log.line_count > 0
        for pause in (0, 0, 0.005, 0.01, 0.02, 0.03, 0.05):  # open, and leave before the tabs are filled
            opened = RunDetailScreen(REFERENCE, "1", poll_interval=0.1)
            app.push_screen(opened)
            while not opened.is_mounted:
                await asyncio.sleep(0)
            await asyncio.sleep(pause)
            await pilot.press("escape")
        await settle(pilot, 0.3)
        assert app.screen is screen and screen.active_tab == "tab-stdout"


class _TakenAwayAsItFills(RunDetailScreen):
    """A run screen the app removes (as Back or another screen does), or the app quits, while the
    widgets of its other tabs are being mounted, after ``turns`` turns of the event loop."""

    def __init__(self, turns: int, quit_app: bool = False) -> None:
        super().__init__(REFERENCE, "1", poll_interval=0.05)
        self.turns, self.quit_app = turns, quit_app

    async def _mount_panes(self) -> None:
        for _ in range(200):  # the run's first files read and held, as on a busy machine
            if self._held:
                break
            await asyncio.sleep(0.005)
        await super()._mount_panes()

    def _pane_widgets(self):  # type: ignore[override]
        widgets = super()._pane_widgets()
        self.run_worker(self._pop_soon(), exclusive=False)
        return widgets

    async def _pop_soon(self) -> None:
        for _ in range(self.turns):
            await asyncio.sleep(0)
        if self.quit_app:
            self.app.exit()
        else:
            self.app.pop_screen()


async def test_screen_removed_while_its_tabs_fill_breaks_nothing() -> None:
    """Textual mounts nothing into a screen being removed, so a tab's widget can be left without its
    own children: neither it nor the screen may then fail, and the next run screen works whole."""
    app = DetailApp(REFERENCE, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 0.2)
        base = app.screen
        for turns in range(16):
            taken = _TakenAwayAsItFills(turns)
            app.push_screen(taken)
            for _ in range(400):
                if app.screen is base and not taken.is_attached:
                    break
                await asyncio.sleep(0.005)
            assert app.screen is base and not taken.is_attached, turns
        await pilot.press("4")
        await settle(pilot, 0.3)
        assert base.active_tab == "tab-stdout" and base.query_one(LogTail).line_count > 0


class _QuitsAsItFills(App[None]):
    def __init__(self, turns: int) -> None:
        super().__init__()
        self.turns = turns

    def on_mount(self) -> None:
        self.push_screen(_TakenAwayAsItFills(self.turns, quit_app=True))


async def test_app_quitting_while_the_tabs_fill_breaks_nothing() -> None:
    """Quitting right after a run screen opened (its tabs still being filled) ends cleanly."""
    for turns in range(10):
        app = _QuitsAsItFills(turns)
        async with app.run_test(size=(120, 40)):  # raises what the app raised
            for _ in range(400):
                if not app.is_running:
                    break
                await asyncio.sleep(0.005)
        assert app.return_code in (0, None), turns


async def test_the_screen_is_drawn_before_the_other_tabs_are_built() -> None:
    """The first frame comes before the other tabs get their widgets (building them takes most of
    the screen's opening); they come without a key, and show what was read meanwhile."""
    frames: list[tuple[bool, bool]] = []
    app = DetailApp(REFERENCE, "1")
    display = app._display

    def watching(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, RunDetailScreen):
            frames.append((screen._record is not None, bool(screen.query(StdoutPane))))

    app._display = watching
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 0.3)
        assert frames[0][1] is False and frames[-1] == (True, True)
        assert app.screen.query_one(LogTail).line_count > 0


class _FirstReadWaits(RunDetailSource):
    """The run's files as read from a slow disk: the first read waits until ``go`` is set."""

    def __init__(self, folder: Path, run_id: str) -> None:
        super().__init__(folder, run_id)
        self.go = threading.Event()

    def poll(self) -> RunDetailUpdate:
        self.go.wait(30)
        return super().poll()


class _SlowReadApp(App[None]):
    def __init__(self, source: RunDetailSource) -> None:
        super().__init__()
        self.source = source

    def on_mount(self) -> None:
        self.push_screen(RunDetailScreen(None, "1", poll_interval=0.1, source=self.source))


async def test_tabs_are_built_while_the_run_is_still_being_read(tmp_path: Path) -> None:
    """A run whose files take long to read gets its tabs' widgets all the same, and what the files
    say is shown in them once read."""
    make_run(tmp_path, cout="hello from the run\n")
    source = _FirstReadWaits(tmp_path, "1")
    app = _SlowReadApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, RunDetailScreen) and screen._record is None
        assert screen.query(StdoutPane) and screen.query(ConfigView) and screen.query(SourcesView)
        source.go.set()
        await settle(pilot, 0.3)
        await pilot.press("4")
        assert screen._record is not None and "hello from the run" in screen.query_one(LogTail).lines
        assert "lr" in tree_labels(screen.query_one("#config-tree", ValueTree))
