"""Every snippet of the tutorial our users follow, with only the imports changed to ``core``."""
from __future__ import annotations

import json

import pytest

np = pytest.importorskip("numpy")

SKLEARN_STAND_IN = '''
"""A tiny stand-in for the three scikit-learn calls the tutorial's first example makes."""
import types


class SVC:
    def __init__(self, C, kernel, gamma):
        self.params = (C, kernel, gamma)

    def fit(self, X, y):
        self.majority = max(set(y), key=y.count)

    def score(self, X, y):
        return sum(1 for label in y if label == self.majority) / len(y)


svm = types.SimpleNamespace(SVC=SVC)
datasets = types.SimpleNamespace(load_breast_cancer=lambda return_X_y: ([[i] for i in range(10)], [0, 1] * 5))
model_selection = types.SimpleNamespace(
    train_test_split=lambda X, y, test_size: (X[:8], X[8:], y[:8], y[8:]))
'''


def test_svm_example_with_file_storage(script):
    script.write("sklearn.py", SKLEARN_STAND_IN)
    script.write("svm_demo.py", '''
        """A standard machine learning task using sacred's magic."""
        from core import Experiment
        from core.observers import FileStorageObserver
        from sklearn import svm, datasets, model_selection

        ex = Experiment("svm")

        ex.observers.append(FileStorageObserver("my_runs"))


        @ex.config  # Configuration is defined through local variables.
        def cfg():
            C = 1.0
            gamma = 0.7
            kernel = "rbf"
            seed = 42


        @ex.capture
        def get_model(C, gamma, kernel):
            return svm.SVC(C=C, kernel=kernel, gamma=gamma)


        @ex.automain  # Using automain to enable command line integration.
        def run():
            X, y = datasets.load_breast_cancer(return_X_y=True)
            X_train, X_test, y_train, y_test = model_selection.train_test_split(
                X, y, test_size=0.2
            )
            clf = get_model()  # Parameters are injected automatically.
            clf.fit(X_train, y_train)
            return clf.score(X_test, y_test)
        ''')
    result = script.run("svm_demo.py", "with", "C=2.0")
    assert result.returncode == 0, result.stderr
    record = json.loads((script.folder / "my_runs" / "1" / "run.json").read_text())
    assert record["status"] == "COMPLETED"
    assert record["result"] == 0.5
    config = json.loads((script.folder / "my_runs" / "1" / "config.json").read_text())
    assert config == {"C": 2.0, "gamma": 0.7, "kernel": "rbf", "seed": 42}


def test_main_with_run_commandline_and_automain(script):
    script.write("run_demo.py", '''
        from core import Experiment
        ex = Experiment('run demo')

        @ex.main
        def main():
            print('Main executed.')

        # or use ex.run() when no command is specified
        ex.run_commandline()
        ''')
    script.write("auto_demo.py", '''
        from core import Experiment
        ex = Experiment('run demo')

        @ex.automain
        def main():
            print('Main executed.')
        ''')
    for name in ("run_demo.py", "auto_demo.py"):
        result = script.run(name)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "Main executed."


