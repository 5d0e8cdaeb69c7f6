"""Provides the launcher's editing widgets: an ordered word list and a KEY=VALUE input with completion."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pprint import pformat
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from sacred_tui.data.config_diff import is_encoded_leaf
from sacred_tui.data.format import plain_value
from sacred_tui.data.visible_text import visible

__all__ = ["OrderedList", "UpdateInput", "UpdateSuggester", "suggestions_for"]


def suggestions_for(config: Mapping[str, Any]) -> list[str]:
    """``key=<default>`` completions for every dotted key: leaves first, then whole dicts."""
    leaves: list[str] = []
    dicts: list[str] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key in sorted(node, key=str):
            if key == "__doc__":
                continue
            value = node[key]
            path = f"{prefix}{key}"
            if isinstance(value, Mapping) and value and not is_encoded_leaf(value):
                dicts.append(f"{path}={pformat(plain_value(value), width=10_000)}")
                walk(value, path + ".")
            else:
                # A numpy array completes to the list of its values: what the command line takes.
                leaves.append(f"{path}={pformat(plain_value(value), width=10_000)}")

    walk(config, "")
    return leaves + dicts


class UpdateSuggester(Suggester):
    """Completes a config key to ``key=<its current value>`` from a list that can change."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.completions: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        if "=" in value:
            key = value.partition("=")[0]
            exact = next((c for c in self.completions if c.startswith(key + "=")), None)
            return exact if exact is not None and exact.startswith(value) else None
        return next((c for c in self.completions if c.startswith(value)), None)


class UpdateInput(Input):
    """An Input where Tab accepts the completion (and moves on when there is none).

    Enter hands the text over in an ``Entered`` message and empties the field at once, in the
    same step as the key: keys typed right after Enter (a fast paste through tmux) start the next
    update instead of joining this one. A pasted block of several lines is handed over
    whole (a plain Input keeps only its first line).
    """

    BINDINGS = [Binding("tab", "complete", "Complete the key", show=False)]

    class Entered(Message):
        """Text to add as one or more updates."""

        def __init__(self, field: UpdateInput, text: str) -> None:
            super().__init__()
            self.field = field
            self.text = text

        @property
        def control(self) -> UpdateInput:
            return self.field

    async def action_submit(self) -> None:
        text = self.value
        self.value = ""
        self.post_message(self.Entered(self, text))

    async def _on_key(self, event: events.Key) -> None:
        # Enter is taken here, in turn with the keys around it: as a binding its action would run
        # only after the keys typed behind it (a fast paste) had already landed in this field.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    def _on_paste(self, event: events.Paste) -> None:
        if "\n" in event.text.strip("\r\n"):
            event.prevent_default()
            event.stop()
            self.post_message(self.Entered(self, self.value + event.text))
            self.value = ""

    def action_complete(self) -> None:
        """Take the suggested completion, or move focus on like Tab elsewhere."""
        suggestion = self._suggestion
        if suggestion and suggestion != self.value and suggestion.startswith(self.value):
            self.value = suggestion
            self.cursor_position = len(suggestion)
        else:
            self.screen.focus_next()


class OrderedList(OptionList):
    """A list of words whose order matters: move them with ctrl+↑/↓ (or [ ]), remove with Delete."""

    BINDINGS = [
        Binding("ctrl+up,left_square_bracket", "move(-1)", "Move up"),
        Binding("ctrl+down,right_square_bracket", "move(1)", "Move down"),
        Binding("delete,backspace,minus", "remove", "Remove"),
    ]

    class Changed(Message):
        """The words (or their order) changed."""

        def __init__(self, ordered: OrderedList) -> None:
            super().__init__()
            self.ordered = ordered

        @property
        def control(self) -> OrderedList:
            return self.ordered

    def __init__(self, describe: Callable[[str], Text] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.words: list[str] = []
        self._describe = describe or (lambda word: Text(visible(word)))

    def set_words(self, words: Iterable[str], highlight: int | None = None) -> None:
        """Show ``words`` (keeping the highlight where it was unless told)."""
        previous = self.highlighted
        self.words = list(words)
        self.set_options(Option(self._describe(word)) for word in self.words)
        index = highlight if highlight is not None else previous
        if self.words:
            self.highlighted = min(max(index or 0, 0), len(self.words) - 1)
        # Posted from this widget's own turn: a message created while a parent handles an event
        # counts as sent by that parent and would stop bubbling there.
        self.call_later(self._announce)

    def _announce(self) -> None:
        self.post_message(self.Changed(self))

    def add_word(self, word: str) -> None:
        """Append a word."""
        self.set_words([*self.words, word], highlight=len(self.words))

    def replace_word(self, index: int, word: str) -> None:
        """Put ``word`` in place of the word at ``index``."""
        words = list(self.words)
        words[index] = word
        self.set_words(words, highlight=index)

    def action_move(self, step: int) -> None:
        """Move the highlighted word up (-1) or down (1)."""
        index = self.highlighted
        if index is None or not 0 <= index + step < len(self.words):
            return
        words = list(self.words)
        words[index], words[index + step] = words[index + step], words[index]
        self.set_words(words, highlight=index + step)

    def action_remove(self) -> None:
        """Remove the highlighted word."""
        index = self.highlighted
        if index is None or not self.words:
            return
        words = list(self.words)
        del words[index]
        self.set_words(words, highlight=min(index, len(words) - 1))
