"""Differential cases for the features of Sacred's own examples: hello world, config dicts and scopes, captured
functions, commands, randomness, ingredients, modular ingredients, logging, output filters, runs by hand."""
from __future__ import annotations

import pytest

from compat_harness import OPTIONS_BLOCK, Case, assert_same, register

CASES = register(
    Case("hello", "ex_hello.py"),
    Case("hello_update", "ex_hello.py", ("with", "recipient=Bob", "repeat=2")),
    Case("hello_message", "ex_hello.py", ("with", "message='Ciao world!'")),
    Case("hello_named", "ex_hello.py", ("with", "rude")),
    Case("hello_named_update", "ex_hello.py", ("with", "rude", "recipient=Bob")),
    Case("hello_print_config", "ex_hello.py", ("print_config", "with", "recipient=Bob", "new_key=3")),
    Case("hello_print_named", "ex_hello.py", ("print_named_configs",)),
    Case("hello_unused_update", "ex_hello.py", ("with", "nope=1"), skip=frozenset({"error"}),
         known="ConfigAddedError: our message names the key and suggests a close one"),
    Case("hello_unused_update_forced", "ex_hello.py", ("-f", "with", "nope=1")),
    Case("hello_file_storage", "ex_hello.py", ("-F", "runs", "-c", "a comment", "with", "seed=3", "rude")),
    Case("hello_queue", "ex_hello.py", ("-F", "runs", "-q", "-P", "2", "--id", "mine", "with", "seed=5")),
    Case("hello_name_option", "ex_hello.py", ("-F", "runs", "-n", "renamed", "-u", "with", "seed=5")),
    Case("hello_print_config_option", "ex_hello.py", ("-p", "with", "seed=5")),
    Case("hello_help", "ex_hello.py", ("--help",), stdout_ignore=(OPTIONS_BLOCK,)),
    Case("captured", "ex_captured.py", ("-F", "runs", "with", "seed=1", "training.lr=0.5")),
    Case("captured_print_config", "ex_captured.py", ("print_config", "with", "training.epochs=4")),
    Case("commands_main", "ex_commands.py"),
    Case("commands_greet", "ex_commands.py", ("greet", "with", "name=Ann")),
    Case("commands_shout", "ex_commands.py", ("shout", "-F", "runs")),
    Case("commands_greet_observed", "ex_commands.py", ("greet", "-F", "runs", "with", "seed=2")),
    Case("commands_help", "ex_commands.py", ("help",), stdout_ignore=(OPTIONS_BLOCK,)),
    Case("commands_help_greet", "ex_commands.py", ("help", "greet")),
    Case("commands_help_quiet", "ex_commands.py", ("help", "quiet")),
    Case("commands_unknown", "ex_commands.py", ("gret",), stdout_ignore=(r' Did you mean "greet"\?',),
         known="we suggest the closest command"),
    Case("commands_unknown_after_options", "ex_commands.py", ("-F", "runs", "grete", "with", "name=x"),
         stdout_ignore=(r' Did you mean "greet"\?',), known="we suggest the closest command"),
    Case("commands_print_dependencies", "ex_commands.py", ("print_dependencies",),
         skip=frozenset({"stdout"}), known="dependencies name the library (sacred vs sacred-tui)"),
    Case("randomness", "ex_randomness.py", ("with", "seed=42")),
    Case("randomness_reverse", "ex_randomness.py", ("-F", "runs", "with", "seed=7", "reverse=True")),
    Case("randomness_legacy_api", "ex_randomness_legacy.py", ("--legacy", "with", "seed=3")),
    Case("randomness_example_as_written", "ex_randomness_legacy.py", ("with", "seed=3")),
    Case("numpy_first_imported_in_main", "ex_numpy_in_main.py", ("with", "seed=42")),
    Case("randomness_without_numpy", "ex_random_ingredients.py", ("with", "seed=5"), without_numpy=True),
    Case("randomness_example_without_numpy", "ex_randomness_legacy.py", ("with", "seed=3"), without_numpy=True),
    Case("random_ingredients", "ex_random_ingredients.py", ("with", "seed=5")),
    Case("random_ingredients_seed_update", "ex_random_ingredients.py", ("with", "seed=6", "model.seed=7")),
    Case("ingredient", "ex_ingredient.py", ("-F", "runs", "with", "seed=9")),
    Case("ingredient_named", "ex_ingredient.py", ("print_config", "with", "fbb", "dataset.small")),
    Case("ingredient_update", "ex_ingredient.py", ("with", "dataset.filename=x.npy", "dataset.normalize=False")),
    Case("ingredient_command", "ex_ingredient.py", ("dataset.stats", "with", "dataset.foo=3")),
    Case("ingredient_named_configs", "ex_ingredient.py", ("print_named_configs",)),
    Case("ingredient_help", "ex_ingredient.py", ("help", "dataset.stats")),
    Case("modular", "ex_modular.py", ("-F", "runs", "with", "seed=4")),
    Case("modular_print_config", "ex_modular.py", ("print_config", "with", "dataset.paths.base=/data/")),
    Case("logging", "ex_logging.py"),
    Case("logging_debug", "ex_logging.py", ("-l", "DEBUG", "with", "got_gizmo=True")),
    Case("logging_level_number", "ex_logging.py", ("--loglevel=30",)),
    Case("progress_filter", "ex_progress.py", ("with", "seed=1"), skip=frozenset({"cout"}),
         known="Sacred's filter sees partial lines and may garble cout.txt; ours filters complete output"),
    Case("less_magic", "ex_less_magic.py"),
    Case("failure", "ex_failures.py", ("-F", "runs", "with", "mode=fail", "seed=1")),
    Case("timeout", "ex_failures.py", ("-F", "runs", "with", "mode=timeout", "seed=1")),
    Case("custom_status", "ex_failures.py", ("-F", "runs", "with", "mode=custom", "seed=1")),
    Case("exit_code", "ex_failures.py", ("-F", "runs", "with", "mode=exit3", "seed=1")),
    Case("debug_failure", "ex_failures.py", ("-d", "with", "mode=fail")),
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_same_as_sacred(case: Case, compat_outcomes) -> None:
    assert_same(case, compat_outcomes)
