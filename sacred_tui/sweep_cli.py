"""Provides ``sacred-tui sweep``: queue a grid of runs on this machine or on SLURM, without the UI.

    sacred-tui sweep demo/train.py --runs demo_runs with quick -s lr=0.01,0.1 --named ,big --seeds 2 -j 2
    sacred-tui sweep demo/train.py --runs runs -s lr=1e-4..1e-1:4log --slurm --partition=gpu --time=1:00:00
    sacred-tui sweep --resume --runs demo_runs      # start the runs a stopped sweep left waiting

The runs are QUEUED entries of the runs folder from the start (any sacred-tui on the folder shows
them); this command then starts them (at most -j at a time) or submits them to SLURM, and reports
progress until they end.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from sacred_tui.data.launch_spec import VALUE_OPTIONS, LaunchSpec, check_option
from sacred_tui.data.queued_runs import LOCAL, SLURM
from sacred_tui.data.slurm import SlurmError, SlurmOptions
from sacred_tui.data.sweep_spec import SweepError, SweepSpec, sweep_of

__all__ = ["build_parser", "main"]

EPILOG = """\
values of -s KEY=VALUES:
  a list           lr=0.01,0.1,1        (commas inside [...] or quotes belong to a value: layers=[16,8],[32])
  a range          steps=10..50:5       (5 values, both ends included) or n=1..4 (1, 2, 3, 4)
  a log range      lr=1e-4..1e-1:4log   (0.0001, 0.001, 0.01, 0.1)
named-config alternatives (--named): big,quick runs each; big+hard runs both together; ,big runs
  without a named config and with big. Words after "with" apply to every run, as in a single launch.
every run of the sweep is alternatives x values x seeds; seeds are drawn once and recorded, so
  the command printed after queueing re-runs the sweep exactly (also: --again SWEEP_ID).
Ctrl-C asks what to do with waiting runs (cancel them, keep them for --resume, stop everything)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sacred-tui sweep", description="Queue a sweep of runs of an experiment script: values per key\n"
        "x named-config alternatives x seeds, run on this machine (a few at a time) or as SLURM jobs.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("script", nargs="?", metavar="SCRIPT", help="the experiment script (built with core)")
    parser.add_argument("words", nargs="*", metavar="[COMMAND] [with WORD ...]",
                        help="a command (default: main) and named configs / KEY=VALUE updates every run gets")
    parser.add_argument("--runs", default="my_runs", metavar="DIR", help="the runs folder (default ./my_runs)")
    parser.add_argument("-s", "--sweep", action="append", default=[], metavar="KEY=VALUES",
                        help="a swept key and its values (repeatable; see below)")
    parser.add_argument("--named", metavar="ALTERNATIVES", help="named-config alternatives, e.g. big,quick")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, default=0, metavar="N",
                       help="run every combination with N seeds, chosen now and recorded")
    seeds.add_argument("--seed-list", metavar="S1,S2,...", help="run every combination with these seeds")
    parser.add_argument("-j", "--jobs", type=int, metavar="N",
                        help="runs at a time on this machine (default: one per core)")
    parser.add_argument("--python", default=sys.executable, metavar="PATH",
                        help=f"the interpreter that runs the script (default {sys.executable})")
    parser.add_argument("--comment", help="the comment every run gets (-c)")
    parser.add_argument("--option", action="append", default=[], metavar="NAME[=VALUE]",
                        help="another option of the script's command line, e.g. --option=--loglevel=WARNING")
    parser.add_argument("--anyway", action="store_true",
                        help="queue even when a value changes a key's type or adds a key")
    parser.add_argument("--dry-run", action="store_true", help="print every command line; queue nothing")
    slurm = parser.add_argument_group("SLURM (uses sbatch, squeue and scancel from PATH)")
    slurm.add_argument("--slurm", action="store_true", help="submit every run as a SLURM job")
    slurm.add_argument("--partition", default="", help="the partition (default: the cluster's)")
    slurm.add_argument("--time", default="", help="time limit per run, e.g. 30, 2:00:00, 1-12")
    slurm.add_argument("--cpus", type=int, help="CPUs per run (--cpus-per-task)")
    slurm.add_argument("--gpus", default="", help="GPUs per run: a count or TYPE:COUNT")
    slurm.add_argument("--mem", default="", help="memory per run, e.g. 8G")
    slurm.add_argument("--sbatch", default="", metavar="OPTIONS", help='further sbatch options, "--qos=high ..."')
    slurm.add_argument("--no-wait", action="store_true", help="return once the jobs are submitted")
    other = parser.add_argument_group("other forms")
    other.add_argument("--resume", action="store_true",
                       help="start the runs of --runs whose local queue stopped (no SCRIPT)")
    other.add_argument("--again", metavar="SWEEP", help="queue a recorded sweep again, with the same seeds "
                       "(its id from <runs>/_sweeps, or the record's path)")
    return parser


