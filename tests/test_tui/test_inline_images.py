"""Image artifacts drawn inside the terminal: decoding limits, and the preview of a run written by Sacred."""
from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from textual.widget import Widget

from sacred_tui.data.artifact_preview import load_preview
from sacred_tui.data.image_decode import MAX_SIDE, decode_image
from sacred_tui.screens.artifact import ArtifactScreen
from sacred_tui.widgets.artifacts_list import ArtifactPreviewView
from sacred_tui.widgets.inline_image import worth_probing

from detail_support import DetailApp, settle

SEED_RUNS = Path(__file__).parent.parent / "data" / "seed_groups" / "runs"


def png_header(width: int, height: int) -> bytes:
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_png_written_by_sacred_and_jpeg_decode(tmp_path: Path) -> None:
    decoded = decode_image(SEED_RUNS / "1" / "curve.png")
    assert decoded.problem is None and decoded.picture.size == (60, 24)
    assert decoded.picture.getpixel((0, 0)) == (255, 255, 255)
    Image.new("RGB", (4000, 1000), (200, 10, 10)).save(tmp_path / "big.jpg", quality=80)
    big = decode_image(tmp_path / "big.jpg")
    assert big.problem is None and max(big.picture.size) <= MAX_SIDE
    assert big.picture.getpixel((5, 5))[0] > 150


def test_broken_huge_and_outside_images_are_refused(tmp_path: Path) -> None:
    (tmp_path / "cut.png").write_bytes(png_header(64, 32))
    assert "not a readable image" in decode_image(tmp_path / "cut.png").problem
    (tmp_path / "bomb.png").write_bytes(png_header(100_000, 100_000) + b"\x00" * 64)
    bomb = load_preview(tmp_path / "bomb.png")
    assert bomb.picture is None and "100000×100000 px is too large" in bomb.picture_problem
    outside = tmp_path / "outside.png"
    shutil.copy(SEED_RUNS / "1" / "curve.png", outside)
    run = tmp_path / "run"
    run.mkdir()
    (run / "link.png").symlink_to(outside)
    preview = load_preview(run / "link.png", inside=run)
    assert preview.picture is None and preview.problem is not None
    assert load_preview(outside).picture is not None


def test_graphics_probe_only_where_it_can_pay_off() -> None:
    assert not worth_probing({"TERM": "xterm-256color"})
    assert not worth_probing({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"})
    assert worth_probing({"TERM": "xterm-kitty"}) and worth_probing({"TERM_PROGRAM": "WezTerm"})
    assert worth_probing({"TERM": "xterm", "SACRED_TUI_GRAPHICS": "probe"})
    assert not worth_probing({"TERM": "foot", "SACRED_TUI_GRAPHICS": "off"})


def drawn_colors(widget: Widget) -> set[str]:
    colors = set()
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            if segment.style is not None and segment.style.color is not None and segment.text.strip():
                colors.add(segment.style.color.name)
    return colors


async def test_png_artifact_of_a_sacred_run_is_drawn_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = Path(shutil.copytree(SEED_RUNS, tmp_path / "runs"))
    opened: list[Path] = []

    def opener(path: Path, kind: str) -> tuple[list[str], bool]:
        opened.append(path)
        return ["true", str(path)], False  # a real program that does nothing

    monkeypatch.setattr("sacred_tui.screens.artifact.opener_command", opener)
    app = DetailApp(runs, "1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot, 0.2)
        view = app.screen.query_one(ArtifactPreviewView)
        for _ in range(50):
            if view.query(".preview-image"):
                break
            await settle(pilot, 0.05)
        image = view.query_one(".preview-image")
        await settle(pilot, 0.1)
        assert image.size.width > 10 and image.size.height > 3
        title = str(view.query_one("#preview-title").render())
        assert "curve.png: PNG image, 60×24 px" in title and "o opens it outside" in title
        colors = drawn_colors(image)
        assert any(name.startswith("#") or "rgb" in name for name in colors), colors
        await pilot.press("enter")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, ArtifactScreen)
        for _ in range(50):
            if app.screen.query(".preview-image"):
                break
            await settle(pilot, 0.05)
        assert app.screen.query(".preview-image")
        await pilot.press("o")
        assert opened == [(runs / "1" / "curve.png").resolve()]
        assert not any(n.severity == "error" for n in app._notifications)
