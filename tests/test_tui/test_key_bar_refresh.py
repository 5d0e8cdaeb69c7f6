"""Moving the cursor redraws the key bar only when the keys offered for the run change."""
from __future__ import annotations

import asyncio
from pathlib import Path

from sacred_tui.app import SacredTuiApp
from sacred_tui.screens.runs import RunsScreen
from tests.test_tui.tui_runs_factory import ago, write_run


def test_the_key_bar_is_redrawn_only_when_stop_comes_or_goes(tmp_path: Path) -> None:
    for run_id in ("1", "2", "3", "5"):
        write_run(tmp_path, run_id)
    write_run(tmp_path, "4", status="RUNNING", stopped=None, heartbeat=ago(1))

    async def walk() -> list[tuple[str | None, bool | None, int]]:
        app = SacredTuiApp(tmp_path)
        seen = []
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(300):
                if isinstance(app.screen, RunsScreen) and app.screen.table.row_count == 5:
                    break
                await pilot.pause(0.02)
            screen = app.screen
            assert isinstance(screen, RunsScreen)
            refreshes = 0
            real = screen.refresh_bindings

            def counted() -> None:
                nonlocal refreshes
                refreshes += 1
                real()

            screen.refresh_bindings = counted  # type: ignore[method-assign]
            screen.table.move_cursor(row=0)
            await pilot.pause()
            for _ in range(4):  # 5 (top, newest first), 4 (running), 3, 2, 1
                await pilot.press("down")
                await pilot.pause()
                seen.append((screen.table.current_run_id, app.check_action("stop_run", ()), refreshes))
        return seen

    seen = asyncio.run(walk())
    assert [(run_id, offered) for run_id, offered, _count in seen] == [
        ("4", True), ("3", False), ("2", False), ("1", False)]
    counts = [count for _run_id, _offered, count in seen]
    assert counts[1] == counts[0] + 1  # stop went away: redrawn once
    assert counts[3] == counts[1]  # finished to finished: not redrawn


def test_a_run_screen_shows_its_keys_redraws_them_only_on_change_and_a_click_presses_one(
        tmp_path: Path) -> None:
    from sacred_tui.screens.run_detail import RunDetailScreen
    from sacred_tui.widgets.key_bar import KeyBar
    from tests.test_tui.screen_text import screen_lines

    write_run(tmp_path, "1")

    async def open_run() -> tuple[str, int, bool]:
        app = SacredTuiApp(tmp_path)
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(300):
                if isinstance(app.screen, RunsScreen) and app.screen.table.row_count == 1:
                    break
                await pilot.pause(0.02)
            await pilot.press("enter")
            for _ in range(300):
                if isinstance(app.screen, RunDetailScreen) and app.screen.is_mounted:
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.5)  # its files read, its tabs focused
            bottom = screen_lines(app)[-1]
            bar = app.screen.query_one(KeyBar)
            redraws = 0
            real = bar.refresh

            def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
                nonlocal redraws
                redraws += 1
                return real(*args, **kwargs)

            bar.refresh = counted  # type: ignore[method-assign]
            for _ in range(5):  # the same keys each time
                app.screen.refresh_bindings()
                await pilot.pause()
            same_keys_redraws = redraws
            back = next(key for key in bar.shown_keys if key.description == "Back")
            await pilot.click(KeyBar, offset=(back.start + 1, 0))
            for _ in range(100):
                if not isinstance(app.screen, RunDetailScreen):
                    break
                await pilot.pause(0.02)
            return bottom, same_keys_redraws, isinstance(app.screen, RunsScreen)

    bottom, redraws, back_on_runs = asyncio.run(open_run())
    assert " esc Back " in bottom and " r Re-run " in bottom and bottom.rstrip().endswith("^p palette")
    assert redraws == 0  # Textual's footer rebuilt all its key widgets on each of these
    assert back_on_runs  # the click on "esc Back" pressed escape
