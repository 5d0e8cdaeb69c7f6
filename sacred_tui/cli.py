"""Provides the ``sacred-tui`` command: parse arguments, check the runs folder, run the app."""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_RUNS_DIR = "my_runs"


def package_version() -> str:
    """Return the installed version of sacred-tui ("unknown" when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sacred-tui")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``sacred-tui``."""
    parser = argparse.ArgumentParser(
        prog="sacred-tui",
        description="Browse a Sacred-format runs folder live in the terminal.",
        epilog="Press ? inside the app for the keys of each screen. To queue a sweep of runs on this "
               "machine or on SLURM: sacred-tui sweep --help. To write the runs table as CSV, JSON or "
               "Markdown: sacred-tui export --help.",
    )
    parser.add_argument("runs_dir", nargs="?", default=DEFAULT_RUNS_DIR, metavar="RUNS_DIR",
                        help=f"the runs folder (FileStorageObserver basedir); default ./{DEFAULT_RUNS_DIR}."
                             " A folder that does not exist yet is watched until it appears.")
    parser.add_argument("--poll", action="store_true",
                        help="poll the folder instead of using file-system events "
                             "(for NFS, SSHFS and other network file systems)")
    parser.add_argument("--poll-interval", type=float, default=1.0, metavar="SECONDS",
                        help="seconds between polls (default 1.0)")
    parser.add_argument("--script", action="append", default=[], metavar="SCRIPT",
                        help="an experiment script the launcher offers (repeatable); scripts of the "
                             "runs in RUNS_DIR are offered too")
    parser.add_argument("--python", default=sys.executable, metavar="PATH",
                        help="the interpreter that runs launched scripts (default: this one, "
                             f"{sys.executable})")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    return parser


def check_runs_dir(path: Path) -> str | None:
    """Return why ``path`` cannot be a runs folder, or None when it can (or may appear later)."""
    if path.exists() and not path.is_dir():
        return (f"RUNS_DIR must be a folder of runs (the FileStorageObserver basedir), "
                f"but {str(path)!r} is a file")
    if not path.exists():
        parent = path.absolute().parent
        if parent.exists() and not parent.is_dir():
            return f"RUNS_DIR {str(path)!r} cannot be created: {str(parent)!r} is a file"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sacred-tui``; returns the process exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["sweep"] and not (len(words) == 1 and Path("sweep").is_dir()):
        from sacred_tui.sweep_cli import main as sweep_main
        return sweep_main(words[1:])
    if words[:1] == ["export"] and not (len(words) == 1 and Path("export").is_dir()):
        from sacred_tui.export_cli import main as export_main
        return export_main(words[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.poll_interval <= 0:
        parser.error(f"--poll-interval must be a positive number of seconds, got {args.poll_interval}")
    runs_dir = Path(args.runs_dir).expanduser()
    problem = check_runs_dir(runs_dir)
    if problem is not None:
        parser.error(problem)
    for script in args.script:
        if not Path(script).expanduser().is_file():
            parser.error(f"--script must name an experiment script file, got {script!r} (no such file)")
    if shutil.which(args.python) is None:
        parser.error(f"--python must be an interpreter that can run, got {args.python!r} "
                     f"(not found or not executable)")
    from textual.logging import TextualHandler

    # Log records go to `textual console`, never to the terminal the app draws on.
    logging.basicConfig(level=logging.INFO, handlers=[TextualHandler()])
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.widgets.inline_image import probe_terminal_graphics, worth_probing

    if sys.__stdout__ is not None and sys.__stdout__.isatty() and worth_probing(os.environ):
        probe_terminal_graphics()  # only possible before the app owns the terminal
    app = SacredTuiApp(runs_dir, poll=args.poll, poll_interval=args.poll_interval)
    app.configure_launching([Path(script).expanduser() for script in args.script], args.python)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
