"""The Config tab compares a run with its experiment's defaults, asked of the script itself."""
from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.style import Style
from textual.widgets import Static

from core.runs import RunsFolder
from detail_support import DetailApp, settle, static_text
from launch_support import DATA, make_app, wait_for
from sacred_tui.data.defaults_probe import script_defaults
from sacred_tui.screens.runs import RunsScreen
from sacred_tui.widgets import change_styles
from sacred_tui.widgets.config_view import ValueTree
from tui_runs_factory import copy_reference_runs


def labels_of(tree: ValueTree) -> dict[str, str]:
    found: dict[str, str] = {}
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        found[str(node.data)] = node.label.plain
        stack.extend(node.children)
    return found


def styles_of(tree: ValueTree) -> dict[str, str]:
    found: dict[str, str] = {}
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        key_spans = [span for span in node.label.spans if span.start == 0]
        found[str(node.data)] = str(key_spans[0].style) if key_spans else ""
        stack.extend(node.children)
    return found


def run_script(script: Path, runs: Path, *words: str) -> None:
    done = subprocess.run([sys.executable, script.name, *words, "-F", str(runs)], cwd=script.parent,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_modified_is_an_explicit_blue_not_the_palette_blue() -> None:
    color = Style.parse(change_styles.MODIFIED).color
    assert color is not None and not color.is_system_defined  # the palette's blue is drawn purple
    red, green, blue = color.get_truecolor()
    assert blue > 200 and blue > red + 100 and blue > green


async def test_config_tab_marks_updates_and_named_configs_against_the_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    script = Path(shutil.copy(DATA / "tiny_exp.py", folder / "tiny_exp.py"))
    runs = tmp_path / "runs"
    run_script(script, runs, "with", "fast", "msg='hi'", "opts.a=1")
    app = DetailApp(runs, "1")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        legend = static_text(app.screen.query_one("#config-legend", Static))
        assert "compared with the experiment's defaults (from the script)" in legend
        tree = app.screen.query_one("#config-tree", ValueTree)
        labels, styles = labels_of(tree), styles_of(tree)
        assert styles["msg"] == change_styles.MODIFIED and "(default 'hello')" in labels["msg"]
        assert styles["steps"] == change_styles.MODIFIED and "(default 3)  set by fast" in labels["steps"]
        assert styles["delay"] == change_styles.MODIFIED and "set by fast" in labels["delay"]
        # Given but equal to the default: not a change. The seed differs from run to run: not marked.
        assert styles["opts.a"] == "" and styles["opts"] == "" and styles["seed"] == ""
        assert "# the text main prints (as repr)" in labels["msg"]


async def test_config_defaults_come_from_the_stored_sources_when_the_script_changed_or_moved(
        tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    script = Path(shutil.copy(DATA / "tiny_exp.py", folder / "tiny_exp.py"))
    runs = tmp_path / "runs"
    run_script(script, runs, "with", "steps=5")
    script.write_text(script.read_text().replace("steps = 3", "steps = 5"))
    for expected in ("the run's stored sources (the script changed since the run)",
                     "the run's stored sources (the script is gone)"):
        app = DetailApp(runs, "1")
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            legend = static_text(app.screen.query_one("#config-legend", Static))
            assert f"compared with the experiment's defaults (from {expected})" in legend
            tree = app.screen.query_one("#config-tree", ValueTree)
            assert "(default 3)" in labels_of(tree)["steps"]  # the defaults as they were then
        shutil.rmtree(folder, ignore_errors=True)  # the second time: the script is gone


async def test_config_falls_back_and_says_why_when_the_script_cannot_answer(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    script = Path(shutil.copy(DATA / "tiny_exp.py", folder / "tiny_exp.py"))
    runs = tmp_path / "runs"
    run_script(script, runs, "with", "steps=5")
    script.write_text("raise SystemExit('this script is broken now')\n")
    shutil.rmtree(runs / "_sources")
    app = DetailApp(runs, "1")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        legend = static_text(app.screen.query_one("#config-legend", Static))
        assert "the experiment's defaults are unknown" in legend
        assert "could not tell them: The script failed: this script is broken now" in legend
        assert "keys given on the command line" in legend
        styles = styles_of(app.screen.query_one("#config-tree", ValueTree))
        assert styles["steps"] == change_styles.MODIFIED


async def test_a_run_of_a_script_built_with_sacred_is_compared_with_the_defaults_save_config_tells(
        tmp_path: Path) -> None:
    pytest.importorskip("sacred")
    folder = tmp_path / "exp"
    folder.mkdir()
    script = Path(shutil.copy(DATA / "sacred_exp.py", folder / "sacred_exp.py"))
    runs = tmp_path / "runs"
    run_script(script, runs, "with", "many", "note='changed'", "opts.depth=2")  # written by Sacred itself
    app = make_app(tmp_path)  # Sacred records no interpreter: the app's (--python) has Sacred
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.table.current_run_id == "1",
                       "run 1 in the table")
        await pilot.press("enter", "2")

        def legend() -> str:
            found = app.screen.query("#config-legend")
            return static_text(found.first(Static)) if found else ""

        await wait_for(pilot, lambda: "with Sacred's save_config" in legend(), "the defaults", 30)
        assert "compared with the experiment's defaults (from the script, with Sacred's save_config)" in legend()
        tree = app.screen.query_one("#config-tree", ValueTree)
        labels, styles = labels_of(tree), styles_of(tree)
        assert styles["steps"] == change_styles.MODIFIED and "(default 3)  set by many" in labels["steps"]
        assert styles["note"] == change_styles.MODIFIED and "(default 'plain')" in labels["note"]
        assert styles["opts.depth"] == "" and styles["seed"] == ""  # given but unchanged; drawn anew


def test_defaults_of_a_run_written_by_sacred_come_from_its_stored_sources_with_save_config(tmp_path: Path) -> None:
    """Real Sacred 0.8.7 wrote the run on another machine: its script folder does not exist here."""
    pytest.importorskip("sacred")
    stored = RunsFolder(copy_reference_runs(tmp_path / "runs")).run("1")
    found = script_defaults(stored.read_record(), stored, sys.executable)
    assert found.error == ""
    assert found.origin == "the run's stored sources (the script is gone), with Sacred's save_config"
    assert found.defaults is not None
    defaults = found.defaults.config
    assert (defaults["lr"], defaults["opts"]["momentum"], defaults["epochs"]) == (0.01, 0.9, 3)


def test_an_interpreter_without_sacred_is_named_as_the_reason(tmp_path: Path) -> None:
    stored = RunsFolder(copy_reference_runs(tmp_path / "runs")).run("1")
    bare = tmp_path / "python-without-site-packages"
    bare.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -S \"$@\"\n")
    bare.chmod(0o755)
    found = script_defaults(stored.read_record(), stored, str(bare))
    assert found.defaults is None
    assert found.error.startswith("the script is built with Sacred, and its save_config could not tell them: "
                                  "save_config failed: ModuleNotFoundError: No module named "), found.error
