"""Tests of CapturedOutput: raw chunks in, final text and the unfinished line out, in bounded memory."""
from __future__ import annotations

import random

import pytest

from core.captured_output import TAIL_CHARACTERS, CapturedOutput
from core.output_filter import apply_backspaces_and_linefeeds

OUT, ERR = 1, 2


def stored(output: CapturedOutput, chunks_per_feed: list[list[tuple[int, str]]]) -> str:
    """What an observer applying every change holds at the end."""
    final, unfinished, whole = "", "", None
    for chunks in chunks_per_feed:
        change = output.feed(chunks)
        if change is None:
            continue
        if change.whole is not None:
            whole = change.whole
            continue
        final += change.appended
        unfinished = change.unfinished
    return whole if whole is not None else final + unfinished


def test_one_stream_with_the_builtin_filter_equals_filtering_the_whole_text() -> None:
    rng = random.Random(7)
    for _ in range(400):
        feeds, whole = [], ""
        for _ in range(rng.randrange(1, 10)):
            chunk = "".join(rng.choice("xyz\r\b\n") for _ in range(rng.randrange(0, 9)))
            feeds.append([(OUT, chunk)] if chunk else [])
            whole += chunk
        output = CapturedOutput(apply_backspaces_and_linefeeds)
        assert stored(output, feeds) == apply_backspaces_and_linefeeds(whole), repr(whole)
        assert output.text == apply_backspaces_and_linefeeds(whole)


def test_a_log_line_during_a_progress_bar_gets_its_own_line_and_keeps_its_text() -> None:
    output = CapturedOutput(apply_backspaces_and_linefeeds)
    feeds = []
    for step in range(1, 31):
        chunks = [(OUT, f"\rtraining {step}/30 accuracy {0.9 + step / 10000:.4f}")]
        if step % 10 == 0:
            chunks.append((ERR, f"INFO - test accuracy {0.9 + step / 2000:.3f}\n"))
        feeds.append(chunks)
    feeds.append([(OUT, "\n"), (OUT, "done\n")])
    assert stored(output, feeds).splitlines() == [
        "training 10/30 accuracy 0.9010", "INFO - test accuracy 0.905",
        "training 20/30 accuracy 0.9020", "INFO - test accuracy 0.910",
        "training 30/30 accuracy 0.9030", "INFO - test accuracy 0.915",
        "", "done"]


def test_carriage_returns_of_one_stream_never_overwrite_the_other_streams_text() -> None:
    output = CapturedOutput(apply_backspaces_and_linefeeds)
    text = stored(output, [[(OUT, "long progress line 0.9055\r"), (ERR, "acc 0.905\n"), (OUT, "x\n")]])
    assert text == "long progress line 0.9055\nacc 0.905\nx\n"


def test_without_a_filter_the_raw_text_is_kept_in_order() -> None:
    output = CapturedOutput(None)
    chunks = [(OUT, "a\r"), (ERR, "log\n"), (OUT, "b\n")]
    change = output.feed(chunks)
    assert change is not None and change.appended == "a\rlog\nb\n" and change.unfinished == ""
    assert output.feed([]) is None


def test_a_custom_filter_gets_the_whole_raw_text_and_only_when_text_arrived() -> None:
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    output = CapturedOutput(upper)
    assert output.feed([(OUT, "ab")]) == ("", "", "AB")
    assert output.feed([]) is None
    assert output.feed([(ERR, "c")]).whole == "ABC"  # type: ignore[union-attr]
    assert calls == ["ab", "abc"] and output.text == "ABC"
    with pytest.raises(TypeError, match="captured_out_filter must return str, got int: 3"):
        CapturedOutput(len).feed([(OUT, "abc")])  # type: ignore[arg-type]


def test_memory_holds_a_tail_unless_the_whole_text_is_wanted() -> None:
    line = "x" * 99 + "\n"
    bounded, whole = CapturedOutput(None), CapturedOutput(apply_backspaces_and_linefeeds, keep_whole=True)
    for _ in range(5000):
        bounded.feed([(OUT, line * 10)])
        whole.feed([(OUT, line * 10)])
    assert len(bounded.text) <= 2 * TAIL_CHARACTERS and bounded.text.endswith(line)
    assert whole.text == line * 50000


def test_an_endless_line_does_not_grow_without_bound() -> None:
    output = CapturedOutput(apply_backspaces_and_linefeeds)
    appended = 0
    for _ in range(300):
        change = output.feed([(OUT, "." * 10000)])
        appended += len(change.appended)  # type: ignore[union-attr]
        assert len(change.unfinished) <= (1 << 20)  # type: ignore[union-attr]
    assert appended + len(output.feed([(OUT, "\n")]).appended) == 3_000_001  # type: ignore[union-attr]
