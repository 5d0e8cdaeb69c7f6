"""Sacred's module and class names that scripts import, and the not-shipped observers."""
from __future__ import annotations

import importlib
import logging

import pytest

import core
from core import Experiment, Ingredient
from core.errors import ObserverNotShippedError

SACRED_MODULES = [
    "core.arg_parser", "core.commandline_options", "core.commands", "core.config", "core.config.captured_function",
    "core.config.config_dict", "core.config.config_files", "core.config.config_scope", "core.config.config_summary",
    "core.config.custom_containers", "core.config.signature", "core.config.utils", "core.dependencies",
    "core.experiment", "core.host_info", "core.ingredient", "core.initialize", "core.metrics_logger",
    "core.observers", "core.observers.base", "core.observers.file_storage", "core.observers.gcs_observer",
    "core.observers.mongo", "core.observers.queue", "core.observers.s3_observer", "core.observers.slack",
    "core.observers.sql", "core.observers.telegram_obs", "core.observers.tinydb_hashfs", "core.optional",
    "core.randomness", "core.run", "core.serializer", "core.settings", "core.stdout_capturing", "core.stflow",
    "core.utils",
]


@pytest.mark.parametrize("name", SACRED_MODULES)
def test_every_sacred_module_has_a_counterpart(name):
    module = importlib.import_module(name)
    for public in getattr(module, "__all__", ()):
        assert hasattr(module, public), f"{name}.{public}"


def test_the_top_level_names_of_sacred():
    for name in ("Experiment", "Ingredient", "observers", "host_info_getter", "__version__", "__author__",
                 "__author_email__", "__url__", "SETTINGS", "host_info_gatherer", "cli_option"):
        assert name in core.__all__ and hasattr(core, name), name


@pytest.mark.parametrize("name", ["MongoObserver", "QueuedMongoObserver", "SqlObserver", "TinyDbObserver",
                                  "TinyDbReader", "S3Observer", "GoogleCloudStorageObserver", "SlackObserver",
                                  "TelegramObserver", "QueueObserver"])
def test_observers_not_shipped_import_and_refuse_to_be_created(name):
    from core import observers
    cls = getattr(observers, name)
    with pytest.raises(ObserverNotShippedError) as info:
        cls(url="localhost", db_name="x")
    assert "not part of this package" in str(info.value)
    assert isinstance(info.value, ImportError)


def test_log_file_writer_without_tensorflow_says_so():
    pytest.importorskip("numpy")
    from core.stflow import LogFileWriter
    from core.utils import module_exists
    if module_exists("tensorflow"):
        pytest.skip("TensorFlow is installed")
    with pytest.raises(AttributeError, match="needs TensorFlow"):
        LogFileWriter(Experiment("tf"))


def test_experiment_helpers_of_sacred():
    data = Ingredient("data")
    data.command(lambda: 1)  # a command named <lambda>

    @data.command
    def stats():
        """Statistics."""

    @data.named_config
    def small():
        n = 1  # noqa: F841

    ex = Experiment("helpers", ingredients=[data])
    assert ex.get_default_options()["--force"] is False and ex.get_default_options()["--name"] is None
    assert "data.stats" in dict(ex.gather_commands()) and "print_config" in dict(ex.gather_commands())
    assert [name for name, _ in data.gather_commands()] == ["data.<lambda>", "data.stats"]
    assert [name for name, _ in data.gather_named_configs()] == ["data.small"]
    assert ex.post_process_name("helpers.cmd", ex) == "cmd" and ex.post_process_name("x.cmd", data) == "x.cmd"
    assert any(source.filename == __file__ for source in ex.sources)
    assert isinstance(ex.dependencies, set)


def test_host_info_getter_registers_and_runs_record_it():
    from core.host_info import host_info_gatherers, host_info_getter
    try:
        with pytest.warns(DeprecationWarning):
            @host_info_getter(name="answer")
            def answer():
                return 42
        ex = Experiment("host")
        ex.main(lambda: None)
        assert ex.run().host_info["answer"] == 42
    finally:
        host_info_gatherers.pop("answer", None)


def test_additional_host_info_may_not_replace_a_built_in_key():
    from core import host_info_gatherer

    @host_info_gatherer("hostname")
    def hostname():
        return "mine"

    with pytest.raises(KeyError, match="hostname"):
        Experiment("clash", additional_host_info=[hostname])


def test_unknown_command_prints_sacreds_usage_error_on_stdout(capsys):
    ex = Experiment("cmds")
    ex.main(lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ex.run_commandline(["prog", "prnt_config"])
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert out.startswith("Usage:\n")
    assert 'Error: Command "prnt_config" not found. Available commands are: print_config' in out
    assert 'Did you mean "print_config"?' in out


def test_help_command_shows_the_comment_above_a_function_without_docstring(tmp_path):
    import subprocess
    import sys
    import textwrap
    script = tmp_path / "exp.py"
    script.write_text(textwrap.dedent('''
        from core import Experiment
        ex = Experiment("helps")


        # Greets the person named in the config
        @ex.command
        def greet(name="x"):
            print(name)


        @ex.automain
        def main():
            pass
    '''))
    result = subprocess.run([sys.executable, str(script), "help", "greet"], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout == "greet(name='x')\n    # Greets the person named in the config\n\n"


def test_debug_log_level_logs_each_captured_call(capsys):
    ex = Experiment("debugging")

    @ex.capture
    def helper():
        return 1

    ex.main(lambda: helper())
    ex.run(options={"--loglevel": "DEBUG"})
    err = capsys.readouterr().err
    for line in ("DEBUG - debugging - Starting Heartbeat", "DEBUG - helper - Started",
                 "DEBUG - helper - Finished after 0:00:00.", "DEBUG - debugging - Stopping Heartbeat"):
        assert line in err
    logging.getLogger().setLevel(logging.INFO)


def test_commandline_option_subclasses_are_options_as_in_sacred():
    import gc

    from core.commandline_options import CommandLineOption
    from core.utils import get_inheritors

    class ColourfulOption(CommandLineOption):
        """Paint the run."""

        arg = "COLOUR"

        @classmethod
        def apply(cls, args, run):
            run.info["colour"] = args

    ex = Experiment("subclassed", interactive=True)
    ex.main(lambda: None)
    try:
        assert ColourfulOption.get_flags() == ("-c", "--colourful")
        with pytest.warns(UserWarning, match="Subclassing `CommandLineOption` is deprecated"):
            run = ex.run_commandline(["prog", "--colourful", "red", "-u"])
        assert run.info["colour"] == "red" and run.meta_info["options"]["--colourful"] == "red"
        with pytest.warns(UserWarning), pytest.raises(SystemExit) as exit_info:
            ex.run_commandline(["prog", "-c", "red"])  # -c is also --comment: ambiguous, as in Sacred
        assert exit_info.value.code == 1
        ColourfulOption._enabled = False  # a disabled option is left out when disabled ones are hidden
        core.SETTINGS.COMMAND_LINE.SHOW_DISABLED_OPTIONS = False
        with pytest.warns(UserWarning):
            assert "--colourful" not in [option.key for option in ex.all_options()]
    finally:
        core.SETTINGS.COMMAND_LINE.SHOW_DISABLED_OPTIONS = True
        ColourfulOption = run = ex = exit_info = None  # type: ignore[misc]  # drop every reference
        gc.collect()  # the subclass must not stay an option of later experiments in this process
    assert not get_inheritors(CommandLineOption)
