"""Provides a dependency-free PNG writer and a line chart, so demo runs can store a plot artifact.

Only ``zlib`` and ``struct`` are used: a PNG is a signature plus chunks (IHDR, IDAT with the
zlib-compressed scanlines, IEND), each with a CRC. Pixels are 8-bit RGB, no interlacing.
"""
from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Canvas", "encode_png", "line_chart_png", "write_line_chart"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
GRID: Color = (225, 228, 235)
AXIS: Color = (90, 95, 105)
LINE: Color = (31, 119, 180)
MARK: Color = (214, 39, 40)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, and the CRC of type + data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(width: int, height: int, rgb: bytes | bytearray) -> bytes:
    """Encode ``width * height`` RGB pixels (row by row, 3 bytes each) as a PNG file."""
    if width <= 0 or height <= 0:
        raise ValueError(f"PNG size must be positive, got {width}x{height}")
    stride = width * 3
    if len(rgb) != stride * height:
        raise ValueError(f"expected {stride * height} bytes of RGB pixels for {width}x{height}, got {len(rgb)}")
    # Every scanline starts with its filter type; 0 means "no filter".
    raw = b"".join(b"\x00" + bytes(rgb[y * stride:(y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit depth, colour type 2 = RGB
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


class Canvas:
    """An RGB pixel buffer with the few drawing operations a line chart needs."""

    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(background) * (width * height))

    def set(self, x: int, y: int, color: Color) -> None:
        """Colour one pixel; points outside the canvas are ignored (lines may overshoot)."""
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i:i + 3] = bytes(color)

    def dot(self, x: int, y: int, color: Color, radius: int = 1) -> None:
        """A filled square of side ``2 * radius + 1`` centred on (x, y)."""
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                self.set(x + dx, y + dy, color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, radius: int = 0) -> None:
        """Bresenham's line from (x0, y0) to (x1, y1), thickened by ``radius`` pixels."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            if radius:
                self.dot(x0, y0, color, radius)
            else:
                self.set(x0, y0, color)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def to_png(self) -> bytes:
        return encode_png(self.width, self.height, self.pixels)


def line_chart_png(values: Sequence[float], width: int = 480, height: int = 270) -> bytes:
    """A PNG line chart of ``values`` against their index: grid, axes, the line, and its minimum marked.

    Non-finite values (a diverged loss) are skipped, so the chart still shows the finite part.
    """
    points = [(i, float(v)) for i, v in enumerate(values) if math.isfinite(float(v))]
    canvas = Canvas(width, height)
    left, right, top, bottom = 40, width - 16, 16, height - 30
    for k in range(5):  # horizontal grid lines, evenly spaced
        y = top + (bottom - top) * k // 4
        canvas.line(left, y, right, y, GRID)
    canvas.line(left, top, left, bottom, AXIS)
    canvas.line(left, bottom, right, bottom, AXIS)
    if not points:
        return canvas.to_png()
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    last = max(len(values) - 1, 1)

    def to_xy(i: int, v: float) -> tuple[int, int]:
        return (left + round((right - left) * i / last), bottom - round((bottom - top) * (v - low) / span))

    xy = [to_xy(i, v) for i, v in points]
    for (x0, y0), (x1, y1) in itertools.pairwise(xy):
        canvas.line(x0, y0, x1, y1, LINE, radius=1)
    if len(xy) == 1:
        canvas.dot(*xy[0], LINE, radius=1)
    best = min(range(len(points)), key=lambda k: points[k][1])
    canvas.dot(*xy[best], MARK, radius=3)
    return canvas.to_png()


def write_line_chart(path: str | Path, values: Sequence[float], width: int = 480, height: int = 270) -> Path:
    """Write :func:`line_chart_png` of ``values`` to ``path`` and return the path."""
    path = Path(path)
    path.write_bytes(line_chart_png(values, width, height))
    return path
