"""Provides decode_image: a run's image artifact decoded (and shrunk) for drawing inside the terminal.

Plots and sample images are the artifacts users want to glance at without leaving the terminal.
The file is read the same guarded way as every preview (a regular file inside the run's folder, at
most :data:`MAX_IMAGE_BYTES`), decoded by Pillow with a pixel budget (a decompression bomb is
refused, not decoded), and shrunk to at most :data:`MAX_SIDE` pixels a side: a terminal shows a few
hundred pixels across, so this is all the drawing needs and keeps redraws cheap.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runs.safe_open import describe_error, read_regular

__all__ = ["DecodedImage", "MAX_IMAGE_BYTES", "MAX_PIXELS", "MAX_SIDE", "decode_image"]

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 64_000_000
"""Images with more pixels are not decoded (Pillow would need gigabytes for them)."""
MAX_SIDE = 1600
DRAWABLE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "BMP", "WEBP"})


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A decoded picture (a ``PIL.Image.Image``), or why there is none."""

    picture: Any = None
    problem: str | None = None


def decode_image(path: Path, inside: Path | None = None,
                 dimensions: tuple[int, int] | None = None) -> DecodedImage:
    """Decode the image at ``path``; any failure becomes ``problem`` (never raises).

    ``dimensions`` (width, height) read from the file's header refuse a huge image before any decoding.
    """
    if dimensions is not None and dimensions[0] * dimensions[1] > MAX_PIXELS:
        return DecodedImage(problem=f"{dimensions[0]}×{dimensions[1]} px is too large to draw here")
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        return DecodedImage(problem="images are drawn with Pillow, which is not installed")
    try:
        data = read_regular(path, MAX_IMAGE_BYTES + 1, inside=inside)
    except OSError as exc:
        return DecodedImage(problem=f"cannot read it: {describe_error(exc)}")
    if len(data) > MAX_IMAGE_BYTES:
        return DecodedImage(problem=f"larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB, not drawn here")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in DRAWABLE_FORMATS:
                return DecodedImage(problem=f"{opened.format or 'this'} images are not drawn here")
            width, height = opened.size
            if width * height > MAX_PIXELS:
                return DecodedImage(problem=f"{width}×{height} px is too large to draw here")
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG decodes at a smaller scale directly
            picture = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
    except UnidentifiedImageError:
        return DecodedImage(problem="not a readable image (damaged, or a format Pillow does not know)")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return DecodedImage(problem=f"not a readable image ({type(exc).__name__}: {str(exc)[:120]})")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    return DecodedImage(picture)


def fit_cells(pixels: tuple[int, int], space: tuple[int, int], cell: tuple[int, int] = (10, 20)) -> tuple[int, int]:
    """The largest (columns, rows) showing an image of ``pixels`` inside ``space`` cells, aspect kept.

    ``cell`` is a cell's size in pixels (a terminal cell is about twice as tall as wide). Small
    images are scaled up to fill the space: a 60×24 plot is unreadable at 6×1 cells.
    """
    width, height = pixels
    columns, rows = space
    if width <= 0 or height <= 0 or columns <= 0 or rows <= 0:
        return 0, 0
    scale = min(columns * cell[0] / width, rows * cell[1] / height)
    return max(1, min(columns, round(width * scale / cell[0]))), max(1, min(rows, round(height * scale / cell[1])))
