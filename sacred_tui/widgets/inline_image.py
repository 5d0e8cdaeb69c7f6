"""Provides inline image drawing: textual-image's widget with the best protocol this terminal has.

Importing textual-image asks the terminal whether it speaks Sixel or Kitty's graphics protocol. That
only works before Textual owns the terminal, and a terminal that does not answer costs a tenth of a
second or more at every start. So the command line probes (:func:`probe_terminal_graphics`) only in
terminals known for graphics (Kitty, WezTerm, foot, Konsole, iTerm2, mlterm, Contour; never inside
tmux or screen, which do not pass them through), or when ``SACRED_TUI_GRAPHICS=probe`` asks for it.
Everywhere else textual-image is imported without asking, at the first image, and draws with
coloured half-block cells, which every colour terminal shows.
"""
from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from typing import Any

from textual.widget import Widget

__all__ = ["cell_pixels", "graphics_protocol", "make_image_widget", "probe_terminal_graphics", "worth_probing"]

_GRAPHICS_TERMINALS = ("kitty", "wezterm", "foot", "konsole", "iterm", "mlterm", "contour")


def worth_probing(environ: Mapping[str, str]) -> bool:
    """True where asking the terminal for an image protocol is likely to find one."""
    wish = environ.get("SACRED_TUI_GRAPHICS", "").lower()
    if wish in ("probe", "no", "off", "half-blocks"):
        return wish == "probe"
    if environ.get("TMUX") or environ.get("STY") or environ.get("TERM", "").startswith(("screen", "tmux")):
        return False
    names = " ".join(environ.get(key, "") for key in ("TERM", "TERM_PROGRAM", "KITTY_WINDOW_ID",
                                                       "WEZTERM_EXECUTABLE", "KONSOLE_VERSION")).lower()
    return any(name in names for name in _GRAPHICS_TERMINALS) or bool(
        environ.get("KITTY_WINDOW_ID") or environ.get("KONSOLE_VERSION"))


def probe_terminal_graphics() -> str:
    """Import textual-image while it can ask the terminal (before the app starts); returns the protocol."""
    try:
        import textual_image.widget  # noqa: F401  (the import asks the terminal)
    except Exception:  # no textual-image, or a terminal that answered nonsense
        return "none"
    return graphics_protocol()


def _import_quietly() -> bool:
    """Import textual-image without terminal queries (the app owns the terminal by now)."""
    if "textual_image.widget" in sys.modules:
        return True
    saved = sys.__stdout__
    sys.__stdout__ = io.StringIO()  # not a terminal: textual-image asks nothing and assumes 10×20 px cells
    try:
        import textual_image.widget  # noqa: F401
    except Exception:
        return False
    finally:
        sys.__stdout__ = saved
    return True


def graphics_protocol() -> str:
    """``sixel``, ``kitty``, ``half-blocks``, or ``none`` when textual-image is not loaded."""
    if "textual_image.renderable" not in sys.modules:
        return "none"
    from textual_image.renderable import Image as Auto
    from textual_image.renderable.sixel import Image as Sixel
    from textual_image.renderable.tgp import Image as Kitty

    if Auto is Sixel:
        return "sixel"
    if Auto is Kitty:
        return "kitty"
    return "half-blocks"


def cell_pixels() -> tuple[int, int]:
    """A cell's (width, height) in pixels, as textual-image knows it (10×20 when it could not ask)."""
    if "textual_image.widget" not in sys.modules:
        return 10, 20
    from textual_image._terminal import get_cell_size

    size = get_cell_size()
    return size.width, size.height


def make_image_widget(picture: Any, *, id: str | None = None) -> Widget | None:
    """A widget drawing ``picture`` (a PIL image), or None when textual-image cannot be loaded."""
    if not _import_quietly():
        return None
    from textual_image.widget import HalfcellImage, Image

    widget_class = Image if graphics_protocol() in ("sixel", "kitty") else HalfcellImage
    return widget_class(picture, id=id)
