"""A script raises InvalidConfigError for values that do not fit together; a prefixed function too."""
from sacred import Experiment
from sacred.utils import InvalidConfigError

ex = Experiment("invalid")


@ex.config
def cfg():
    a = 1
    b = {"a": 2}
    mode = "main"


@ex.capture(prefix="b")
def check_b(a):
    raise InvalidConfigError("b.a must be positive", conflicting_configs=("a",))


@ex.automain
def main(a, b, mode):
    if mode == "prefixed":
        check_b()
    if a != b["a"]:
        raise InvalidConfigError("Need to be equal", conflicting_configs=("a", "b.a"))