def _split_words(words: Sequence[str]) -> tuple[str | None, list[str], list[str]]:
    """``[COMMAND] [with WORD...]`` -> (command, named configs, updates); ValueError says what is wrong."""
    rest = list(words)
    command = None
    if rest and rest[0] != "with":
        command = rest.pop(0)
    if rest and rest[0] != "with":
        raise ValueError(f"expected 'with' before {rest[0]!r}: write [COMMAND] with WORD ...")
    rest = rest[1:]
    named = [word for word in rest if "=" not in word]
    updates = [word for word in rest if "=" in word]
    return command, named, updates


def _options(args: argparse.Namespace) -> dict[str, str | bool]:
    options: dict[str, str | bool] = {}
    if args.comment:
        options["--comment"] = args.comment
    for text in args.option:
        name, equals, value = text.partition("=")
        options[name] = value if equals else True
    for name, value in options.items():
        if name in VALUE_OPTIONS and value is True:
            raise ValueError(f"--option {name} needs a value: --option={name}=VALUE")
        why = check_option(name, value)
        if why is not None:
            raise ValueError(why)
    return options


def _slurm_options(args: argparse.Namespace) -> SlurmOptions:
    options = SlurmOptions(args.partition, args.time, args.cpus, args.gpus, args.mem,
                           SlurmOptions.parse_extra(args.sbatch))
    problems = options.problems()
    if problems:
        raise ValueError(" ".join(problems))
    return options


def _seeds(args: argparse.Namespace) -> int | list[int]:
    if args.seed_list:
        try:
            return [int(text) for text in args.seed_list.split(",") if text.strip()]
        except ValueError:
            raise ValueError("--seed-list must be whole numbers separated by commas, "
                             f"got {args.seed_list!r}") from None
    return args.seeds


def sweep_from_args(args: argparse.Namespace) -> SweepSpec:
    """The sweep the arguments describe; ValueError / SweepError / SlurmError say what is wrong."""
    if not Path(args.script).is_file():
        raise ValueError(f"SCRIPT must be an experiment script file, got {args.script!r} (no such file)")
    command, named, updates = _split_words(args.words)
    base = LaunchSpec.create(args.script, command, named, updates, _options(args), args.python)
    extra = {"target": SLURM if args.slurm else LOCAL}
    return sweep_of(base, args.sweep, args.named, _seeds(args), extra)


def command_line(spec: SweepSpec, runs_dir: str, args: argparse.Namespace) -> str:
    """The ``sacred-tui sweep`` command that queues this very sweep again (same seeds)."""
    words = ["sacred-tui", "sweep", os.path.relpath(spec.base.script)]
    if spec.base.command:
        words.append(spec.base.command)
    if spec.base.words():
        words += ["with", *spec.base.words()]
    words += ["--runs", runs_dir]
    for axis in spec.axes:
        words.append(f"--sweep={axis.key}={axis.source or ','.join(axis.values)}")
    if spec.alternatives != ((),):
        words.append("--named=" + ",".join("+".join(names) for names in spec.alternatives))
    if spec.seeds:
        words.append("--seed-list=" + ",".join(str(seed) for seed in spec.seeds))
    for name, value in spec.base.options.items():
        words.append(f"--option={name}" if value is True else f"--option={name}={value}")
    if args.slurm:
        words.append("--slurm")
        for name in ("partition", "time", "cpus", "gpus", "mem", "sbatch"):
            value = getattr(args, name)
            if value:
                words.append(f"--{name}={value}")
    elif args.jobs:
        words.append(f"-j{args.jobs}")
    return shlex.join(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sacred-tui sweep``; returns the exit code (0: every run completed)."""
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"-j must be at least 1, got {args.jobs}")
    from sacred_tui import sweep_follow
    if args.resume:
        if args.script:
            parser.error("--resume takes no SCRIPT: it resumes what --runs holds")
        return sweep_follow.resume(args)
    if args.again:
        try:
            spec = sweep_follow.recorded_sweep(args)
        except (OSError, ValueError, SweepError) as exc:
            parser.error(f"--again {args.again}: {exc}")
    else:
        if not args.script:
            parser.error("SCRIPT is required (or --resume / --again)")
        try:
            spec = sweep_from_args(args)
            problems = spec.problems()
            if problems:
                raise ValueError(" ".join(problems))
            if args.slurm:
                _slurm_options(args)
        except (ValueError, SweepError, SlurmError) as exc:
            parser.error(str(exc))
    return sweep_follow.run_sweep(spec, args)
