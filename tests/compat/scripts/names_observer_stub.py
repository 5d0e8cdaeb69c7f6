"""Observers this library does not ship import fine; constructing one fails with one error."""
import sys

from sacred import Experiment
from sacred.observers import MongoObserver

ex = Experiment("stub")
if "--mongo" in sys.argv:
    sys.argv.remove("--mongo")
    ex.observers.append(MongoObserver(url="localhost:1", db_name="x"))


@ex.automain
def main():
    print("ran")
