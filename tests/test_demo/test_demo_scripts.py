"""Every demo script runs from the command line, exits as expected and leaves the record it promises."""
from __future__ import annotations

import importlib.util
import math

import pytest
from demo_support import DemoScripts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HAVE_NUMPY = importlib.util.find_spec("numpy") is not None


def test_train_completes_with_live_metrics_a_clean_progress_bar_and_a_plot(demo: DemoScripts) -> None:
    result = demo.run("train.py", "-F", "runs", "with", "quick", "eval_every=5")
    assert result.returncode == 0, result.stderr
    assert "1/20  loss" in result.stdout and "final loss" in result.stdout  # the bar is redrawn every step
    run = demo.record("1")
    assert run["status"] == "COMPLETED" and run["meta"]["named_configs"] == ["quick"]
    assert run["artifacts"] == ["loss.png"]
    assert (demo.runs / "1" / "loss.png").read_bytes().startswith(PNG_SIGNATURE)
    metrics = demo.record("1", "metrics.json")
    assert sorted(metrics) == ["accuracy", "loss", "lr", "test_accuracy"]
    assert metrics["loss"]["steps"] == list(range(20))
    assert metrics["test_accuracy"]["steps"] == [4, 9, 14, 19]
    assert metrics["lr"]["values"][0] == 0.2 and metrics["lr"]["values"][1] == pytest.approx(0.198)
    assert run["result"] == metrics["test_accuracy"]["values"][-1]
    assert demo.record("1", "info.json")["maths"] == ("numpy" if HAVE_NUMPY else "plain Python")
    cout = (demo.runs / "1" / "cout.txt").read_text()
    assert "\r" not in cout and "1/20  loss" not in cout  # the filter keeps the last state of each bar line
    assert "[##############################] 20/20" in cout


@pytest.mark.parametrize(("updates", "status", "last_line"), [
    (("diverge_at=3",), "FAILED", "FloatingPointError: loss became nan at step 3 (diverge_at=3 asks for this)\n"),
    (("max_seconds=0.05", "delay=0.02"), "TIMEOUT", None),
])
def test_train_can_fail_or_time_out_on_request(demo: DemoScripts, updates: tuple[str, ...], status: str,
                                               last_line: str | None) -> None:
    result = demo.run("train.py", "-F", "runs", "with", "quick", *updates)
    assert result.returncode == 1
    run = demo.record("1")
    assert run["status"] == status
    if last_line is not None:
        assert run["fail_trace"][-1] == last_line
        assert math.isnan(demo.record("1", "metrics.json")["loss"]["values"][-1])  # logged before failing
    else:
        assert "Aborted after" in result.stderr


def test_train_runs_without_numpy(demo: DemoScripts) -> None:
    result = demo.run("train.py", "-F", "runs", "with", "quick", numpy=False)
    assert result.returncode == 0, result.stderr
    assert demo.record("1")["status"] == "COMPLETED"
    assert demo.record("1", "info.json")["maths"] == "plain Python"


def test_hello_config_named_configs_prefix_and_numpy_value(demo: DemoScripts) -> None:
    result = demo.run("hello_config.py", "-F", "runs", "with", "french", "repeat=3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Bonjour, world!"] * 3
    config = demo.record("1", "config.json")
    assert config["message"] == {"greeting": "Bonjour", "punctuation": "!"}  # the named config merged
    weights = [0.5, 1.0, 1.5, 2.0]
    assert config["weights"] == ({"dtype": "float64", "py/object": "numpy.ndarray", "values": weights}
                                 if HAVE_NUMPY else weights)
    assert config["volumes"] == [5, 10, 15, 20]
    assert demo.record("1", "metrics.json")["volume"]["values"] == [5, 10, 15]
    assert demo.record("1", "info.json") == {"said": {"text": "Bonjour, world!", "times": 3}}


def test_hello_config_commands_and_docs(demo: DemoScripts) -> None:
    shout = demo.run("hello_config.py", "shout", "with", "name=Ada", "loud", "-F", "runs")
    assert shout.returncode == 0, shout.stderr
    assert shout.stdout == "HELLO, ADA!!!\n"
    assert demo.record("1")["command"] == "shout"
    volumes = demo.run("hello_config.py", "show_volumes", "-F", "runs")
    assert volumes.returncode == 0 and "weight 2.00 -> volume 20" in volumes.stdout
    assert demo.run_ids() == ["1"]  # show_volumes is unobserved: no run stored
    named = demo.run("hello_config.py", "print_named_configs")
    assert "french" in named.stdout and "Three times, with three exclamation marks." in named.stdout
    config = demo.run("hello_config.py", "print_config")
    assert "# who to greet" in config.stdout


def test_hello_config_without_numpy_uses_a_list(demo: DemoScripts) -> None:
    result = demo.run("hello_config.py", "-F", "runs", numpy=False)
    assert result.returncode == 0, result.stderr
    assert demo.record("1", "config.json")["weights"] == [0.5, 1.0, 1.5, 2.0]


def test_ingredient_config_named_config_resource_and_command(demo: DemoScripts) -> None:
    fit = demo.run("ingredients_demo.py", "-F", "runs", "with", "dataset.first_half", "epochs=10")
    assert fit.returncode == 0, fit.stderr
    run = demo.record("1")
    assert run["status"] == "COMPLETED" and run["meta"]["named_configs"] == ["dataset.first_half"]
    assert demo.record("1", "config.json")["dataset"]["limit"] == 25
    [(source, stored)] = run["resources"]
    assert source.endswith("demo/data/points.csv") and "_resources/points_" in stored
    assert demo.record("1", "metrics.json")["mse"]["steps"] == [5, 10]
    assert set(run["result"]) == {"slope", "intercept"}
    stats = demo.run("ingredients_demo.py", "-F", "runs", "dataset.stats")
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith("50 points, mean x 2.450")
    assert (demo.record("2")["command"], demo.record("2")["meta"]["command"]) == ("stats", "dataset.stats")
    assert demo.record("2")["result"]["count"] == 50


def test_artifacts_demo_stores_text_csv_and_png(demo: DemoScripts) -> None:
    result = demo.run("artifacts_demo.py", "-F", "runs", "with", "points=30", numpy=False)
    assert result.returncode == 0, result.stderr
    run = demo.record("1")
    assert run["artifacts"] == ["report.txt", "curve.csv", "loss_curve.png"]
    folder = demo.runs / "1"
    assert (folder / "report.txt").read_text().startswith("made-up loss curve\n")
    lines = (folder / "curve.csv").read_text().splitlines()
    assert lines[0] == "step,loss" and len(lines) == 31
    assert (folder / "loss_curve.png").read_bytes().startswith(PNG_SIGNATURE)
    best = demo.record("1", "info.json")["best"]
    assert run["result"] == round(best["loss"], 4)
