"""Ways a run ends: failure, interrupts, custom statuses, sys.exit."""
import sys

from sacred import Experiment
from sacred.utils import SacredInterrupt, TimeoutInterrupt

ex = Experiment("failures")


class Skipped(SacredInterrupt):
    STATUS = "SKIPPED"


@ex.config
def cfg():
    mode = "ok"


@ex.automain
def main(mode):
    print("mode", mode)
    if mode == "fail":
        raise ValueError("intentional failure")
    if mode == "timeout":
        raise TimeoutInterrupt()
    if mode == "custom":
        raise Skipped()
    if mode == "exit3":
        sys.exit(3)
    return mode
