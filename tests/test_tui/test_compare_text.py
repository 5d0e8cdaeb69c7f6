"""Tests of the text diff of two runs: captured output and sources, large and broken files."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from core.runs.stored import StoredRun
from sacred_tui.data.compare_text import (STDOUT, DiffLine, TextSide, diff_texts, read_side, read_text_tail,
                                          source_names, summary)

REFERENCE = Path(__file__).parent.parent / "data" / "reference_runs" / "runs"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A writable copy of the Sacred 0.8.7 reference runs."""
    target = tmp_path / "runs"
    shutil.copytree(REFERENCE, target)
    return target


def test_stdout_diff_of_two_reference_runs(runs: Path) -> None:
    a = read_side(StoredRun(runs, "1"), STDOUT)
    b = read_side(StoredRun(runs, "myrun"), STDOUT)
    result = diff_texts(a, b)
    assert [line.kind for line in result.lines[:3]] == ["file", "file", "hunk"]
    assert result.lines[0].text == "--- run 1: cout.txt" and result.lines[1].text == "+++ run myrun: cout.txt"
    removed = [line.text for line in result.lines if line.kind == "removed"]
    added = [line.text for line in result.lines if line.kind == "added"]
    assert "-INFO - ref_exp - Started run with ID \"1\"" in removed
    assert "+INFO - renamed - Started run with ID \"myrun\"" in added
    assert " starting exp-3" in [line.text for line in result.lines if line.kind == "context"]
    assert (result.added, result.removed) == (len(added), len(removed)) == (4, 4)
    assert not result.identical
    assert summary(result, ["run 1", "run myrun"]) == "run 1 → run myrun: +4 −4 lines"


def test_identical_sources_and_the_source_list(runs: Path) -> None:
    first, queued = StoredRun(runs, "1"), StoredRun(runs, "6")
    assert source_names([first, queued]) == ["helper_module.py", "ref_experiment.py"]
    result = diff_texts(read_side(first, "ref_experiment.py"), read_side(queued, "ref_experiment.py"))
    assert result.identical and [line.kind for line in result.lines] == ["note"]
    assert result.lines[0].text.startswith("identical (") and summary(result, ["a", "b"]) == "a → b: identical"


def test_changed_source_file_diff(runs: Path) -> None:
    source_dir = runs / "_sources"
    stored = next(source_dir.glob("helper_module_*.py"))
    original = stored.read_text()
    other = StoredRun(runs, "6")   # queued: its copy lives in the run directory
    (runs / "6" / "helper_module.py").write_text(original + "EXTRA = 1\n")
    result = diff_texts(read_side(StoredRun(runs, "1"), "helper_module.py"), read_side(other, "helper_module.py"))
    assert [line.text for line in result.lines if line.kind == "added"] == ["+EXTRA = 1"]
    assert result.removed == 0


def test_missing_files_become_notes_not_errors(runs: Path) -> None:
    (runs / "9" / "cout.txt").unlink()
    result = diff_texts(read_side(StoredRun(runs, "1"), STDOUT), read_side(StoredRun(runs, "9"), STDOUT))
    assert [line.kind for line in result.lines] == ["note"]
    assert result.lines[0].text == "run 9: cout.txt: cout.txt does not exist"
    for stored in (runs / "_sources").glob("ref_experiment_*.py"):
        stored.unlink()
    side = read_side(StoredRun(runs, "1"), "ref_experiment.py")
    assert side.lines is None and side.problem is not None and "missing" in side.problem
    unknown = read_side(StoredRun(runs, "1"), "nothing.py")
    assert unknown.problem == "run 1 recorded no source file 'nothing.py'"


def test_progress_bars_compare_as_their_final_state(runs: Path) -> None:
    (runs / "7" / "cout.txt").write_text("  0%\r 10%\r 50%\r100%\ndone\n")
    (runs / "9" / "cout.txt").write_text("100%\ndone\n")
    a, b = read_side(StoredRun(runs, "7"), STDOUT), read_side(StoredRun(runs, "9"), STDOUT)
    assert a.lines == ["100%", "done"]
    assert diff_texts(a, b).identical


def test_only_the_tail_of_a_large_file_is_read_from_a_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("".join(f"line {i}\n" for i in range(100_000)))
    text, skipped, problem = read_text_tail(path, max_bytes=1000)
    assert problem is None and skipped > 0
    lines = text.splitlines()
    assert lines[0].startswith("line ") and lines[-1] == "line 99999"
    assert path.read_bytes()[skipped:].decode() == text
    with pytest.raises(ValueError, match="max_bytes must be at least 1, got 0"):
        read_text_tail(path, 0)


def test_tail_notes_and_cut_diffs() -> None:
    a = TextSide("A", [f"a{i}" for i in range(500)], skipped_bytes=1234)
    b = TextSide("B", [f"b{i}" for i in range(500)])
    result = diff_texts(a, b, max_lines=50)
    assert result.lines[0] == DiffLine(
        "note", "A: only the last part is compared (1,234 bytes before it are left out)")
    assert len(result.lines) == 51 and result.lines[-1].kind == "note"
    assert result.lines[-1].text == "diff cut at 50 lines (1,000 changed lines in all)"
    assert (result.added, result.removed) == (500, 500)


def test_lines_that_look_like_headers_are_classified_by_position() -> None:
    result = diff_texts(TextSide("A", ["--x", "same"]), TextSide("B", ["++y", "same"]))
    assert [(line.kind, line.text) for line in result.lines[3:5]] == [("removed", "---x"), ("added", "+++y")]


def test_diff_of_a_large_output_is_fast_enough() -> None:
    base = [f"step {i} loss {i * 0.001:.4f}" for i in range(40_000)]
    changed = list(base)
    for i in range(0, 40_000, 997):
        changed[i] += " !"
    started = time.thread_time()
    result = diff_texts(TextSide("A", base), TextSide("B", changed))
    assert result.added == result.removed == len(range(0, 40_000, 997))
    assert time.thread_time() - started < 5.0
