"""Tests for the backspace/linefeed filter."""
from __future__ import annotations

import random
import time

import pytest

from core.output_filter import apply_backspaces_and_linefeeds


def reference_filter(text: str) -> str:
    """Character-by-character statement of the filter's semantics, used as the oracle."""
    lines = text.split("\n")
    rendered = []
    for line_index, line in enumerate(lines):
        chars: list[str] = []
        cursor = 0
        for char_index, char in enumerate(line):
            final_cr = char == "\r" and line_index == len(lines) - 1 and char_index == len(line) - 1
            if char == "\r" and not final_cr:
                cursor = 0
            elif char == "\b":
                cursor = max(0, cursor - 1)
            else:
                if final_cr:
                    cursor = len(chars)
                if cursor == len(chars):
                    chars.append(char)
                else:
                    chars[cursor] = char
                cursor += 1
        rendered.append("".join(chars))
    return "\n".join(rendered)


@pytest.mark.parametrize(("raw", "expected"), [
    ("progress 0" + "\b9", "progress 9"),
    ("a\rb", "b"),
    ("abc\rx", "xbc"),
    ("x\r", "x\r"),
    ("ab\r\r", "ab\r"),
    ("ab\rc\r", "cb\r"),
    ("\n\r", "\n\r"),
    ("\b\bab", "ab"),
    ("ab\b\bc", "cb"),
    ("12345\r\b\bab", "ab345"),
    ("abc\r\ndef", "abc\ndef"),
    ("line1\rL\nline2\r", "Line1\nline2\r"),
    ("spin |\b/\b-\b\\\bdone", "spin done"),
    ("", ""),
    ("plain text\nno controls\n", "plain text\nno controls\n"),
])
def test_filter_examples(raw: str, expected: str) -> None:
    assert apply_backspaces_and_linefeeds(raw) == expected


def test_filter_collapses_reference_run_progress_bar() -> None:
    # stdout of reference run 9 (real Sacred 0.8.7, progress bar drawn with end="\r")
    raw = ("starting exp-3\nhelper says 42\nresource first line: line one\n"
           "progress 0%\rprogress 50%\rprogress 100%\rdone.         \n")
    assert apply_backspaces_and_linefeeds(raw) == (
        "starting exp-3\nhelper says 42\nresource first line: line one\ndone.         \n")


def test_filter_matches_character_semantics_on_random_text() -> None:
    rng = random.Random(1234)
    for _ in range(3000):
        text = "".join(rng.choice("ab\r\b\n") for _ in range(rng.randrange(0, 30)))
        assert apply_backspaces_and_linefeeds(text) == reference_filter(text), repr(text)


def test_filter_is_fast_on_ten_megabytes_of_progress_bars() -> None:
    block = "".join(f"\r{i:3d}%|{'#' * (i // 10):<10}| {i}/100" for i in range(101))
    spinner = "working " + "|\b/\b-\b\\\b" * 20 + "ok"
    text = ((block + "\n" + spinner + "\n") * (10_000_000 // (len(block) + len(spinner) + 2) + 1))
    assert len(text) >= 10_000_000
    started = time.thread_time()
    result = apply_backspaces_and_linefeeds(text)
    elapsed = time.thread_time() - started
    first, second = result.split("\n")[:2]
    assert first == "100%|##########| 100/100"
    assert second == "working ok"
    assert elapsed < 3.0, f"filtering 10 MB took {elapsed:.2f} s"
