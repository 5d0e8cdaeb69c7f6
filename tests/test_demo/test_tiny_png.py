"""The dependency-free PNG writer: valid files (signature, chunk CRCs, IHDR, scanlines) and a visible chart."""
from __future__ import annotations

import struct
import zlib
from types import ModuleType

import pytest


def parse_png(data: bytes) -> tuple[dict, bytes]:
    """Check the signature and every chunk's CRC; return the IHDR fields and the decompressed scanlines."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    header = {"width": width, "height": height, "depth": depth, "color": color,
              "rest": (compression, filtering, interlace)}
    return header, zlib.decompress(chunks[1][1])


def pixels(header: dict, raw: bytes) -> list[bytes]:
    """Rows of RGB bytes; every row must use filter type 0."""
    stride = 1 + 3 * header["width"]
    assert len(raw) == stride * header["height"]
    rows = [raw[y * stride:(y + 1) * stride] for y in range(header["height"])]
    assert {row[0] for row in rows} == {0}
    return [row[1:] for row in rows]


def colours(rows: list[bytes]) -> set[tuple[int, ...]]:
    return {tuple(row[i:i + 3]) for row in rows for i in range(0, len(row), 3)}


def test_encode_png_round_trips_the_pixels(tiny_png: ModuleType) -> None:
    rgb = bytes(range(2 * 3 * 3))  # 3 wide, 2 high
    header, raw = parse_png(tiny_png.encode_png(3, 2, rgb))
    assert header == {"width": 3, "height": 2, "depth": 8, "color": 2, "rest": (0, 0, 0)}
    assert b"".join(pixels(header, raw)) == rgb


def test_encode_png_rejects_a_wrong_pixel_count(tiny_png: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"expected 18 bytes of RGB pixels for 3x2, got 17"):
        tiny_png.encode_png(3, 2, bytes(17))
    with pytest.raises(ValueError, match=r"PNG size must be positive, got 0x2"):
        tiny_png.encode_png(0, 2, b"")


def test_line_chart_draws_the_line_and_marks_the_minimum(tiny_png: ModuleType) -> None:
    values = [1.0 / (1 + i) for i in range(50)]
    header, raw = parse_png(tiny_png.line_chart_png(values, width=200, height=120))
    assert (header["width"], header["height"]) == (200, 120)
    rows = pixels(header, raw)
    found = colours(rows)
    assert {tiny_png.WHITE, tiny_png.AXIS, tiny_png.LINE, tiny_png.MARK} <= found
    # The first value is the highest, so the line starts near the top-left corner of the plot area.
    top_left = {tuple(rows[y][3 * x:3 * x + 3]) for y in range(14, 20) for x in range(38, 44)}
    assert tiny_png.LINE in top_left
    # The minimum (the last value) is marked at the bottom-right corner.
    bottom_right = {tuple(rows[y][3 * x:3 * x + 3]) for y in range(86, 94) for x in range(180, 188)}
    assert tiny_png.MARK in bottom_right


def test_line_chart_skips_non_finite_values_and_handles_flat_or_empty_series(tiny_png: ModuleType) -> None:
    header, raw = parse_png(tiny_png.line_chart_png([0.5, float("nan"), 0.4, float("inf")]))
    assert tiny_png.LINE in colours(pixels(header, raw))
    header, raw = parse_png(tiny_png.line_chart_png([2.0, 2.0, 2.0]))
    assert tiny_png.LINE in colours(pixels(header, raw))
    header, raw = parse_png(tiny_png.line_chart_png([]))
    assert tiny_png.LINE not in colours(pixels(header, raw))


def test_write_line_chart_writes_the_file(tiny_png: ModuleType, tmp_path) -> None:
    path = tiny_png.write_line_chart(tmp_path / "loss.png", [3.0, 2.0, 1.0], width=64, height=48)
    header, _ = parse_png(path.read_bytes())
    assert (header["width"], header["height"]) == (64, 48)
