"""Runs the terminal UI: ``python -m sacred_tui [RUNS_DIR]``."""
from sacred_tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
