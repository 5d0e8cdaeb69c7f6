"""The argv grammar: commands, `with` updates, options in every spelling, and clear errors."""
from __future__ import annotations

import pytest

from core.commandline import (BUILTIN_OPTIONS, default_options, format_help, format_usage, parse_command_line,
                              split_argv)
from core.errors import CommandLineError, UnsupportedObserverError


def parse(*args: str):
    return parse_command_line(["script.py", *args])


def test_defaults_have_sacreds_full_key_set():
    keys = set(default_options())
    assert keys == {"--beat-interval", "--capture", "--comment", "--debug", "--enforce_clean", "--file_storage",
                    "--force", "--help", "--id", "--loglevel", "--mongo_db", "--name", "--pdb", "--print-config",
                    "--priority", "--queue", "--s3", "--sql", "--tiny_db", "--unobserved"}


def test_command_updates_and_options_anywhere():
    parsed = parse("train", "-F", "runs", "with", "lr=0.1", "variant1", "-c", "a comment", "opts.m=2")
    assert parsed.command == "train"
    assert parsed.updates == ["lr=0.1", "variant1", "opts.m=2"]
    assert parsed.options["--file_storage"] == "runs"
    assert parsed.options["--comment"] == "a comment"
    meta = parsed.meta_options()
    assert meta["COMMAND"] == "train" and meta["with"] is True and meta["help"] is False
    assert meta["UPDATE"] == ["lr=0.1", "variant1", "opts.m=2"]


@pytest.mark.parametrize("spelling", [["--beat-interval", "2"], ["--beat_interval", "2"], ["--beat-interval=2"],
                                      ["-b", "2"], ["-b2"], ["--beat", "2"]])
def test_beat_interval_spellings(spelling):
    assert parse(*spelling).options["--beat-interval"] == "2"


@pytest.mark.parametrize("spelling", ["--print-config", "--print_config", "-p"])
def test_print_config_spellings(spelling):
    assert parse(spelling).options["--print-config"] is True


def test_bundled_short_flags():
    options = parse("-uq").options
    assert options["--unobserved"] and options["--queue"]


def test_words_after_with_are_updates_even_if_they_look_like_commands():
    parsed = parse("with", "a=3", "show", "with")
    assert parsed.command is None
    assert parsed.updates == ["a=3", "show", "with"]


def test_negative_number_update_is_not_an_option():
    assert parse("with", "a=-1").updates == ["a=-1"]


def test_help_forms():
    assert parse("help").help and parse("help").help_command is None
    assert parse("help", "train").help_command == "train"
    assert parse("-h").help and parse("--help").help


@pytest.mark.parametrize("args, fragment", [
    (["--bogus"], "Unknown option '--bogus'"),
    (["--unobserverd"], "Did you mean '--unobserved'"),
    (["-x"], "Unknown option '-x'"),
    (["with"], "'with' must be followed"),
    (["-F"], "needs a value"),
    (["a", "b"], "only one COMMAND"),
    (["--force=1"], "takes no value"),
])
def test_errors_name_what_was_wrong(args, fragment):
    with pytest.raises(CommandLineError) as info:
        parse(*args)
    assert fragment in str(info.value)


@pytest.mark.parametrize("flag", ["-m", "-s", "-t", "-S", "--mongo_db", "--sql", "--tiny_db", "--s3"])
def test_unsupported_observer_options_say_so(flag):
    with pytest.raises(UnsupportedObserverError, match="not part of this package"):
        parse(flag, "x")


def test_split_argv_accepts_strings_and_rejects_non_strings():
    assert split_argv("prog with 'a=1 2'") == ["prog", "with", "a=1 2"]
    with pytest.raises(ValueError):
        split_argv(["prog", 3])


def test_help_text_lists_options_and_commands():
    def main():
        """Run the thing."""

    text = format_help("exp.py", "My experiment.", [("print_config", main), ("main", main)])
    assert text.startswith(format_usage("exp.py"))
    assert "My experiment." in text
    for option in BUILTIN_OPTIONS:
        assert option.key in text
    assert "  main          Run the thing." in text
