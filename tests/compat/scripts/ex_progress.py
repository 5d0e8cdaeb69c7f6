"""Progress bars with backspaces and carriage returns, filtered by apply_backspaces_and_linefeeds."""
import sys

from sacred import Experiment
from sacred.observers import FileStorageObserver
from sacred.utils import apply_backspaces_and_linefeeds

ex = Experiment("progress")
ex.captured_out_filter = apply_backspaces_and_linefeeds
ex.observers.append(FileStorageObserver("runs"))


def write_and_flush(*args):
    for arg in args:
        sys.stdout.write(arg)
    sys.stdout.flush()


@ex.main
def main():
    for done in range(1, 21):
        write_and_flush("\b" * 80, "\r", "Completed {}/{} tasks".format(done, 20))
    write_and_flush("\n")
    print("abc\bd")


if __name__ == "__main__":
    run = ex.run_commandline()
    print("=" * 20)
    print("filtered:", "\b" not in run.captured_out and "\r" not in run.captured_out)
