"""A config given only as a dict (no config scope): print_config shows no doc for the seed, as Sacred."""
from sacred import Experiment

ex = Experiment("config_dict")
ex.add_config({"greeting": "Hi", "name": "Ann"})


@ex.automain
def main(greeting, name):
    print(greeting, name)
