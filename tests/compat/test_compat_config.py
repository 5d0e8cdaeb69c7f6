"""Differential cases for config values: objects as entries, merged dicts, update order, tuples, empty
ingredients, error types; print_config docs; commands and help; randomness; names, observers, settings."""
from __future__ import annotations

import pytest

from compat_compare import assert_same
from compat_harness import OPTIONS_BLOCK, Case, register

CASES = register(
    Case("objects_run", "cfg_objects.py", ("-F", "runs", "with", "seed=1")),
    Case("objects_named", "cfg_objects.py", ("-F", "runs", "with", "ordered", "seed=1")),
    Case("objects_print_config", "cfg_objects.py", ("print_config", "with", "ordered")),
    Case("objects_save_config", "cfg_objects.py", ("save_config", "with", "config_filename=saved.json")),
    Case("merge_parameter_sees_merged_dict", "cfg_merge.py", ("with", "shared.y=5")),
    Case("merge_print_config", "cfg_merge.py", ("print_config", "with", "shared.y=5", "model.units=3")),
    Case("merge_whole_dict_after_dotted", "cfg_merge.py",
         ("print_config", "with", "model.units=32", 'model={"act": "gelu"}')),
    Case("merge_dotted_after_whole_dict", "cfg_merge.py",
         ("print_config", "with", 'model={"act": "gelu"}', "model.units=32")),
    Case("merge_key_order", "cfg_merge.py", ("with", "other.q=5")),
    Case("key_order_named_and_updates", "cfg_key_order.py",
         ("-f", "with", "second", "first", "data.small", "data.opts.d=4", "opts.k=1", "new2=1", "new1=2", "bb.v=3")),
    Case("key_order_whole_dict_update", "cfg_key_order.py", ("-f", "with", "first", "opts={'r': 1}", "top.i=0")),
    Case("merge_run", "cfg_merge.py", ("-F", "runs", "with", "seed=2", "model.units=32", 'model={"act": "gelu"}')),
    Case("tuples", "cfg_tuples.py", ("-F", "runs", "with", "seed=1", "shape=(64,64)", "pair=(5,6)",
                                     "opts.size=(7,8)", "d={1: 'a', 'b': (1, 2)}", "n=None")),
    Case("tuples_print_config", "cfg_tuples.py", ("print_config", "with", "pair=(5,6)", "shape=(1,)")),
    Case("error_types", "cfg_errors.py"),
    Case("invalid_config_raised_by_the_script", "cfg_invalid.py", ("-F", "runs", "with", "seed=1")),
    Case("invalid_config_raised_in_a_prefixed_function", "cfg_invalid.py", ("with", "mode=prefixed"),
         skip=frozenset({"error"}), known="Sacred keeps the prefixed keys in a generator and prints them once "
                                          "(in the run's fail_trace), none on stderr; we list them each time"),
    Case("docs_print_config", "print_docs.py", ("print_config",)),
    Case("docs_print_config_modified", "print_docs.py", ("print_config", "with", "opt.m=0.5", "lr=1")),
    Case("docs_print_config_dict_replaced", "print_docs.py", ("print_config", "with", "opt={'m': 1}")),
    Case("docs_print_config_named", "print_docs.py", ("print_config", "with", "big")),
    Case("docs_print_config_named_oneline", "print_docs.py", ("print_config", "with", "oneline", "fromdict")),
    Case("docs_print_named_configs", "print_docs.py", ("print_named_configs",)),
    Case("docs_named_run", "print_docs.py", ("-F", "runs", "with", "big", "seed=1")),
    Case("docs_help", "print_docs.py", ("-h",), stdout_ignore=(OPTIONS_BLOCK,)),
    Case("debug_log_lines", "cli_debug.py", ("-l", "DEBUG", "-F", "runs", "with", "seed=1")),
    Case("debug_log_lines_no_observer", "cli_debug.py", ("--loglevel", "DEBUG")),
    Case("public_names", "names_public.py"),
    Case("subclassed_options", "cli_subclassed_option.py", ("-x", "--tag=blue", "with", "seed=1")),
    Case("subclassed_options_short_flag_taken", "cli_subclassed_option.py", ("-t", "red", "with", "seed=2"),
         skip=frozenset({"error"}), known="Sacred's docopt raises DocoptLanguageError; ours names both options"),
    Case("subclassed_options_long_form", "cli_subclassed_option.py", ("--tag", "red", "with", "seed=2")),
    Case("observer_stub_imports", "names_observer_stub.py"),
    Case("file_storage_methods", "fs_methods.py", ("with", "seed=1")),
    Case("enforce_clean_without_repository", "enforce_clean.py", ("-e",)),
    Case("enforce_clean_with_observer", "enforce_clean.py", ("-e", "-F", "runs")),
    Case("enforce_clean_in_clean_repository", "enforce_clean.py", ("-e", "-F", "runs", "with", "seed=1"),
         git="clean"),
    Case("enforce_clean_in_dirty_repository", "enforce_clean.py", ("--enforce_clean",), git="dirty"),
    Case("repository_recorded", "enforce_clean.py", ("-F", "runs", "with", "seed=1"), git="dirty"),
    Case("repository_print_dependencies", "enforce_clean.py", ("print_dependencies",), git="dirty",
         stdout_ignore=(r"^Dependencies:\n.*?\n\n",), known="dependencies name the library"),
    Case("sources_of_packages", "sources_pkg.py", ("-F", "runs", "with", "seed=1"),
         files=("pkg_empty", "pkg_full")),
    Case("sources_print_dependencies", "sources_pkg.py", ("print_dependencies",), files=("pkg_empty", "pkg_full"),
         skip=frozenset({"stdout"}), known="compared in the files of sources_of_packages"),
    Case("sources_imported_after_the_experiment", "sources_late_import.py", ("-F", "runs", "with", "seed=1"),
         files=("pkg_empty", "pkg_full")),
    Case("numpy_values", "cfg_numpy_and_errors.py", ("-F", "runs", "with", "seed=1")),
    Case("numpy_values_print_config", "cfg_numpy_and_errors.py", ("print_config", "with", "scale=0.25")),
    Case("read_only_config", "cfg_numpy_and_errors.py", ("with", "mode=mutate"), skip=frozenset({"error"}),
         known="our message names what was changed and how to make a copy"),
    Case("missing_config_value", "cfg_numpy_and_errors.py", ("with", "mode=missing"), skip=frozenset({"error"}),
         known="our message names the key and how to set it"),
    Case("settings_munch", "settings_monkeypatch.py"),
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_same_as_sacred(case: Case, compat_outcomes) -> None:
    assert_same(case, compat_outcomes)
