"""Provides the launcher form's sections: named configs, config updates and run options.

Each section owns its widgets and validation and tells its screen about edits by messages
(OrderedList.Changed for the word lists, OptionsForm.Changed for the options).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from sacred_tui.data.launch_spec import CAPTURE_MODES, check_word, malformed_value, split_updates
from sacred_tui.data.script_interface import Documented
from sacred_tui.widgets.launch_inputs import OrderedList, UpdateInput, UpdateSuggester, suggestions_for
from sacred_tui.widgets.marked_selection import MarkedCheckbox
from sacred_tui.data.visible_text import visible

__all__ = ["FORM_OPTIONS", "NamedConfigPicker", "OptionsForm", "UpdatesEditor"]

FORM_OPTIONS = ("--comment", "--name", "--beat-interval", "--capture", "--force")
"""The options the form edits; others (from a re-run) are passed along as they are."""


class NamedConfigPicker(Vertical):
    """The script's named configs with their docs, and the chosen ones in the order they apply."""

    DEFAULT_CSS = """
    NamedConfigPicker { height: auto; }
    NamedConfigPicker #named-available { height: auto; max-height: 8; }
    NamedConfigPicker #named-chosen { height: auto; max-height: 6; min-height: 3; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.available: list[Documented] | None = None

    def compose(self) -> ComposeResult:
        yield Label("Named configs · Enter adds one", classes="section")
        yield OptionList(id="named-available")
        yield Label("Applied in this order · [ ] or ctrl+↑/↓ move · Delete removes", classes="section")
        yield OrderedList(self._describe, id="named-chosen")

    @property
    def words(self) -> list[str]:
        """The chosen named configs, in order."""
        return self.query_one(OrderedList).words

    def set_words(self, words: Sequence[str]) -> None:
        """Choose these named configs."""
        self.query_one(OrderedList).set_words(words)

    def show_available(self, named: list[Documented] | None) -> None:
        """List the script's named configs (None while unknown)."""
        self.available = named
        options = self.query_one("#named-available", OptionList)
        options.clear_options()
        if named is not None:
            options.add_options(Option(Text.assemble((visible(n.name), "bold"), ("  " + visible(n.first_line), "dim")),
                                       id=n.name)
                                for n in named)
            if named:
                options.highlighted = 0
            else:
                options.add_option(Option(Text("This script has no named configs.", style="dim"),
                                          disabled=True))
        chosen = self.query_one(OrderedList)
        chosen.set_words(chosen.words)

    def _describe(self, name: str) -> Text:
        text = Text(visible(name), style="bold")
        if self.available is None:
            return text
        doc = next((item for item in self.available if item.name == name), None)
        if doc is None:
            text.append("  (not a named config of this script: a config file?)", style="yellow")
        elif doc.first_line:
            text.append(f"  {visible(doc.first_line)}", style="dim")
        return text

    @on(OptionList.OptionSelected, "#named-available")
    def _added(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = event.option.id
        chosen = self.query_one(OrderedList)
        if name is None:
            return
        if name in chosen.words:
            self.notify(f"{name} is chosen already.", timeout=2)
            return
        chosen.add_word(name)


class UpdatesEditor(Vertical):
    """``KEY=VALUE`` updates: typed with completion of known keys, checked as typed, listed."""

    DEFAULT_CSS = """
    UpdatesEditor { height: auto; }
    UpdatesEditor #update-status { height: auto; }
    UpdatesEditor #updates-list { height: auto; max-height: 6; min-height: 3; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suggester = UpdateSuggester()
        self.known_keys: set[str] | None = None

    def compose(self) -> ComposeResult:
        yield Label("Config updates KEY=VALUE · Enter adds · Tab completes · Enter on one edits it",
                    classes="section")
        yield UpdateInput(id="update-input", placeholder="e.g. lr=0.1 or opts.momentum=0.9",
                          suggester=self.suggester)
        yield Static(id="update-status", markup=False)
        yield OrderedList(id="updates-list")

    @property
    def words(self) -> list[str]:
        """The updates, in order."""
        return self.query_one(OrderedList).words

    def set_words(self, words: Sequence[str]) -> None:
        """Show these updates."""
        self.query_one(OrderedList).set_words(words)

    def set_known(self, config: Mapping[str, Any] | None, keys: Sequence[str] | None) -> None:
        """Complete and check keys against the script's default config (None while unknown)."""
        self.suggester.completions = suggestions_for(config) if config is not None else []
        self.known_keys = set(keys) if keys is not None else None

    def add(self, text: str) -> bool:
        """Add an update (replacing one with the same key); False when it is not valid."""
        why = check_word(text, named=False)
        if why is not None:
            self.notify(why, severity="error", title="Config update")
            return False
        updates = self.query_one(OrderedList)
        key = text.partition("=")[0].strip()
        same = [i for i, word in enumerate(updates.words) if word.partition("=")[0].strip() == key]
        if same:
            updates.replace_word(same[0], text)
        else:
            updates.add_word(text)
        return True

    @on(Input.Changed, "#update-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        status = self.query_one("#update-status", Static)
        words = split_updates(event.value)
        if len(words) > 1:
            status.update(Text(f"Enter adds {len(words)} updates: {', '.join(words)}", style="dim"))
            return
        text = words[0] if words else ""
        why = check_word(text, named=False) if "=" in text else None
        if why is None and "=" in text:
            why = malformed_value(text)
        if why is not None:
            status.update(Text(visible(why), style="red"))
        elif "=" in text and self.known_keys is not None and \
                text.partition("=")[0].strip() not in self.known_keys:
            status.update(Text("A new key: it is added to the config (the preview tells whether the "
                               "script allows that).", style="dark_orange3"))
        else:
            status.update("")

    @on(UpdateInput.Entered)
    def _entered(self, event: UpdateInput.Entered) -> None:
        """Add every update in the entered (or pasted) text; what is refused goes back to the field."""
        event.stop()
        refused = [word for word in split_updates(event.text) if not self.add(word)]
        field = event.field
        if refused and not field.value:
            field.value = " ".join(refused)
            field.cursor_position = len(field.value)

    @on(OptionList.OptionSelected, "#updates-list")
    def _edit(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        updates = self.query_one(OrderedList)
        word = updates.words[event.option_index]
        updates.action_remove()
        field = self.query_one(UpdateInput)
        field.value = word
        field.focus()


class OptionsForm(Vertical):
    """Comment, name, beat interval, capture mode and force; other options are shown and kept."""

    DEFAULT_CSS = """
    OptionsForm { height: auto; }
    OptionsForm #options-row { height: auto; }
    OptionsForm #options-row Input { width: 1fr; }
    OptionsForm #opt-capture { width: 24; }
    """

    class Changed(Message):
        """An option was edited."""

    def __init__(self, options: Mapping[str, str | bool] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = dict(options or {})
        self.initial = options
        self.extra = {name: value for name, value in options.items() if name not in FORM_OPTIONS}

    def compose(self) -> ComposeResult:
        options = self.initial
        yield Label("Options", classes="section")
        with Horizontal(id="options-row"):
            yield Input(str(options.get("--comment") or ""), id="opt-comment", placeholder="comment (-c)")
            yield Input(str(options.get("--name") or ""), id="opt-name", placeholder="name (-n)")
            yield Input(str(options.get("--beat-interval") or ""), id="opt-beat", placeholder="beat s (-b)")
            yield Select([(f"capture {mode}", mode) for mode in CAPTURE_MODES], id="opt-capture",
                         prompt="capture: default", value=options.get("--capture") or Select.NULL)
        yield MarkedCheckbox("-f force: skip the added / type-changed checks", bool(options.get("--force")),
                       id="opt-force")
        extra = " ".join(name if value is True else f"{name}={value}" for name, value in self.extra.items())
        yield Static(Text(visible(f"Also passed: {extra}"), style="dim") if extra else "", id="extra-options",
                     markup=False)

    def set_options(self, options: Mapping[str, str | bool]) -> None:
        """Show these options (e.g. a composition being reopened)."""
        self.extra = {name: value for name, value in options.items() if name not in FORM_OPTIONS}
        for name, widget_id in (("--comment", "#opt-comment"), ("--name", "#opt-name"),
                                ("--beat-interval", "#opt-beat")):
            self.query_one(widget_id, Input).value = str(options.get(name) or "")
        capture = options.get("--capture")
        self.query_one("#opt-capture", Select).value = capture if capture in CAPTURE_MODES else Select.NULL
        self.query_one("#opt-force", Checkbox).value = bool(options.get("--force"))
        extra = " ".join(name if value is True else f"{name}={value}" for name, value in self.extra.items())
        self.query_one("#extra-options", Static).update(Text(visible(f"Also passed: {extra}"), style="dim") if extra else "")

    def options(self) -> dict[str, str | bool]:
        """The options as LaunchSpec takes them (long names; True for switches)."""
        chosen: dict[str, str | bool] = {}
        for name, widget_id in (("--comment", "#opt-comment"), ("--name", "#opt-name"),
                                ("--beat-interval", "#opt-beat")):
            value = self.query_one(widget_id, Input).value.strip()
            if value:
                chosen[name] = value
        capture = self.query_one("#opt-capture", Select).value
        if isinstance(capture, str) and capture:
            chosen["--capture"] = capture
        if self.query_one("#opt-force", Checkbox).value:
            chosen["--force"] = True
        chosen.update(self.extra)
        return chosen

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _edited(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed())
