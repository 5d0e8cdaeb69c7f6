"""Provides render_report: the optional ``report<ext>`` Sacred renders from a mako template."""
from __future__ import annotations

import os
from typing import Any

from core.observers.atomic import atomic_write_text

__all__ = ["render_report"]


def render_report(template: str | os.PathLike | None, run_dir: str, **values: Any) -> None:
    """Write ``report<ext>`` into ``run_dir`` (``values``: run, config, info, cout, savedir).

    Nothing happens without a template or without mako, as in Sacred.
    """
    if template is None:
        return
    try:
        from mako.template import Template  # type: ignore[import-not-found]
    except ImportError:
        return
    report = Template(filename=str(template)).render(**values)
    extension = os.path.splitext(str(template))[1]
    atomic_write_text(os.path.join(run_dir, "report" + extension), report)
