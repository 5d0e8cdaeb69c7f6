"""Provides SweepForm: the launcher's sweep section (swept keys, alternatives, seeds, where runs run).

Each swept key is typed as ``KEY=VALUES`` (a list, a range or a log range, as on the command
line) and listed with the values it expands to; named-config alternatives and the number of
seeds are single fields; the target is this machine (at most N at a time) or SLURM with its
options. The form only describes the sweep (:meth:`SweepForm.draft`); the screen expands and
checks it. Seeds are drawn when their number is set and kept until it changes or ``New seeds``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from sacred_tui.data.queued_runs import LOCAL, SLURM
from sacred_tui.data.run_queue import default_limit
from sacred_tui.data.slurm import SlurmError, SlurmOptions
from sacred_tui.data.sweep_spec import SweepAxis, SweepError, choose_seeds, parse_alternatives, parse_axis
from sacred_tui.data.sweep_submit import SweepTarget
from sacred_tui.data.visible_text import visible
from sacred_tui.widgets.launch_inputs import OrderedList

__all__ = ["SweepDraft", "SweepForm"]

_PREVIEW_VALUES = 6


@dataclass(frozen=True)
class SweepDraft:
    """What the sweep section holds: axes, alternatives, seeds, the target, and what is wrong."""

    axes: tuple[SweepAxis, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ((),)
    seeds: tuple[int, ...] = ()
    target: SweepTarget = field(default_factory=SweepTarget)
    problems: tuple[str, ...] = ()

    @property
    def is_sweep(self) -> bool:
        """True when this is more than an ordinary local launch."""
        return bool(self.axes or self.seeds or self.alternatives != ((),) or self.target.kind == SLURM)


def _axis_text(word: str) -> Text:
    try:
        axis = parse_axis(word)
    except SweepError as exc:
        return Text(visible(f"{word}  ✗ {exc}"), style="red")
    shown = ", ".join(axis.values[:_PREVIEW_VALUES]) + (" …" if len(axis.values) > _PREVIEW_VALUES else "")
    return Text.assemble((visible(axis.key), "bold"), visible(f" = {shown}"), (f"  ({len(axis.values)})", "dim"))


class SweepForm(Vertical):
    """The sweep section of the launcher; posts ``SweepForm.Changed`` on every edit."""

    DEFAULT_CSS = """
    SweepForm { height: auto; }
    SweepForm #sweep-axes { height: auto; max-height: 6; min-height: 2; }
    SweepForm .sweep-row { height: auto; }
    SweepForm .sweep-row Input { width: 1fr; }
    SweepForm #sweep-target { width: 24; }
    SweepForm #sweep-seeds { width: 14; }
    SweepForm #sweep-status, SweepForm #sweep-seed-list { height: auto; }
    SweepForm #sweep-slurm.-hidden, SweepForm #sweep-local.-hidden { display: none; }
    """

    class Changed(Message):
        """The sweep section was edited."""

    def __init__(self, remembered: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seeds: tuple[int, ...] = ()
        self.remembered = dict(remembered or {})

    def compose(self) -> ComposeResult:
        yield Label("Sweep · values per key × alternatives × seeds (one run: an ordinary launch)",
                    classes="section")
        yield Input(id="sweep-axis-input", placeholder="swept key: lr=0.01,0.1 · lr=1e-4..1e-1:4log · "
                    "steps=10..50:5 (Enter adds)")
        yield Static(id="sweep-status", markup=False)
        yield OrderedList(_axis_text, id="sweep-axes")
        yield Input(id="sweep-alternatives", placeholder="named-config alternatives: big,quick · ,big+hard")
        with Horizontal(classes="sweep-row"):
            yield Input(id="sweep-seeds", placeholder="× seeds", restrict=r"\d{0,4}")
            yield Button("New seeds", id="sweep-new-seeds")
        yield Static(id="sweep-seed-list", markup=False)
        with Horizontal(classes="sweep-row"):
            yield Select([("on this machine", LOCAL), ("on SLURM", SLURM)], id="sweep-target", allow_blank=False,
                         value=LOCAL)
            with Horizontal(id="sweep-local", classes="sweep-row"):
                yield Input(id="sweep-limit", placeholder=f"at most {default_limit()} at a time",
                            restrict=r"\d{0,3}")
        with Vertical(id="sweep-slurm", classes="-hidden"):
            with Horizontal(classes="sweep-row"):
                yield Input(id="slurm-partition", placeholder="partition")
                yield Input(id="slurm-time", placeholder="time, e.g. 2:00:00")
                yield Input(id="slurm-cpus", placeholder="CPUs", restrict=r"\d{0,4}")
                yield Input(id="slurm-gpus", placeholder="GPUs")
                yield Input(id="slurm-mem", placeholder="memory, e.g. 8G")
            yield Input(id="slurm-extra", placeholder="more sbatch options: --qos=high --account=lab")

    def on_mount(self) -> None:
        if self.remembered:
            self.set_target(self.remembered)

    # -- reading and setting ----------------------------------------------------------------------
    def draft(self) -> SweepDraft:
        """The sweep the section describes, with the reasons it cannot be used yet."""
        problems: list[str] = []
        axes = []
        for word in self.query_one("#sweep-axes", OrderedList).words:
            try:
                axes.append(parse_axis(word))
            except SweepError as exc:
                problems.append(str(exc))
        alternatives: tuple[tuple[str, ...], ...] = ((),)
        text = self.query_one("#sweep-alternatives", Input).value
        if text.strip():
            try:
                alternatives = tuple(parse_alternatives(text))
            except SweepError as exc:
                problems.append(str(exc))
        target = self._target(problems)
        return SweepDraft(tuple(axes), alternatives, self.seeds, target, tuple(problems))

    def _target(self, problems: list[str]) -> SweepTarget:
        kind = self.query_one("#sweep-target", Select).value
        if kind != SLURM:
            limit = self.query_one("#sweep-limit", Input).value
            return SweepTarget(LOCAL, limit=int(limit) if limit and int(limit) > 0 else None)
        value = {name: self.query_one(f"#slurm-{name}", Input).value.strip()
                 for name in ("partition", "time", "cpus", "gpus", "mem", "extra")}
        try:
            extra = SlurmOptions.parse_extra(value["extra"])
        except SlurmError as exc:
            problems.append(str(exc))
            extra = ()
        options = SlurmOptions(value["partition"], value["time"], int(value["cpus"]) if value["cpus"] else None,
                               value["gpus"], value["mem"], extra)
        problems += options.problems()
        return SweepTarget(SLURM, options)

    def target_memory(self) -> dict[str, Any]:
        """What to remember for the script: the target and its options."""
        target = self.draft().target
        data = target.to_json()
        if target.kind == SLURM:
            data["slurm"]["extra"] = self.query_one("#slurm-extra", Input).value
        return data

    def set_target(self, remembered: Mapping[str, Any]) -> None:
        """Fill the target fields from what was remembered for the script."""
        kind = SLURM if remembered.get("kind") == SLURM else LOCAL
        self.query_one("#sweep-target", Select).value = kind
        limit = remembered.get("limit")
        self.query_one("#sweep-limit", Input).value = str(limit) if isinstance(limit, int) else ""
        slurm = remembered.get("slurm") if isinstance(remembered.get("slurm"), Mapping) else {}
        for name in ("partition", "time", "cpus", "gpus", "mem", "extra"):
            value = slurm.get(name)
            if isinstance(value, list):
                value = " ".join(value)
            self.query_one(f"#slurm-{name}", Input).value = "" if value is None else str(value)

    def set_sweep(self, axes: Sequence[str], alternatives: str, seeds: Sequence[int]) -> None:
        """Show a sweep (e.g. a composition being reopened)."""
        self.query_one("#sweep-axes", OrderedList).set_words(axes)
        self.query_one("#sweep-alternatives", Input).value = alternatives
        self.seeds = tuple(seeds)
        self.query_one("#sweep-seeds", Input).value = str(len(self.seeds)) if self.seeds else ""
        self._show_seeds()

    def state(self) -> dict[str, Any]:
        """Everything the section holds (to reopen it as it was)."""
        return {"axes": list(self.query_one("#sweep-axes", OrderedList).words),
                "alternatives": self.query_one("#sweep-alternatives", Input).value,
                "seeds": list(self.seeds), "target": self.target_memory()}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Show a state from :meth:`state`."""
        self.set_sweep(state.get("axes") or [], str(state.get("alternatives") or ""), state.get("seeds") or [])
        if isinstance(state.get("target"), Mapping):
            self.set_target(state["target"])

    # -- events -----------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.post_message(self.Changed())

    @on(Input.Submitted, "#sweep-axis-input")
    def _axis_entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        try:
            axis = parse_axis(text)
        except SweepError as exc:
            self.query_one("#sweep-status", Static).update(Text(visible(str(exc)), style="red"))
            return
        axes = self.query_one("#sweep-axes", OrderedList)
        same = [i for i, word in enumerate(axes.words) if word.partition("=")[0].strip() == axis.key]
        if same:
            axes.replace_word(same[0], text)
        else:
            axes.add_word(text)
        event.input.value = ""
        self.query_one("#sweep-status", Static).update("")

    @on(Input.Changed, "#sweep-axis-input")
    def _axis_typed(self, event: Input.Changed) -> None:
        event.stop()
        status = self.query_one("#sweep-status", Static)
        text = event.value.strip()
        if "=" not in text or text.endswith("="):
            status.update("")
            return
        try:
            axis = parse_axis(text)
        except SweepError as exc:
            status.update(Text(visible(str(exc)), style="red"))
            return
        status.update(Text(visible(f"{len(axis.values)} values: {', '.join(axis.values[:_PREVIEW_VALUES])}"
                                   + (" …" if len(axis.values) > _PREVIEW_VALUES else "")), style="dim"))

    @on(Input.Changed, "#sweep-seeds")
    def _seed_count(self, event: Input.Changed) -> None:
        event.stop()
        count = int(event.value) if event.value else 0
        if count != len(self.seeds):
            kept = self.seeds[:count]
            extra = tuple(seed for seed in choose_seeds(count) if seed not in kept)
            self.seeds = (kept + extra)[:count]
        self._show_seeds()
        self._changed()

    @on(Button.Pressed, "#sweep-new-seeds")
    def _new_seeds(self, event: Button.Pressed) -> None:
        event.stop()
        self.seeds = choose_seeds(len(self.seeds))
        self._show_seeds()
        self._changed()

    def _show_seeds(self) -> None:
        text = f"seeds: {', '.join(str(seed) for seed in self.seeds)}" if self.seeds else ""
        self.query_one("#sweep-seed-list", Static).update(Text(text, style="dim"))

    @on(Select.Changed, "#sweep-target")
    def _target_changed(self, event: Select.Changed) -> None:
        event.stop()
        slurm = event.value == SLURM
        self.query_one("#sweep-slurm").set_class(not slurm, "-hidden")
        self.query_one("#sweep-local").set_class(slurm, "-hidden")
        self._changed()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if event.input.id in ("sweep-alternatives", "sweep-limit") or (event.input.id or "").startswith("slurm-"):
            event.stop()
            self._changed()

    @on(OrderedList.Changed, "#sweep-axes")
    def _axes_changed(self, event: OrderedList.Changed) -> None:
        event.stop()
        self._changed()

    @on(OptionList.OptionSelected, "#sweep-axes")
    def _edit_axis(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        axes = self.query_one("#sweep-axes", OrderedList)
        word = axes.words[event.option_index]
        axes.action_remove()
        field = self.query_one("#sweep-axis-input", Input)
        field.value = word
        field.focus()
