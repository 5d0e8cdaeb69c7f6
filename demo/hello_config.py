"""Greet someone: config scopes, named configs, captured functions (with ``prefix``) and custom commands.

    python demo/hello_config.py                              # runs the main function
    python demo/hello_config.py with french repeat=3         # a named config, then an update
    python demo/hello_config.py print_config with loud       # the config, changes coloured, docs dim
    python demo/hello_config.py print_named_configs
    python demo/hello_config.py shout with name=Ada          # a custom command
    python demo/hello_config.py show_volumes                 # a command that is never stored
    python demo/hello_config.py -F demo_runs with french     # store the run in demo_runs/
"""
from __future__ import annotations

from core import Experiment

try:
    import numpy as np
except ImportError:  # the demo runs on plain Python too
    np = None

ex = Experiment("hello_config")


@ex.config
def cfg():
    name = "world"       # who to greet
    repeat = 2           # how many times to say it
    message = {          # read by format_message through prefix="message"
        "greeting": "Hello",
        "punctuation": "!",
    }
    # an array when numpy is installed (config.json stores it in Sacred's tagged form)
    weights = np.linspace(0.5, 2.0, 4) if np is not None else [0.5, 1.0, 1.5, 2.0]
    volumes = [round(10 * w) for w in weights]   # entries may be computed from earlier ones


@ex.named_config
def french():
    """Say it in French (only the greeting changes: dicts are merged)."""
    message = {"greeting": "Bonjour"}


@ex.named_config
def loud():
    """Three times, with three exclamation marks."""
    repeat = 3
    message = {"punctuation": "!!!"}


@ex.capture(prefix="message")
def format_message(name: str, greeting: str, punctuation: str) -> str:
    """``greeting`` and ``punctuation`` come from ``message``; ``name`` is passed by the caller."""
    return f"{greeting}, {name}{punctuation}"


@ex.command
def shout(name: str, _log) -> str:
    """Print the greeting once, in capitals."""
    text = format_message(name).upper()
    _log.info("shouting at %s", name)
    print(text)
    return text


@ex.command(unobserved=True)
def show_volumes(weights, volumes: list[int]) -> None:
    """Print the weights and the volumes computed from them (never stored as a run)."""
    for weight, volume in zip(weights, volumes):
        print(f"weight {float(weight):.2f} -> volume {volume}")


@ex.automain
def greet(name: str, repeat: int, volumes: list[int], _run) -> str:
    """Print the greeting ``repeat`` times and log each one's volume as a metric."""
    text = format_message(name)
    for volume in volumes[:repeat]:
        print(text)
        _run.log_scalar("volume", volume)
    _run.info["said"] = {"text": text, "times": repeat}
    return text
