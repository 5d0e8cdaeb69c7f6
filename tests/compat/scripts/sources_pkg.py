"""Sources: modules imported from packages, one with an empty __init__.py."""
from pkg_empty import mod
from pkg_empty.mod import helper
from pkg_full.sub import f
from sacred import Experiment

ex = Experiment("sources")


@ex.automain
def main():
    print(mod.VALUE, helper(), f())
