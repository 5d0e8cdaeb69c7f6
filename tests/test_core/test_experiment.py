"""The experiment API in-process: config sources, injection, commands, hooks and config checks."""
from __future__ import annotations

import copy
import logging
import pickle

import pytest

from core import Experiment
from core.errors import (ConfigAddedError, MissingConfigError, ReadOnlyConfigError,
                         SignatureError)


def make_tutorial_experiment() -> Experiment:
    ex = Experiment("cmd demo")

    @ex.config
    def cfg():
        a = 1  # int
        b = "abc"  # str
        c = 1.2  # float

    @ex.capture
    def print_param(a, b, c=2.3):
        return (a, b, c)

    @ex.main
    def main():
        return [print_param(), print_param(2, "def"), print_param(b=2, c=10.5)]

    return ex


def test_capture_precedence_call_args_then_config_then_defaults():
    run = make_tutorial_experiment().run()
    assert run.result == [(1, "abc", 1.2), (2, "def", 1.2), (1, 2, 10.5)]
    assert run.status == "COMPLETED"


def test_config_updates_and_docs_reach_the_summary():
    ex = make_tutorial_experiment()
    run = ex.run(config_updates={"a": 5, "d.e": 3}, options={"--force": True})
    assert run.config["a"] == 5
    assert run.config["d"] == {"e": 3}
    summary = run.config_modifications
    assert "a" in summary.modified
    assert "d.e" in summary.added
    assert summary.docs["a"] == "int"
    assert summary.docs["seed"] == "the random seed for this experiment"


def test_unused_added_entry_raises_and_names_key_and_suggestion():
    ex = make_tutorial_experiment()
    with pytest.raises(ConfigAddedError) as info:
        ex.run(config_updates={"bb": 3})
    text = str(info.value)
    assert "Added new config entry that is not used anywhere" in text
    assert "bb=3" in text
    assert 'did you mean "b"' in text


def test_added_entry_used_by_a_function_only_warns(capsys):
    ex = Experiment("added")

    @ex.main
    def main(extra=0):
        return extra

    run = ex.run(config_updates={"extra": 7})
    assert run.result == 7
    assert 'WARNING - root - Added new config entry: "extra"' in capsys.readouterr().err


def test_type_change_warns(capsys):
    ex = make_tutorial_experiment()
    ex.run(config_updates={"a": "text"})
    assert 'WARNING - root - Changed type of config entry "a" from int to str' in capsys.readouterr().err


def test_each_run_sets_up_the_root_logger_as_sacred_does(capsys):
    """Without ex.logger, a run replaces the root logger's handlers with its own, at level INFO (as Sacred)."""
    root = logging.getLogger()
    root.addHandler(logging.NullHandler())
    root.setLevel(logging.ERROR)
    ex = Experiment("logging")
    ex.main(lambda _log: _log.info("hello from main"))
    ex.run()
    assert "INFO - <lambda> - hello from main" in capsys.readouterr().err
    assert root.level == logging.INFO and len(root.handlers) == 1


def test_seed_generated_recorded_and_reproducible():
    ex = Experiment("seeds")
    draws = []

    @ex.capture
    def draw(_seed, _rnd):
        return _seed, float(_rnd.integers(0, 10**6))

    @ex.main
    def main(seed):
        return [draw(), draw()]

    run1 = ex.run()
    assert isinstance(run1.config["seed"], int)
    run2 = ex.run(config_updates={"seed": run1.config["seed"]})
    assert run1.result == run2.result
    assert run1.result[0] != run1.result[1]
    assert "seed" in run2.config_modifications.modified
    run3 = ex.run(config_updates={"seed": run1.config["seed"] + 1})
    assert run3.result != run1.result
    assert draws == []


def test_global_random_is_seeded():
    import random
    ex = Experiment("globalseed")

    @ex.main
    def main():
        return random.random()

    assert ex.run(config_updates={"seed": 3}).result == ex.run(config_updates={"seed": 3}).result


