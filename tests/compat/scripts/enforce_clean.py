"""The enforce_clean option refuses to run outside a repository or in a dirty one, with or without observers."""
from sacred import Experiment

ex = Experiment("clean")


@ex.automain
def main():
    print("ran")
