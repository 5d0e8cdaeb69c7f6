"""Provides ArtifactsList (a run's artifacts and resources in one table) and ArtifactPreviewView.

The list only shows names, sizes and kinds it is given; the preview view only displays an
ArtifactPreview produced by the data layer. Neither opens files.
"""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from sacred_tui.data.artifact_preview import ArtifactItem, ArtifactPreview, human_size
from sacred_tui.data.image_decode import fit_cells
from sacred_tui.widgets.inline_image import cell_pixels, make_image_widget
from sacred_tui.data.visible_text import visible, visible_block

__all__ = ["ArtifactPreviewView", "ArtifactsList"]


class ArtifactsList(DataTable[Text]):
    """Table of artifacts then resources; posts Highlighted / Chosen with the item."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved to an item (preview it)."""

        def __init__(self, item: ArtifactItem) -> None:
            super().__init__()
            self.item = item

    class Chosen(Message):
        """Enter was pressed on an item (open it full screen)."""

        def __init__(self, item: ArtifactItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.items: list[ArtifactItem] = []

    def on_mount(self) -> None:
        self.add_columns("name", "size", "type", "role")

    def show_items(self, items: list[ArtifactItem]) -> None:
        """Replace the rows, keeping the cursor on the same name when it is still listed."""
        if items == self.items:
            return
        current = self.items[self.cursor_row].name if self.items and self.cursor_row < len(self.items) else None
        self.items = list(items)
        self.clear()
        for item in self.items:
            style = "" if item.exists else "dim red"
            size = human_size(item.size) if item.exists else item.kind
            self.add_row(Text(visible(item.name), style=style), Text(size, style=style, justify="right"),
                         Text(item.kind, style=style), Text(item.role, style="dim"))
        names = [item.name for item in self.items]
        if current in names:
            self.move_cursor(row=names.index(current))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.items):
            self.post_message(self.Highlighted(self.items[event.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.items):
            self.post_message(self.Chosen(self.items[event.cursor_row]))


class ArtifactPreviewView(Vertical):
    """Shows an ArtifactPreview: text, pretty JSON, a CSV table, or facts about an image."""

    DEFAULT_CSS = """
    ArtifactPreviewView > #preview-title { height: auto; color: $text-muted; }
    ArtifactPreviewView > #preview-body { height: 1fr; }
    ArtifactPreviewView > DataTable { height: 1fr; }
    ArtifactPreviewView > .preview-image { height: 10; width: 20; }
    """

    _picture_size: tuple[int, int] = (0, 0)
    """Pixel size of the image shown inline (it is scaled to fit the view)."""

    def compose(self) -> ComposeResult:
        yield Static("Choose an artifact to preview it.", id="preview-title")
        with VerticalScroll(id="preview-body"):
            yield Static("", id="preview-text")

    def show_message(self, message: str) -> None:
        """Show a line of text instead of a preview (loading, errors)."""
        self._remove_table()
        self.query_one("#preview-title", Static).update(Text(visible(message)))
        self.query_one("#preview-text", Static).update("")

    def show_preview(self, preview: ArtifactPreview) -> None:
        """Display a preview produced by the data layer."""
        self._remove_table()
        title = Text(f"{visible(preview.name)} · {preview.kind} · {human_size(preview.size)}")
        if preview.truncated:
            title.append(" · preview of the beginning only")
        if preview.size is not None:
            title.append(" · o opens it outside")
        if preview.problem:
            title.append("\n" + visible(preview.problem), style="bold red")
        self.query_one("#preview-title", Static).update(title)
        body = self.query_one("#preview-text", Static)
        body.display = True
        self.query_one("#preview-body").display = True
        if preview.image is not None and self._show_picture(preview):
            title.append("\n" + visible(preview.image), style="dim")
            self.query_one("#preview-title", Static).update(title)
            self.query_one("#preview-body").display = False
        elif preview.image is not None:
            why = f" ({preview.picture_problem})" if preview.picture_problem else ""
            body.update(Text(visible(preview.image) + f"\nNot drawn here{visible(why)}; press o to open it "
                             "with the system viewer."))
        elif preview.kind == "csv" and preview.rows:
            self.query_one("#preview-body").display = False
            self._show_table(preview.rows)
        elif preview.text is not None:
            body.update(Syntax(visible_block(preview.text), preview.lexer, word_wrap=False, line_numbers=False,
                               background_color="default"))
        else:
            body.update("")

    def _show_table(self, rows: list[list[str]]) -> None:
        table: DataTable[Text] = DataTable(classes="preview-table", zebra_stripes=True)
        header, *body = rows
        width = max(len(row) for row in rows)
        self.mount(table)
        table.add_columns(*(Text(visible(cell)) for cell in header + [""] * (width - len(header))))
        for row in body:
            table.add_row(*(Text(visible(cell)) for cell in row + [""] * (width - len(row))))

    def _show_picture(self, preview: ArtifactPreview) -> bool:
        """Draw the decoded image below the title; False when there is none or it cannot be drawn."""
        if preview.picture is None:
            return False
        widget = make_image_widget(preview.picture)
        if widget is None:
            return False
        widget.add_class("preview-image")
        self._picture_size = preview.picture.size
        self.mount(widget)
        self.call_after_refresh(self._fit_picture)
        return True

    def on_resize(self) -> None:
        self._fit_picture()

    def _fit_picture(self) -> None:
        """Size the image to the largest that fits below the title, keeping its aspect ratio."""
        for widget in self.query(".preview-image"):
            title = self.query_one("#preview-title", Static)
            space = (self.size.width, max(self.size.height - title.outer_size.height, 1))
            columns, rows = fit_cells(self._picture_size, space, cell_pixels())
            widget.styles.width, widget.styles.height = columns, rows

    def _remove_table(self) -> None:
        for extra in self.query(".preview-table, .preview-image"):
            extra.remove()