def test_config_is_read_only_but_pickles_and_copies_to_plain_types():
    ex = Experiment("ro")

    @ex.config
    def cfg():
        opts = {"lr": 0.1, "layers": [1, 2]}

    @ex.main
    def main(_config, opts):
        with pytest.raises(ReadOnlyConfigError):
            opts["lr"] = 1
        with pytest.raises(ReadOnlyConfigError):
            opts["layers"].append(3)
        plain = copy.deepcopy(_config)
        plain["opts"]["lr"] = 2
        restored = pickle.loads(pickle.dumps(_config))
        restored["opts"]["layers"].append(5)
        return type(plain["opts"]).__name__, restored["opts"]["layers"]

    assert ex.run().result == ("dict", [1, 2, 5])


def test_missing_value_names_function_and_dotted_key():
    ex = Experiment("missing")

    @ex.capture(prefix="training")
    def train(lr):
        return lr

    @ex.main
    def main():
        return train()

    with pytest.raises(MissingConfigError) as info:
        ex.run()
    assert "train" in str(info.value)
    assert "training.lr" in str(info.value)


def test_unexpected_keyword_is_a_signature_error():
    ex = Experiment("kw")

    @ex.capture
    def f(a=1):
        return a

    @ex.main
    def main():
        return f(zzz=3)

    with pytest.raises(SignatureError, match="zzz"):
        ex.run()


def test_prefix_capture_reads_the_subtree():
    ex = Experiment("prefix")

    @ex.config
    def cfg():
        training = {"lr": 0.5, "epochs": 2}

    @ex.capture(prefix="training")
    def train(lr, epochs):
        return lr * epochs

    @ex.main
    def main():
        return train()

    assert ex.run().result == 1.0
    assert ex.run(config_updates={"training.epochs": 4}).result == 2.0


def test_commands_hooks_and_unobserved_flag():
    ex = Experiment("cmds")
    calls = []

    @ex.pre_run_hook
    def before():
        calls.append("pre")

    @ex.post_run_hook
    def after():
        calls.append("post")

    @ex.command(unobserved=True)
    def quiet():
        calls.append("quiet")
        return "q"

    @ex.main
    def main():
        calls.append("main")

    run = ex.run("quiet")
    assert run.result == "q" and run.unobserved
    ex.run()
    assert calls == ["pre", "quiet", "post", "pre", "main", "post"]


def test_system_exit_zero_completes():
    import sys
    ex = Experiment("exit")

    @ex.main
    def main():
        sys.exit(0)

    assert ex.run().status == "COMPLETED"


def test_failure_is_raised_with_status_and_trace():
    ex = Experiment("fail")

    @ex.main
    def main():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        ex.run()
    run = ex.current_run
    assert run.status == "FAILED"
    assert run.fail_trace[-1] == "ValueError: boom\n"
    assert not any("/core/" in line for line in run.fail_trace)


def test_run_without_main_is_a_clear_error():
    ex = Experiment("nomain")
    with pytest.raises(RuntimeError, match="No command found"):
        ex.run()


def test_run_records_meta_and_info():
    ex = make_tutorial_experiment()
    run = ex.run(info={"x": 1}, meta_info={"who": "me"}, options={"--comment": "hello"})
    assert run.info == {"x": 1}
    assert run.meta_info["who"] == "me"
    assert run.meta_info["comment"] == "hello"
    assert run.meta_info["command"] == "main"
    assert run.meta_info["options"]["--comment"] == "hello"


def test_numpy_is_seeded_and_rnd_is_a_generator():
    np = pytest.importorskip("numpy")
    ex = Experiment("npseed")

    @ex.main
    def main(_rnd):
        return float(np.random.rand()), type(_rnd).__name__, int(_rnd.integers(0, 1000))

    first = ex.run(config_updates={"seed": 11}).result
    assert first == ex.run(config_updates={"seed": 11}).result
    assert first[1] == "Generator"
    assert first != ex.run(config_updates={"seed": 12}).result
