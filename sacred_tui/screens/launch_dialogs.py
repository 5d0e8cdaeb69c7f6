"""Provides the launcher's dialogs: confirm, choose among buttons, pick a script file."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from sacred_tui.data.visible_text import visible, visible_block

__all__ = ["ChoiceScreen", "ScriptPickerScreen", "ScriptTree"]

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 110; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; padding: 0 0 1 0; }}
{name} .dialog-body {{ height: auto; max-height: 30; }}
{name} .dialog-buttons {{ height: auto; padding: 1 0 0 0; }}
{name} .dialog-buttons Button {{ margin: 0 1 0 0; }}
"""


class ChoiceScreen(ModalScreen[str | None]):
    """A question with a few answers as buttons; dismisses with the chosen answer's id (None: Esc)."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ChoiceScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("left", "app.focus_previous", "Previous answer", show=False),
        Binding("right", "app.focus_next", "Next answer", show=False),
    ]

    def __init__(self, title: str, body: Text | str, choices: Sequence[tuple[str, str, str]],
                 focus: str | None = None) -> None:
        """``choices`` are ``(id, label, variant)``; the first (or ``focus``) has the focus."""
        super().__init__()
        self.title_text = title
        self.body = body
        self.choices = list(choices)
        self.focus_id = focus or (self.choices[0][0] if self.choices else None)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(visible(self.title_text)), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                body = Text(visible_block(self.body)) if isinstance(self.body, str) else self.body
                yield Static(body, markup=False, id="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                for choice_id, label, variant in self.choices:
                    yield Button(label, id=f"choice-{choice_id}", variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        if self.focus_id:
            self.query_one(f"#choice-{self.focus_id}", Button).focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

    @classmethod
    def confirm(cls, title: str, body: Text | str, yes: str = "Yes", no: str = "Cancel",
                danger: bool = False) -> ChoiceScreen:
        """A yes/no question; dismisses with ``"yes"``, ``"no"`` or None."""
        return cls(title, body, [("yes", yes, "error" if danger else "primary"), ("no", no, "default")])


class ScriptTree(DirectoryTree):
    """A directory tree that shows folders and Python files only (hidden entries left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")
                and (path.suffix == ".py" or _is_dir(path))]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class ScriptPickerScreen(ModalScreen[Path | None]):
    """Pick an experiment script from the disk; scripts outside the named folders need a yes."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ScriptPickerScreen") + """
    ScriptPickerScreen > Vertical { height: 85%; }
    ScriptPickerScreen ScriptTree { height: 1fr; }
    ScriptPickerScreen #picker-path { margin: 0 0 1 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("backspace", "parent", "Parent folder"),
    ]

    def __init__(self, start: Path, is_trusted: Callable[[Path], bool]) -> None:
        super().__init__()
        self.start = start
        self.is_trusted = is_trusted

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Pick an experiment script (Enter on a .py file; Backspace: parent folder)",
                        classes="dialog-title")
            yield Input(str(self.start), id="picker-path",
                        placeholder="folder or script path (Enter: go there)")
            yield ScriptTree(self.start, id="picker-tree")

    def on_mount(self) -> None:
        self.query_one(ScriptTree).focus()

    @on(Input.Submitted, "#picker-path")
    def _path_typed(self, event: Input.Submitted) -> None:
        path = Path(event.value).expanduser()
        if path.is_file():
            self._choose(path.absolute())
        elif path.is_dir():
            self._show(path.absolute())
        else:
            self.notify(f"{event.value!r} is neither a folder nor a file.", severity="error",
                        title="Pick a script")

    def _show(self, folder: Path) -> None:
        tree = self.query_one(ScriptTree)
        tree.path = folder
        self.query_one("#picker-path", Input).value = str(folder)
        tree.focus()

    def action_parent(self) -> None:
        """Show the folder above."""
        self._show(Path(self.query_one(ScriptTree).path).absolute().parent)

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self._choose(Path(event.path).absolute())

    def _choose(self, path: Path) -> None:
        if self.is_trusted(path):
            self.dismiss(path)
            return
        body = Text.assemble(
            (str(path), "bold"), "\nis outside the folders you named (the runs folder, --script "
            "paths and the scripts of known runs).\nLaunching it runs its code with your rights. "
            "Use it?")

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.dismiss(path)

        self.app.push_screen(ChoiceScreen.confirm("Use a script from elsewhere?", body, yes="Use it"), answered)

    def action_cancel(self) -> None:
        """Close without a script."""
        self.dismiss(None)
