"""The error types a script can catch from the experiment API."""
from sacred import Experiment, Ingredient

ex = Experiment("errors")


def report(what, action):
    try:
        action()
    except Exception as error:  # noqa: BLE001 - printing what was raised
        kinds = [kind.__name__ for kind in (KeyError, ValueError, TypeError, RuntimeError, OSError)
                 if isinstance(error, kind)]
        print(what, kinds)  # the kinds a script catches (our classes may be more specific)
    else:
        print(what, "no error")


report("dotted key", lambda: ex.add_config({"a.b": 1}))
report("dollar key", lambda: ex.add_config({"$a": 1}))
report("equals key", lambda: ex.add_config({"a=b": 1}))
report("bad version", lambda: ex.add_package_dependency("flask", "foobar"))
report("good version", lambda: ex.add_package_dependency("flask", "2.0.1rc1"))
report("empty config", lambda: ex.add_config())
report("both config", lambda: ex.add_config({"a": 1}, b=2))
report("missing file", lambda: ex.add_config("does_not_exist.json"))
report("bad type", lambda: ex.add_config(3))
report("no source", lambda: ex.add_source_file("nope.py"))
report("named twice", lambda: (ex.add_named_config("n", {"a": 1}), ex.add_named_config("n", {"a": 2})))
report("hook signature", lambda: ex.config_hook(lambda cfg, cmd, log: None))
report("option hook", lambda: ex.option_hook(lambda opts: None))
ing = Ingredient("ing")
report("cycle", lambda: list(Experiment("cyc", ingredients=[ing, Ingredient("ing2", ingredients=[ing])])
                             .traverse_ingredients()))


@ex.config
def cfg():
    a = 1


@ex.automain
def main(a):
    print("a", a)
