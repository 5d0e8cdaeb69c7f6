"""Provides artifact previews (text, JSON, CSV, image facts) and the command that opens a file outside.

Artifacts can be anything a run saved: logs, tables, model checkpoints, plots. A preview reads at
most `max_bytes` of a file, so a multi-gigabyte checkpoint costs nothing. Image dimensions come
from the file header (PNG, GIF, JPEG, BMP, WebP); the image itself is decoded for drawing inline
(see :mod:`sacred_tui.data.image_decode`). Only regular files that
resolve inside the item's folder (the run directory, or `_resources` for resources) are ever read or
handed to another program, whatever names or symlinks a run left behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import shutil
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.runs.safe_open import describe_error, read_regular, regular_size, resolve_inside
from sacred_tui.data.image_decode import decode_image
from sacred_tui.data.source_lexer import lexer_for, ready_lexer

__all__ = ["ArtifactItem", "ArtifactPreview", "classify", "file_size", "human_size", "load_preview",
           "openable_path", "opener_command"]

_TEXT_SUFFIXES = {
    ".txt", ".log", ".md", ".rst", ".py", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".sh", ".html",
    ".xml", ".tex", ".out", ".err", ".jsonl", ".ndjson",
}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".svg", ".tif", ".tiff"}
MAX_CSV_ROWS = 1000
MAX_CSV_COLUMNS = 100


@dataclass(frozen=True, slots=True)
class ArtifactItem:
    """A file of a run shown in the artifacts list: an artifact, or a resource the run opened."""

    name: str
    path: Path
    size: int | None
    exists: bool
    role: str = "artifact"
    inside: Path | None = None
    """The folder the file must resolve into to be read (None: the file's own directory)."""
    problem: str | None = None
    """Why the file is not shown (``refused: a FIFO ...``); None for readable or missing files."""

    @property
    def kind(self) -> str:
        """json, csv, image, text or binary by the name; 'refused' or 'missing' when not readable."""
        if self.exists:
            return classify(self.name)
        return "refused" if self.problem and self.problem.startswith("refused") else "missing"


def file_size(path: Path, inside: Path | None = None) -> int | None:
    """Size in bytes of a regular file inside `inside`, or None (missing, special or outside)."""
    return regular_size(path, inside)


def openable_path(item: ArtifactItem) -> tuple[Path | None, str | None]:
    """The real path to hand to another program, or (None, why not): never a file outside `inside`."""
    if not item.exists:
        return None, item.problem or f"{item.name} is missing"
    try:
        real = resolve_inside(item.path, item.inside if item.inside is not None else item.path.parent)
    except OSError as exc:
        return None, f"{item.name}: {describe_error(exc)}"
    if regular_size(real) is None:
        return None, f"{item.name} is not a regular file"
    return Path(real), None


@dataclass(frozen=True, slots=True)
class ArtifactPreview:
    """What a preview pane shows for one file; `problem` explains why there is nothing to show."""

    name: str
    kind: str
    size: int | None
    text: str | None = None
    rows: list[list[str]] = field(default_factory=list)
    image: str | None = None
    picture: Any = None
    """The decoded image (a ``PIL.Image.Image``) to draw inline, when it could be decoded."""
    picture_problem: str | None = None
    """Why an image is not drawn inline (too large, not decodable, Pillow missing)."""
    truncated: bool = False
    problem: str | None = None
    lexer: str = "default"
    """How ``text`` is coloured (a Pygments lexer name, chosen where the file was read)."""


def human_size(size: int | None) -> str:
    """Size as a short human string (`12.3 MB`); '?' when unknown."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def classify(name: str, head: bytes = b"") -> str:
    """Kind of a file from its name, then from its first bytes: json, csv, image, text or binary."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in _IMAGE_SUFFIXES or _image_format(head) is not None:
        return "image"
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return "binary"
    return "text"


def load_preview(path: Path, name: str | None = None, max_bytes: int = 256 * 1024,
                 inside: Path | None = None) -> ArtifactPreview:
    """Read the start of `path` and shape it for display; never raises for unreadable files.

    Only a regular file resolving inside `inside` (default: its own directory) is read.
    """
    name = name or path.name
    try:
        data = read_regular(path, max_bytes + 1, inside=inside)
    except OSError as exc:
        return ArtifactPreview(name, classify(name), None, problem=f"Cannot read {name}: {describe_error(exc)}")
    size = file_size(path, inside)
    truncated = len(data) > max_bytes
    data = data[:max_bytes]
    if size is None or size < len(data):
        size = len(data)
    kind = classify(name, data[:4096])
    if kind == "image":
        facts = image_dimensions(data[:4096])
        decoded = decode_image(path, inside, facts[1:] if facts is not None else None)
        return ArtifactPreview(name, kind, size, image=describe_image(name, data, size),
                               picture=decoded.picture, picture_problem=decoded.problem)
    if kind == "binary":
        return ArtifactPreview(name, kind, size, problem=f"{name} is a binary file ({human_size(size)}); press o to open it")
    text = data.decode("utf-8", errors="replace")
    if kind == "json" and not truncated:
        try:
            return ArtifactPreview(name, kind, size, text=json.dumps(json.loads(text), indent=2, sort_keys=False),
                                   lexer=ready_lexer("json"))
        except ValueError as exc:
            return ArtifactPreview(name, "text", size, text=text, problem=f"Invalid JSON ({exc}); shown as text",
                                   lexer=lexer_for(name, text))
    if kind == "json":
        return ArtifactPreview(name, "text", size, text=text, truncated=True, lexer=lexer_for(name, text))
    if kind == "csv":
        try:
            rows = _csv_rows(text, name, truncated)
        except csv.Error as exc:
            return ArtifactPreview(name, "text", size, text=text, truncated=truncated,
                                   problem=f"Not readable as CSV ({exc}); shown as text", lexer=lexer_for(name, text))
        return ArtifactPreview(name, kind, size, rows=rows, truncated=truncated)
    return ArtifactPreview(name, "text", size, text=text, truncated=truncated, lexer=lexer_for(name, text))


def _csv_rows(text: str, name: str, truncated: bool) -> list[list[str]]:
    """Parse up to MAX_CSV_ROWS rows; a truncated read drops the possibly cut last line."""
    if truncated and "\n" in text:
        text = text[: text.rindex("\n")]
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    rows: list[list[str]] = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append(row[:MAX_CSV_COLUMNS])
        if len(rows) > MAX_CSV_ROWS:
            break
    return rows


def _image_format(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"\xff\xd8"):
        return "JPEG"
    if head.startswith(b"BM") and len(head) >= 26:
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return None


def image_dimensions(head: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) read from an image header, or None if not recognised."""
    kind = _image_format(head)
    try:
        if kind == "PNG" and head[12:16] == b"IHDR":
            width, height = struct.unpack(">II", head[16:24])
        elif kind == "GIF":
            width, height = struct.unpack("<HH", head[6:10])
        elif kind == "BMP":
            width, height = struct.unpack("<ii", head[18:26])
            height = abs(height)
        elif kind == "JPEG":
            return _jpeg_dimensions(head)
        elif kind == "WebP":
            return _webp_dimensions(head)
        else:
            return None
    except struct.error:
        return None
    return kind, width, height


def _jpeg_dimensions(head: bytes) -> tuple[str, int, int] | None:
    position = 2
    while position + 9 < len(head):
        if head[position] != 0xFF:
            return None
        marker = head[position + 1]
        length = struct.unpack(">H", head[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[position + 5:position + 9])
            return "JPEG", width, height
        position += 2 + length
    return None


def _webp_dimensions(head: bytes) -> tuple[str, int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        width = 1 + int.from_bytes(head[24:27], "little")
        height = 1 + int.from_bytes(head[27:30], "little")
        return "WebP", width, height
    if chunk == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return "WebP", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return "WebP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def describe_image(name: str, head: bytes, size: int) -> str:
    """One line of facts about an image, for terminals that cannot draw it."""
    facts = image_dimensions(head)
    if facts is None:
        return f"{name}: image, {human_size(size)} (dimensions unknown)"
    kind, width, height = facts
    return f"{name}: {kind} image, {width}×{height} px, {human_size(size)}"


def opener_command(path: Path, kind: str, environ: Mapping[str, str] | None = None,
                   platform: str | None = None) -> tuple[list[str], bool] | None:
    """Command opening `path` outside the UI, and whether the terminal must be handed over.

    Text-like files go to $PAGER, then $EDITOR, then `less` (they run in this terminal, so the
    UI suspends). Anything else, or when none of those exists, goes to the system opener
    (`open` on macOS, `xdg-open` elsewhere), which starts its own window.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if kind in ("text", "json", "csv"):
        for variable in ("PAGER", "EDITOR", "VISUAL"):
            words = shlex.split(environ.get(variable, ""))
            if words:
                return [*words, str(path)], True
        if shutil.which("less"):
            return ["less", str(path)], True
    opener = "open" if platform == "darwin" else "xdg-open"
    if shutil.which(opener):
        return [opener, str(path)], False
    return None
