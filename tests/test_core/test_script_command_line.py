"""The command line through a real subprocess, as a user types it."""
from __future__ import annotations

import json

import pytest

EXPERIMENT = '''
"""A small experiment for command-line tests."""
from core import Experiment

ex = Experiment("clitest")


@ex.config
def cfg():
    """Main config docstring."""
    lr = 0.01  # learning rate
    epochs = 3
    opts = {"momentum": 0.9}
    value = None
    name = "run"


@ex.named_config
def variant1():
    """Use a bigger learning rate."""
    lr = 0.5


@ex.named_config
def variant2():
    epochs = 10


@ex.command
def show(value):
    """Show the value and its type."""
    print(repr(value), type(value).__name__.replace("ReadOnly", "").lower())


@ex.command
def fail():
    """Fail on purpose."""
    raise ValueError("intentional failure")


@ex.automain
def main(lr, epochs, opts, name):
    print("lr", repr(lr), "epochs", epochs, "momentum", opts["momentum"], "name", name)
'''


@pytest.fixture
def exp(script):
    script.write("exp.py", EXPERIMENT)
    return script


def test_main_runs_with_updates(exp):
    result = exp.run("exp.py", "with", "lr=0.1", "opts.momentum=0.5")
    assert result.returncode == 0, result.stderr
    assert "lr 0.1 epochs 3 momentum 0.5 name run" in result.stdout
    assert "Running command 'main'" in result.stderr
    assert "Completed after" in result.stderr


@pytest.mark.parametrize("update, shown", [
    ("value=1e3", "1000.0 float"),
    ("value=[1,2,3]", "[1, 2, 3] list"),
    ("value={'a': 1}", "{'a': 1} dict"),
    ("value='1'", "'1' str"),
    ("value=abc", "'abc' str"),
    ("value=", "'' str"),
    ("value=[1,abc]", "'[1,abc]' str"),
    ("value={1,2}", "{1, 2} set"),
    ("value=1+2j", "(1+2j) complex"),
    ("value=True", "True bool"),
    ("value=__import__('os').getcwd()", "\"__import__('os').getcwd()\" str"),
])
def test_update_values(exp, update, shown):
    result = exp.run("exp.py", "show", "with", update)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


def test_jsonpickle_tags_are_refused_not_constructed(exp):
    result = exp.run("exp.py", "show", "with", 'value={"py/tuple": [1, 2]}')
    assert result.returncode == 1
    assert 'Invalid key "py/tuple"' in result.stderr
    assert "Traceback" not in result.stderr


def test_named_configs_and_files_mix_in_order(exp):
    (exp.folder / "conf.yaml").write_text("lr: 0.3\nepochs: 7\n")
    result = exp.run("exp.py", "with", "variant1", "conf.yaml", "name=x")
    assert result.returncode == 0, result.stderr
    assert "lr 0.3 epochs 7 momentum 0.9 name x" in result.stdout
    result = exp.run("exp.py", "with", "conf.yaml", "variant1", "lr=0.1")
    assert "lr 0.1 epochs 7" in result.stdout


def test_help_uses_the_script_name_and_lists_commands(exp):
    result = exp.run("exp.py", "--help")
    assert result.returncode == 0
    assert "exp.py [(with UPDATE...)] [options]" in result.stdout
    assert "A small experiment for command-line tests." in result.stdout
    assert "show" in result.stdout and "Show the value and its type." in result.stdout
    assert "--beat-interval" in result.stdout
    detail = exp.run("exp.py", "help", "show")
    assert detail.returncode == 0 and "Show the value" in detail.stdout


def test_bad_option_names_it_prints_usage_and_writes_nothing(exp):
    result = exp.run("exp.py", "-F", "runs", "--bogus")
    assert result.returncode == 1
    assert "Unknown option '--bogus'" in result.stderr
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (exp.folder / "runs").exists()


def test_unknown_command(exp):
    result = exp.run("exp.py", "shwo")
    assert result.returncode == 1
    assert 'Command "shwo" not found' in result.stdout and 'Did you mean "show"?' in result.stdout


def test_unknown_named_config_suggests(exp):
    result = exp.run("exp.py", "with", "varient1")
    assert result.returncode == 1
    assert "variant1" in result.stderr and "Did you mean" in result.stderr
    assert "Traceback" not in result.stderr