def test_config_with_numpy_array(script):
    script.write("cfg_demo.py", '''
        from core import Experiment
        import numpy as np
        ex = Experiment('cfg demo')

        @ex.config
        def cfg():
            a = 1
            b = 2.3
            c = np.array([4,5,6])

        @ex.automain
        def main(a, b, c):
            result = (c + a) * b
            print(result)
        ''')
    result = script.run("cfg_demo.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str((np.array([4, 5, 6]) + 1) * 2.3)


def test_named_config_variant_and_file(script):
    script.write("named_configs_demo.py", '''
        from core import Experiment
        ex = Experiment('named')

        @ex.config
        def cfg():
            a = 1
            c = "foo"

        @ex.named_config
        def variant1():
            a = 100
            c = "bar"

        @ex.automain
        def main(a, c):
            print(a, c)
        ''')
    assert script.run("named_configs_demo.py", "with", "variant1").stdout.strip() == "100 bar"
    (script.folder / "variant1.json").write_text('{"a": 5, "c": "file"}')
    assert script.run("named_configs_demo.py", "with", "variant1.json").stdout.strip() == "5 file"


@pytest.mark.parametrize("value, shown", [
    ("1", "<class 'int'>, 1"),
    ("'1'", "<class 'str'>, 1"),
    ("[1,2,3]", "<class 'core.config.readonly.ReadOnlyList'>, [1, 2, 3]"),
    ('["hello", "world"]', "<class 'core.config.readonly.ReadOnlyList'>, ['hello', 'world']"),
    ("[hello, world]", "<class 'str'>, [hello, world]"),
])
def test_cmd_demo_value_types(script, value, shown):
    script.write("cmd_demo.py", '''
        from core import Experiment
        ex = Experiment('cmd demo')

        @ex.config
        def cfg():
            a = 1      # int
            b = 'abc'  # str

        @ex.automain
        def main(a, b, c):
            print(f'a: {type(a)}, {a}')
            print(f'b: {type(b)}, {b}')
            print(f'c: {type(c)}, {c}')
        ''')
    result = script.run("cmd_demo.py", "with", f"c={value}")
    assert result.returncode == 0, result.stderr
    assert f"c: {shown}" in result.stdout


def test_custom_command_and_logger(script):
    script.write("demo.py", '''
        from core import Experiment
        ex = Experiment('cmd demo')

        @ex.config
        def cfg():
            a = 1

        @ex.capture
        def some_function(_log):
            _log.warning('My warning message!')

        @ex.command
        def train(_run, _config):
            """
            Training a deep neural network.
            """
            some_function()
            print("training with", _config["a"])

        @ex.automain
        def main():
            pass
        ''')
    result = script.run("demo.py", "train", "with", "a=4")
    assert result.returncode == 0, result.stderr
    assert "training with 4" in result.stdout
    assert "WARNING - some_function - My warning message!" in result.stderr
    assert "Training a deep neural network." in script.run("demo.py", "--help").stdout
    assert "a = 1" in script.run("demo.py", "print_config", "with", "a=1").stdout


@pytest.mark.parametrize("flags", [["-F", "my_runs_demo"], ["--file_storage=my_runs_demo"]])
def test_metrics_demo_with_file_storage_flag(script, flags):
    script.write("metrics_demo.py", '''
        from core import Experiment

        ex = Experiment('metrics demo')

        @ex.config
        def cfg():
            a = list(range(10))

        @ex.capture
        def linear(a, _run):
            for i in a:
                _run.log_scalar('data.x', i)     # step starts at 0 and increments
                _run.log_scalar('data.y', i*2)
                _run.log_scalar('data,z', i, 2)  # step=2

        @ex.automain
        def main():
            linear()
        ''')
    result = script.run("metrics_demo.py", *flags)
    assert result.returncode == 0, result.stderr
    metrics = json.loads((script.folder / "my_runs_demo" / "1" / "metrics.json").read_text())
    assert metrics["data.x"]["steps"] == list(range(10))
    assert metrics["data.y"]["values"] == [i * 2 for i in range(10)]
    assert metrics["data,z"]["steps"] == [2] * 10
    assert len(metrics["data,z"]["timestamps"]) == 10


def test_resources_and_artifacts(script):
    (script.folder / "input.txt").write_text("1 2 3\n4 5 6\n")
    script.write("resource_demo.py", '''
        from core import Experiment
        from core.observers import FileStorageObserver
        import numpy as np

        ex = Experiment('resource demo')
        ex.observers.append(FileStorageObserver('my_runs_demo'))

        @ex.config
        def cfg():
            input_name = 'input.txt'
            output_name = 'output.npz'

        @ex.capture
        def to_npz(input_name, output_name, _run):
            array = []
            with _run.open_resource(input_name) as f:
                for line in f.readlines():
                    array.append(list(map(float, line.strip().split(' '))))
            array = np.array(array)
            np.savez(output_name, array)
            _run.add_artifact(output_name)

        @ex.automain
        def main():
            to_npz()
        ''')
    result = script.run("resource_demo.py")
    assert result.returncode == 0, result.stderr
    run_dir = script.folder / "my_runs_demo" / "1"
    record = json.loads((run_dir / "run.json").read_text())
    assert record["artifacts"] == ["output.npz"]
    assert (run_dir / "output.npz").exists()
    original, stored = record["resources"][0]
    assert original == str(script.folder / "input.txt")
    assert stored.startswith("my_runs_demo/_resources/input_") and stored.endswith(".txt")
    assert (script.folder / stored).read_text() == "1 2 3\n4 5 6\n"
