"""My commands: a main function plus two commands with docstrings."""
from sacred import Experiment

ex = Experiment("my_commands")


@ex.config
def cfg():
    name = "John"


# greets the person named in the config
@ex.command
def greet(name):
    """
    Print a nice greet message.

    Uses the name from config.
    """
    print("Hello {}! Nice to greet you!".format(name))


@ex.command(unobserved=True)
def shout():
    """
    Shout slang question for "what is up?"
    """
    print("WHAZZZUUUUUUUUUUP!!!????")


def undocumented_helper():
    return 1


# A comment right above the decorator of a command without docstring
@ex.command
def quiet(name):
    print("psst", name)


@ex.automain
def main():
    print("This is just the main command. Try greet or shout.")
