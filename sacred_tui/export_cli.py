"""Provides ``sacred-tui export``: the runs table of a folder as CSV, JSON or Markdown, without the UI.

    sacred-tui export my_runs --filter "status=COMPLETED and config.lr<0.1" \\
        --columns config.lr,metric.loss.min --format csv > table.csv

The filter is the runs table's query language; columns are its field names. Archived runs are
left out unless --archived is given. With --group, the seed groups of the filtered runs are
written instead (one row per group with count, mean, std, min and max of each metric column).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sacred_tui.data.export import (DEFAULT_COLUMNS, ExportError, check_columns, format_for_path, format_of,
                                    group_fields, group_table, render, render_records, select_rows, write_export)
from sacred_tui.data.groups import DEFAULT_IGNORED, group_runs, varying_keys
from sacred_tui.data.fields import FIELD_NAMES
from sacred_tui.data.query import QueryError, parse_query

__all__ = ["build_parser", "main"]

EPILOG = f"""\
columns (comma-separated): {', '.join(DEFAULT_COLUMNS)} (the default), the other fields
  {', '.join(name for name in FIELD_NAMES if name not in DEFAULT_COLUMNS)}, config.KEY, result.KEY and
  metric.NAME.last|min|max.
filter: the runs table's query language, e.g. "status=COMPLETED and config.lr<0.1", "tag=baseline",
  "note~broken", "started<2d", "metric.loss.min<0.3 or experiment~svm".
CSV and JSON hold stored values (full precision; times in UTC as Sacred stores them; durations in
  seconds); Markdown holds the texts the table shows."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``sacred-tui export``."""
    parser = argparse.ArgumentParser(
        prog="sacred-tui export", description="Write the runs table of a runs folder as CSV, JSON or Markdown.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs_dir", metavar="RUNS_DIR", help="the runs folder (FileStorageObserver basedir)")
    parser.add_argument("--filter", default="", metavar="QUERY", help="keep only the runs matching QUERY")
    parser.add_argument("--columns", default=None, metavar="COLS",
                        help="comma-separated column keys (default: the table's base columns; with --group: "
                             "Sacred's result and the last value of each metric)")
    parser.add_argument("--format", default=None, metavar="FMT",
                        help="csv, json or md (default: from the --output ending, else csv)")
    parser.add_argument("--sort", default="id", metavar="COL",
                        help="the column to sort by; --sort=-COL sorts descending (default: id, ascending)")
    parser.add_argument("--archived", action="store_true", help="include archived runs")
    parser.add_argument("--group", action="store_true",
                        help="export seed groups instead of runs: runs whose config is equal except for the seed "
                             "(and --ignore keys), with count, mean, std, min and max of each metric or result "
                             "column; config columns are the groups' shared values")
    parser.add_argument("--ignore", default="", metavar="KEYS",
                        help="with --group: more config keys to group across, comma-separated (seed always)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    return parser


def unknown_column(columns: Sequence[str], config_keys: Sequence[str], metric_names: Sequence[str]) -> str | None:
    """Why a config or metric column names nothing any run has (a typo), or None."""
    for key in columns:
        if key.startswith("config.") and key[7:] not in config_keys:
            near = [name for name in config_keys if key[7:].lower() in name.lower()][:8]
            return f"--columns: no run has the config key {key[7:]!r}" + (f"; similar: {', '.join(near)}" if near else "")
        if key.startswith("metric."):
            name = key[7:].rpartition(".")[0]
            if name not in metric_names:
                listed = ", ".join(list(metric_names)[:12])
                return f"--columns: no run logged a metric {name!r}" + (f"; metrics: {listed}" if listed else "")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sacred-tui export``; returns the exit code (2 for bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    runs_dir = Path(args.runs_dir).expanduser()
    if not runs_dir.is_dir():
        parser.error(f"RUNS_DIR must be an existing runs folder, got {str(runs_dir)!r}")
    try:
        columns = check_columns((args.columns or ",".join(DEFAULT_COLUMNS)).split(","))
        if args.format is not None:
            fmt = format_of(args.format)
        else:
            fmt = format_for_path(args.output) if args.output else "csv"
        reverse = args.sort.startswith("-")
        sort = check_columns([args.sort.lstrip("-")])[0]
    except ExportError as exc:
        parser.error(str(exc))
    from sacred_tui.data.store import RunStore

    store = RunStore(runs_dir)
    rows = store.load_all()
    config_keys, metric_names = store.known_keys()
    problem = unknown_column(columns, config_keys, metric_names) if rows else None
    if problem:
        parser.error(problem)
    try:
        lowered = args.filter.lower()
        query = parse_query(args.filter, metric_names if "metric" in lowered else None,
                            config_keys if rows and "config" in lowered else None)
    except QueryError as exc:
        parser.error(f"--filter: {exc}")
    now = time.time()
    selected = select_rows(rows, query, columns, now, sort=sort, reverse=reverse, archived=args.archived)
    if args.group:
        groups = group_runs(selected, (*DEFAULT_IGNORED, *(key.strip() for key in args.ignore.split(",") if key.strip())))
        fields, config_keys = group_fields(columns if args.columns else [], metric_names)
        shown_keys = list(dict.fromkeys([*varying_keys(groups), *config_keys]))
        records, keys = group_table(groups, fields, shown_keys, now)
        text = render_records(records, keys, fmt)
    else:
        text = render(selected, columns, fmt, now)
    if args.output:
        try:
            write_export(str(Path(args.output).expanduser()), text)
        except OSError as exc:
            print(f"sacred-tui export: cannot write {args.output!r}: {exc}", file=sys.stderr)
            return 1
        what = f"{len(groups)} groups of {len(selected)}" if args.group else f"{len(selected)} of {len(rows)}"
        print(f"Wrote {what} runs to {Path(args.output).expanduser().absolute()}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
