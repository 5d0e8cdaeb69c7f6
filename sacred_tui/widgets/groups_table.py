"""Provides GroupsTable: seed groups as rows (count, shared config, mean ± std per column), expandable.

Row keys are ``g:<group id>`` for a group and ``r:<run id>`` for a run shown under its expanded
group. A run row shows the values of the ignored keys (its seed) and its own value per column.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from sacred_tui.data.columns import column_for
from sacred_tui.data.fields import resolve_field
from sacred_tui.data.format import MISSING, format_number
from sacred_tui.data.groups import SeedGroup, numeric_value, shared_config_text, stats_text
from sacred_tui.data.visible_text import visible

__all__ = ["GroupsTable", "field_label"]

_MAX_WIDTH = 60
"""No column grows wider (the shared config is cut to this)."""

MARKED = Text("●", style="bold yellow")
UNMARKED = Text(" ")


def field_label(name: str) -> str:
    """The column label of a summarised field (``loss (last)``, ``Result``)."""
    return "Result" if name == "result" else column_for(name).label


class GroupsTable(DataTable[Text]):
    """The groups of the shown runs; Enter expands a group or opens a run, space marks a group."""

    DEFAULT_CSS = """
    GroupsTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Expand / open"),
        Binding("space", "toggle_mark", "Mark group"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class MarksChanged(Message):
        """The set of marked groups changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, fixed_columns=2, **kwargs)  # type: ignore[arg-type]
        self.groups: list[SeedGroup] = []
        self.by_id: dict[str, SeedGroup] = {}
        self.fields: list[str] = []
        self.varying: list[str] = []
        self.ignored: tuple[str, ...] = ()
        self.use_range = False
        self.expanded: set[str] = set()
        self.marked: set[str] = set()
        self._widths: dict[str, int] = {}
        self.sorted_by: tuple[str, bool] = ("group", False)

    # -- public API --------------------------------------------------------------------------
    def show_groups(self, groups: Sequence[SeedGroup], fields: Sequence[str], varying: Sequence[str],
                    ignored: Sequence[str], use_range: bool, sorted_by: tuple[str, bool] | None = None) -> None:
        """Fill the table (keeps the cursor on the same group or run, marks and expanded groups).

        ``sorted_by`` (column, reversed) puts an arrow on that column's header.
        """
        if sorted_by is not None:
            self.sorted_by = sorted_by
        keep = self.current_key
        self.groups = list(groups)
        self.by_id = {group.group_id: group for group in self.groups}
        self.fields, self.varying, self.ignored = list(fields), list(varying), tuple(ignored)
        self.use_range = use_range
        self.expanded &= set(self.by_id)
        self.marked &= set(self.by_id)
        keys = ["group", "runs", "config", *self.fields]
        labels = ["Group", "Runs", visible(", ".join(self.varying)) or "Config",
                  *(visible(field_label(name)) for name in self.fields)]
        column, reverse = self.sorted_by
        if column in keys:
            labels[keys.index(column)] += " ▼" if reverse else " ▲"
        rows: list[tuple[str, list[Text]]] = []
        for group in self.groups:
            rows.extend(self._group_rows(group))
        # Widths from the texts' lengths: measuring thousands of cells with Rich takes seconds.
        widths = [len(label) for label in labels]
        for _key, cells in rows:
            for index, cell in enumerate(cells[1:]):
                if cell.cell_len > widths[index]:
                    widths[index] = cell.cell_len
        self._widths = {"mark": 1, **{key: min(width, _MAX_WIDTH) for key, width in zip(keys, widths)}}
        self.clear(columns=True)
        self.add_column(Text(" "), key="mark", width=1)
        for key, label in zip(keys, labels):
            self.add_column(label, key=key, width=self._widths[key])
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if keep is not None and keep in self._row_locations:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @property
    def current_key(self) -> str | None:
        """The row key under the cursor (``g:…`` or ``r:…``), None for an empty table."""
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    @property
    def current_group(self) -> SeedGroup | None:
        """The group under the cursor, or the group of the run under it."""
        key = self.current_key
        if key is None:
            return None
        if key.startswith("g:"):
            return self.by_id.get(key[2:])
        run_id = key[2:]
        return next((group for group in self.groups if group.group_id in self.expanded
                     and run_id in group.run_ids), None)

    def toggle_expand(self, group_id: str) -> None:
        """Show or hide the runs of a group below it."""
        if group_id in self.expanded:
            self.expanded.discard(group_id)
        else:
            self.expanded.add(group_id)
        self.show_groups(self.groups, self.fields, self.varying, self.ignored, self.use_range)
        self.move_cursor(row=self.get_row_index(f"g:{group_id}"), animate=False)

    def action_toggle_mark(self) -> None:
        """Mark or unmark the group under the cursor and move down."""
        group = self.current_group
        if group is None:
            return
        self.marked.symmetric_difference_update({group.group_id})
        self.update_cell(f"g:{group.group_id}", "mark", MARKED if group.group_id in self.marked else UNMARKED)
        self.post_message(self.MarksChanged())
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    # -- internals ---------------------------------------------------------------------------
    def _group_rows(self, group: SeedGroup) -> list[tuple[str, list[Text]]]:
        """The row of a group and, when it is expanded, the rows of its runs."""
        open_ = group.group_id in self.expanded
        cells = [MARKED if group.group_id in self.marked else UNMARKED,
                 Text(f"{'▾' if open_ else '▸'} {group.group_id}", style="bold"),
                 Text(str(len(group.rows)), justify="right"),
                 Text(visible(shared_config_text(group, self.varying, 60)) if self.varying
                      else visible(group.experiment or MISSING))]
        cells.extend(Text(stats_text(group.stats(name), self.use_range)) for name in self.fields)
        rows = [(f"g:{group.group_id}", cells)]
        if not open_:
            return rows
        for row in group.rows:
            ignored = " ".join(f"{key}={_value(row.config.get(key))}" for key in self.ignored
                               if key in row.config)
            cells = [UNMARKED, Text(f"   {visible(row.run_id)}", style="dim"),
                     Text(visible(row.display_status)[:10], style="dim"), Text(visible(ignored), style="dim")]
            for name in self.fields:
                found = resolve_field(name)
                value = numeric_value(found.get(row, 0.0)) if found is not None else None
                cells.append(Text(format_number(value) if value is not None else MISSING, style="dim"))
            rows.append((f"r:{row.run_id}", cells))
        return rows

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Column widths are known from the texts (see :meth:`show_groups`): only size the table."""
        for column in self.ordered_columns:
            width = self._widths.get(column.key.value or "")
            if width is not None:
                column.content_width = width
        super()._update_dimensions(())


def _value(value: object) -> str:
    return format_number(value) if isinstance(value, (int, float)) else str(value)
