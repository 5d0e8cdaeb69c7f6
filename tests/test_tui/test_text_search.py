"""Search in Stdout, Sources and Config (/ n N, regex, highlights) and the traceback key in Stdout."""
from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Input

from detail_support import REFERENCE, DetailApp, settle
from sacred_tui.data.text_search import (compile_search, find_matches, next_line, next_match,
                                         traceback_lines)
from sacred_tui.screens.run_detail import RunDetailScreen
from sacred_tui.widgets.config_view import ConfigView
from sacred_tui.widgets.log_tail import LogTail
from sacred_tui.widgets.sources_view import SourcesView
from sacred_tui.widgets.text_search_state import CURRENT_STYLE, MATCH_STYLE

TRACE = ["Traceback (most recent call last):", '  File "train.py", line 3, in main', "ValueError: bad"]
COUT = "\n".join([f"epoch {n} loss {1 / n:.3f}" for n in range(1, 60)] + TRACE
                 + [f"retry {n}" for n in range(40)] + TRACE + ["done"]) + "\n"


def test_search_helpers() -> None:
    lines = ["Loss 1", "loss 2 loss", "acc"]
    pattern = compile_search("loss")
    assert pattern is not None and [(m.line, m.start) for m in find_matches(lines, pattern)] == [
        (0, 0), (1, 0), (1, 7)]
    assert len(find_matches(lines, compile_search("Loss"))) == 1  # a capital makes it case-sensitive
    broken = compile_search("loss[")
    assert broken is not None and broken.literal and find_matches(["a loss[ b"], broken)[0].start == 2
    matches = find_matches(lines, pattern)
    assert next_match(matches, None, 1) == 1 and next_match(matches, 2, 0) == 0  # wraps
    assert next_match(matches, None, 1, forward=False) == 2 and next_match(matches, 0, 0, False) == 2
    assert traceback_lines(["x", "Traceback (most recent call last):", "y"]) == [1]
    assert next_line([5, 9], 5) == 9 and next_line([5, 9], 9) == 5 and next_line([], 0) is None


def spans(view: LogTail, line: int) -> list[tuple[int, int, str]]:
    strip = view.render_line(line - int(view.scroll_y))
    styled, offset = [], 0
    for segment in strip:
        background = segment.style.bgcolor if segment.style is not None else None
        if background is not None and background.name in ("yellow", "dark_goldenrod"):
            styled.append((offset, offset + len(segment.text), str(segment.style.bgcolor.name)))
        offset += len(segment.text)
    return styled


async def test_stdout_search_highlights_jumps_and_finds_tracebacks(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(REFERENCE, runs)
    (runs / "2" / "cout.txt").write_text(COUT)  # run 2 failed under real Sacred
    app = DetailApp(runs, "2")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        view = app.screen.query_one("#stdout-log", LogTail)
        assert view.following
        await pilot.press("slash")
        await pilot.press(*"epoch 1\\d")  # a regular expression
        status = app.screen.query_one("#search-status")
        assert "10 matches for 'epoch 1\\d'" in str(status.render())
        await pilot.press("enter")
        await settle(pilot)
        assert not view.following and view.search.current == 0
        assert int(view.scroll_y) <= 9 < int(view.scroll_y) + view.size.height  # epoch 10 is line 9
        assert spans(view, 9) == [(0, 8, "yellow")]  # the current match, brighter
        await pilot.press("n")
        assert "2/10" in str(status.render())
        assert [name for *_, name in spans(view, 9)] == ["dark_goldenrod"]
        await pilot.press("N", "N")
        assert "10/10" in str(status.render())  # wraps backwards
        await pilot.press("escape")  # on the text: nothing to drop, n still works? Esc leaves the screen
        assert not isinstance(app.screen, RunDetailScreen)
    app = DetailApp(runs, "2")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        view = app.screen.query_one("#stdout-log", LogTail)
        await pilot.press("T")
        assert int(view.scroll_y) == 59
        await pilot.press("T")
        assert int(view.scroll_y) == min(102, view.max_scroll_y)
        assert view.lines[102].startswith("Traceback")
        await pilot.press("T")
        assert int(view.scroll_y) == 59  # wraps to the first
        await pilot.press("slash", *"loss[")
        assert "not a valid regular expression" in str(app.screen.query_one("#search-status").render())
        await pilot.press("escape")
        assert isinstance(app.screen, RunDetailScreen)  # Esc in the search field stops searching only
        assert view.search.pattern is None and not app.screen.query_one("#search-status").display


async def test_sources_and_config_search(tmp_path: Path) -> None:
    app = DetailApp(REFERENCE, "2")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        sources = app.screen.query_one(SourcesView)
        await pilot.press("slash", *"def ", "enter")
        await settle(pilot)
        assert sources.search.matches and sources.search.current == 0
        first = sources.search.matches[0]
        assert sources.shown_lines()[first.line][first.start:first.end] == "def "
        syntax = app.screen.query_one("#sources-text").content
        styles = [str(span.style) for span in syntax._stylized_ranges]
        assert CURRENT_STYLE in styles and (len(sources.search.matches) == 1 or MATCH_STYLE in styles)

        await pilot.press("2")
        await settle(pilot)
        config = app.screen.query_one(ConfigView)
        assert not app.screen.query_one("#search-status").display  # each tab has its own search
        await pilot.press("slash", *"flag", "enter")
        await settle(pilot)
        assert len(config.search.matches) == 1
        assert config.tree.cursor_node is not None and config.tree.cursor_node.data == "opts.nested.flag"
        label = config.tree.cursor_node.label
        assert any(str(span.style) == CURRENT_STYLE for span in label.spans)
        assert app.screen.active_tab == "tab-config"
        await pilot.press("slash")
        field = app.screen.query_one("#search-bar", Input)
        assert field.value == "flag"