def test_added_entry_error_and_force(exp):
    result = exp.run("exp.py", "with", "lrr=3")
    assert result.returncode == 1
    assert "Added new config entry that is not used anywhere" in result.stderr
    assert "lrr=3" in result.stderr
    assert "Traceback" not in result.stderr
    forced = exp.run("exp.py", "-f", "with", "lrr=3")
    assert forced.returncode == 0, forced.stderr


def test_type_change_warning(exp):
    result = exp.run("exp.py", "with", "epochs=abc")
    assert 'Changed type of config entry "epochs" from int to str' in result.stderr


def test_failure_traceback_hides_internal_frames(exp):
    result = exp.run("exp.py", "fail")
    assert result.returncode == 1
    assert "Failed after" in result.stderr
    assert "ValueError: intentional failure" in result.stderr
    assert 'exp.py", line' in result.stderr
    assert "/core/" not in result.stderr


def test_print_config_colours(exp):
    coloured = exp.run("exp.py", "print_config", "with", "lr=0.2", "new=1", "epochs=x", "-f",
                       env={"FORCE_COLOR": "1"})
    out = coloured.stdout
    assert coloured.returncode == 0, coloured.stderr
    assert "\x1b[34m  lr = 0.2" in out
    assert "\x1b[32m  new = 1" in out
    assert "\x1b[31m  epochs = 'x'" in out
    assert "\x1b[2m# learning rate\x1b[0m" in out
    assert '\x1b[2m  """Main config docstring."""\x1b[0m' in out
    plain = exp.run("exp.py", "print_config", "with", "lr=0.2")
    assert "\x1b[" not in plain.stdout
    assert "  lr = 0.2                           # learning rate" in plain.stdout
    no_colour = exp.run("exp.py", "print_config", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in no_colour.stdout


def test_print_config_json(exp):
    result = exp.run("exp.py", "print_config", "--json", "with", "variant1", "new=1", "-f")
    data = json.loads(result.stdout)
    assert data["config"]["lr"] == 0.5
    assert data["entries"]["lr"]["modified"] is True
    assert data["entries"]["lr"]["doc"] == "learning rate"
    assert data["entries"]["new"]["added"] is True
    assert data["named_configs"] == ["variant1"]


def test_print_named_configs_text_and_json(exp):
    text = exp.run("exp.py", "print_named_configs").stdout
    assert "Named Configurations (doc):" in text
    assert "  variant1   # Use a bigger learning rate." in text
    assert "  variant2" in text
    data = json.loads(exp.run("exp.py", "print_named_configs", "--json").stdout)
    assert {"name": "variant1", "doc": "Use a bigger learning rate."} in data["named_configs"]
    commands = {c["name"]: c["doc"] for c in data["commands"]}
    assert commands["show"] == "Show the value and its type."
    assert data["default_command"] == "main"


def test_save_config(exp):
    result = exp.run("exp.py", "save_config", "with", "config_filename=out.yaml", "lr=0.2")
    assert result.returncode == 0, result.stderr
    import yaml
    saved = yaml.safe_load((exp.folder / "out.yaml").read_text())
    assert saved["lr"] == 0.2 and "config_filename" not in saved and "seed" in saved


def test_print_dependencies(exp):
    result = exp.run("exp.py", "print_dependencies")
    assert result.returncode == 0, result.stderr
    assert "Dependencies:" in result.stdout and "Sources:" in result.stdout
    assert "exp.py" in result.stdout


def test_experiment_split_across_config_and_run_modules(script):
    script.write("cfg_demo_cfg.py", '''
        from core import Experiment
        ex = Experiment("cfg demo")

        @ex.config
        def cfg():
            a = 1
            b = 2.5
        ''')
    script.write("cfg_demo_run.py", '''
        from cfg_demo_cfg import ex

        @ex.automain
        def main(a, b):
            print("result", (1 + a) * b)
        ''')
    result = script.run("cfg_demo_run.py", "with", "a=3")
    assert result.returncode == 0, result.stderr
    assert "result 10.0" in result.stdout


def test_comprehensions_in_config_scope_work(script):
    script.write("comp.py", '''
        from core import Experiment
        ex = Experiment("comp")

        @ex.config
        def cfg():
            video_indices = list(range(10))
            train_index = video_indices[:7]
            val_index = [i for i in video_indices if i not in train_index]
            total = sum(i * 2 for i in train_index)
            scale = lambda x: x * len(train_index)

        @ex.automain
        def main(val_index, total):
            print(val_index, total)
        ''')
    result = script.run("comp.py")
    assert result.returncode == 0, result.stderr
    assert "[7, 8, 9] 42" in result.stdout
