"""-e/--enforce_clean refuses to run outside a repository, with or without observers."""
from sacred import Experiment

ex = Experiment("clean")


@ex.automain
def main():
    print("ran")
