"""Tests of the launcher's data layer: argv building, probes, launching, stopping, re-run plans."""
from __future__ import annotations

import json
import shlex
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from core.runs import RunRecord, RunsFolder
from sacred_tui.data.launch_spec import LaunchSpec, check_word, format_argv
from sacred_tui.data.launcher import LaunchedRun, LaunchError, Launcher, exit_text
from sacred_tui.data.rerun import (file_md5, plan_rerun, recorded_md5, rerun_options, rerun_updates,
                                   source_changes)
from sacred_tui.data.script_catalog import ScriptCatalog
from sacred_tui.data.script_interface import (ProbeError, extract_json, preview_config, read_interface,
                                              summarize_stderr)

DATA = Path(__file__).parent.parent / "data"
TINY = DATA / "launch" / "tiny_exp.py"
BROKEN = DATA / "launch" / "broken_exp.py"
REFERENCE = DATA / "reference_runs" / "runs"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    """A private copy of the tiny experiment (tests may edit it)."""
    folder = tmp_path / "exp"
    folder.mkdir()
    return Path(shutil.copy(TINY, folder / "tiny_exp.py"))


def wait_until_done(launcher: Launcher, launch: LaunchedRun, timeout: float = 15.0) -> int:
    code = launcher.wait(launch, timeout)
    assert code is not None, f"{launch.command_line} did not end: {launch.stderr_tail()}"
    launcher.poll()
    return code


def record(runs: Path, run_id: str) -> RunRecord:
    return RunsFolder(runs).run(run_id).read_record()


# -- argv -----------------------------------------------------------------------------------------

def test_argv_puts_every_value_in_one_element(tmp_path: Path) -> None:
    spec = LaunchSpec.create(tmp_path / "train.py", "evaluate", ["big", "conf.yaml"],
                             ["lr=0.1", "msg=x; rm -rf ~"],
                             {"--comment": "-not a flag; $(id)", "--force": True, "--debug": False},
                             python="/usr/bin/python3")
    argv = spec.argv(tmp_path / "runs")
    assert argv == ["/usr/bin/python3", "train.py", "evaluate", "with", "big", "conf.yaml", "lr=0.1",
                    "msg=x; rm -rf ~", "--comment=-not a flag; $(id)", "--force",
                    "-F", str(tmp_path / "runs")]
    assert spec.cwd == tmp_path
    shown = format_argv(argv, spec.cwd)
    assert shown.startswith(f"cd {tmp_path} && /usr/bin/python3 train.py evaluate with big")
    assert "'msg=x; rm -rf ~'" in shown


def test_display_quoting_reads_like_a_shell_line_and_splits_back() -> None:
    words = ["msg='first'", "a b", "it's $HOME", "plain", ""]
    shown = format_argv(words)
    assert shown.startswith('"msg=\'first\'" \'a b\' ')
    assert shlex.split(shown) == words


def test_argv_for_probes_replaces_the_command_and_keeps_words(tmp_path: Path) -> None:
    spec = LaunchSpec.create(tmp_path / "-odd.py", "evaluate", ["big"], ["a=1"], python="py")
    assert spec.argv(head=("print_config", "--json")) == [
        "py", str(tmp_path / "-odd.py"), "print_config", "--json", "with", "big", "a=1"]


@pytest.mark.parametrize(("word", "named", "fragment"), [
    ("--unobserved", True, "starts with '-'"),
    ("-F=/tmp", False, "starts with '-'"),
    ("lr", False, "not an update"),
    ("a=1", True, "not a named config"),
    ("a..b=1", False, "empty part"),
    ("", False, "empty"),
])
def test_bad_words_are_refused(word: str, named: bool, fragment: str) -> None:
    assert fragment in (check_word(word, named=named) or "")


def test_good_words_pass() -> None:
    assert check_word("opts.momentum=0.9", named=False) is None
    assert check_word("msg=x; rm -rf ~", named=False) is None
    assert check_word("data.small", named=True) is None


def test_spec_problems_name_what_is_wrong(tmp_path: Path) -> None:
    spec = LaunchSpec.create(tmp_path / "missing.py", "-x", ["-u"], ["lr"],
                             {"--capture": "tee", "--file_storage": "/x", "--beat-interval": "fast",
                              "--force": "yes"})
    problems = " ".join(spec.problems())
    for fragment in ("does not exist", "Invalid command name '-x'", "starts with '-'", "not an update",
                     "--capture must be one of fd, sys, no, got 'tee'", "--file_storage is not allowed",
                     "--beat-interval must be a number", "--force is a switch"):
        assert fragment in problems
    assert LaunchSpec.create(TINY, updates=["lr=0.1"], options={"--comment": "ok"}).problems() == []


# -- probes ---------------------------------------------------------------------------------------

def test_read_interface_lists_commands_named_configs_and_defaults() -> None:
    interface = read_interface(TINY, sys.executable)
    assert interface.default_command == "main"
    assert [c.name for c in interface.user_commands()] == ["main", "hello"]
    assert next(c for c in interface.commands if c.name == "hello").first_line == "Say the message."
    assert [(n.name, n.first_line) for n in interface.named_configs] == [
        ("fast", "Fewer, quicker steps."), ("slow", "Many slow steps: runs until stopped.")]
    assert interface.defaults.config["opts"] == {"a": 1, "b": {"c": 2}}
    assert {"msg", "opts", "opts.a", "opts.b", "opts.b.c", "steps"} <= set(interface.defaults.keys())
    assert interface.defaults.entries["msg"].doc == "the text main prints (as repr)"


def test_read_interface_reports_the_scripts_own_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError) as missing:
        read_interface(BROKEN, sys.executable)
    assert "ModuleNotFoundError: No module named 'module_that_does_not_exist'" in missing.value.summary
    assert "Traceback" in missing.value.stderr
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def (\n")
    with pytest.raises(ProbeError, match="SyntaxError"):
        read_interface(syntax, sys.executable)
    plain = tmp_path / "plain.py"
    plain.write_text("print('just a script')\n")
    with pytest.raises(ProbeError, match="printed no JSON"):
        read_interface(plain, sys.executable)
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(30)\n")
    with pytest.raises(ProbeError, match="did not answer within 0.5 s"):
        read_interface(slow, sys.executable, timeout=0.5)
    with pytest.raises(ProbeError, match="Cannot run the interpreter"):
        read_interface(TINY, str(tmp_path / "no-python"))
    with pytest.raises(ProbeError, match="does not exist"):
        read_interface(tmp_path / "nope.py", sys.executable)


def test_extract_json_skips_what_the_script_printed_first() -> None:
    assert extract_json('loading {weights}\n{"config": {"a": 1}}\n') == {"config": {"a": 1}}
    with pytest.raises(ValueError):
        extract_json("no json here {")


def test_summarize_stderr_picks_the_error_line() -> None:
    stderr = "INFO - x - Started\nTraceback (most recent call last):\n  File 'a'\nKeyError: 'lr'\n"
    assert summarize_stderr(stderr) == "KeyError: 'lr'"
    assert summarize_stderr("") == ""


def test_preview_marks_modified_added_and_type_changed() -> None:
    spec = LaunchSpec.create(TINY, named_configs=["fast"], updates=["msg='hi'", "steps='many'"])
    preview = preview_config(spec)
    assert preview.config["steps"] == "many" and preview.config["delay"] == 0.0
    assert preview.entries["msg"].modified and preview.entries["delay"].modified
    assert preview.entries["steps"].typechanged == ("int", "str")
    assert preview.named_configs == ["fast"]
    with pytest.raises(ProbeError) as added:
        preview_config(LaunchSpec.create(TINY, updates=["zzz=1"]))
    assert "Added new config entry" in added.value.details()
    forced = preview_config(LaunchSpec.create(TINY, updates=["zzz=1"], options={"--force": True}))
    assert forced.config["zzz"] == 1 and forced.entries["zzz"].added


# -- launching ------------------------------------------------------------------------------------

def test_user_text_reaches_the_script_as_one_string_only(script: Path, tmp_path: Path) -> None:
    """A value full of shell syntax is a string value: no shell ever sees it."""
    canary = tmp_path / "pwned"
    hostile = f"x; rm -rf ~; touch {canary} && $(touch {canary}) `touch {canary}` | cat"
    launcher = Launcher(tmp_path / "runs", log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(script, updates=[f"msg={hostile}"],
                                              options={"--comment": f"; touch {canary}"}))
    assert wait_until_done(launcher, launch) == 0
    assert f"msg is {hostile!r}" in launch.stdout_tail()
    assert not canary.exists()
    assert launch.run_id == "1"
    config = json.loads((tmp_path / "runs" / "1" / "config.json").read_text())
    assert config["msg"] == hostile
    assert record(tmp_path / "runs", "1").comment == f"; touch {canary}"


def test_launch_learns_run_id_exit_code_and_keeps_output(script: Path, tmp_path: Path) -> None:
    launcher = Launcher(tmp_path / "runs", log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(script, named_configs=["fast"], options={"--name": "renamed"}))
    assert launch.running and launch.state == "running"
    assert wait_until_done(launcher, launch) == 0
    assert launch.run_id == "1" and launch.state == "exit 0" and not launch.running
    assert launcher.for_run("1") is launch and launcher.running() == []
    assert 'Started run with ID "1"' in launch.stderr_tail()
    stored = record(tmp_path / "runs", "1")
    assert stored.experiment_name == "renamed" and stored.named_configs == ["fast"]
    assert launch.matches(stored)
    assert not launch.matches(RunRecord(id="9", start_time=datetime(2000, 1, 1), options=stored.options))


def test_launch_failing_before_a_run_starts(tmp_path: Path) -> None:
    launcher = Launcher(tmp_path / "runs", log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(BROKEN))
    assert wait_until_done(launcher, launch) == 1
    assert launch.run_id is None and "ModuleNotFoundError" in launch.stderr_tail()
    with pytest.raises(LaunchError, match="Cannot start"):
        launcher.start(LaunchSpec.create(TINY, python=str(tmp_path / "no-python")))
    with pytest.raises(LaunchError, match="not an update"):
        launcher.start(LaunchSpec.create(TINY, updates=["lr"]))


def test_stop_sends_sigint_and_the_run_ends_interrupted(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    launcher = Launcher(runs, log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(script, named_configs=["slow"]))
    deadline = time.monotonic() + 10
    while launch.run_id is None and time.monotonic() < deadline:
        launcher.poll()
        time.sleep(0.02)
    assert launch.run_id == "1"
    assert launcher.next_signal(launch) == "SIGINT"
    assert launcher.stop(launch) == "SIGINT"
    assert launch.state == "stopping (SIGINT sent)"
    assert wait_until_done(launcher, launch) == 130
    assert record(runs, "1").status == "INTERRUPTED"
    assert launcher.stop(launch) is None


def test_second_stop_sends_sigterm(tmp_path: Path) -> None:
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text("import signal, sys, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                        "print('Started run with ID \"7\"', file=sys.stderr, flush=True)\ntime.sleep(30)\n")
    launcher = Launcher(tmp_path / "runs", log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(stubborn))
    deadline = time.monotonic() + 10
    while launch.run_id is None and time.monotonic() < deadline:
        launcher.poll()
        time.sleep(0.02)
    assert launch.run_id == "7"
    assert launcher.stop(launch) == "SIGINT"
    assert launcher.wait(launch, 0.3) is None
    assert launcher.next_signal(launch) == "SIGTERM"
    assert launcher.stop(launch) == "SIGTERM"
    assert wait_until_done(launcher, launch) == -15
    assert launch.state == "killed by SIGTERM" and exit_text(-9) == "killed by SIGKILL"


# -- re-run ---------------------------------------------------------------------------------------

def test_rerun_plan_from_real_sacred_runs() -> None:
    first = plan_rerun(record(REFERENCE, "1"), python="py")
    assert first.spec is not None
    assert first.spec.script == Path("/home/researcher/refexp/ref_experiment.py")
    assert first.spec.command is None and first.spec.named_configs == ()
    assert first.spec.updates == ("lr=0.02", "opts.momentum=0.5")
    assert dict(first.spec.options) == {"--comment": "a comment"}
    assert any("does not exist on this machine" in problem for problem in first.problems)
    queued = plan_rerun(record(REFERENCE, "6")).spec
    assert queued is not None and queued.named_configs == ("big",) and "--queue" not in queued.options
    assert dict(plan_rerun(record(REFERENCE, "9")).spec.options) == {"--beat-interval": "0.3",
                                                                     "--capture": "sys"}
    assert dict(plan_rerun(record(REFERENCE, "7")).spec.options) == {"--beat-interval": "0"}
    renamed = plan_rerun(record(REFERENCE, "myrun")).spec
    assert dict(renamed.options) == {"--name": "renamed", "--priority": "3"}
    # Real Sacred records only the Python version; "py" cannot run, so that version is named.
    argv = plan_rerun(record(REFERENCE, "8"), python="py").spec.argv("/runs")
    assert argv == ["python3.11", "ref_experiment.py", "with", "mode='fail'", "sleep=1.2", "--beat-interval=0.5",
                    "-F", "/runs"]


def test_rerun_updates_write_literals_and_refuse_objects() -> None:
    words, problems = rerun_updates({
        "t": {"py/tuple": [1, {"py/tuple": [2, 3]}]},
        "n": {"dtype": "float64", "py/object": "numpy.float64", "value": 2.5},
        "a": {"dtype": "int64", "py/object": "numpy.ndarray", "values": [[1, 2], [3, 4]]},
        "opts": {"deep": {"x": "y"}, "empty": {}},
        "when": {"__reduce__": [{"py/type": "datetime.datetime"}, ["B+g="]], "py/object": "datetime.datetime"},
        "bad": float("nan"),
    })
    assert words == ["t=(1, (2, 3))", "n=2.5", "a=[[1, 2], [3, 4]]", "opts.deep.x='y'", "opts.empty={}"]
    assert len(problems) == 2
    assert "when" in problems[0] and "nan" in problems[1]


def test_rerun_options_from_ex_run_meta() -> None:
    assert rerun_options({}, comment="from meta", priority=2.0) == {"--comment": "from meta",
                                                                   "--priority": "2"}
    assert rerun_options({"--pdb": True, "--id": "x", "--debug": True, "--own-flag": "v",
                          "--unobserved": True}) == {"--debug": True, "--own-flag": "v"}


def test_source_change_is_detected_by_md5(script: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    launcher = Launcher(runs, log_dir=tmp_path / "logs")
    launch = launcher.start(LaunchSpec.create(script, updates=["steps=1", "msg='again'"]))
    assert wait_until_done(launcher, launch) == 0
    stored = record(runs, "1")
    plan = plan_rerun(stored, python=sys.executable)
    assert plan.problems == [] and plan.warnings == []
    assert plan.spec is not None and set(plan.spec.updates) == {"steps=1", "msg='again'"}
    assert recorded_md5(dict(stored.sources)["tiny_exp.py"]) == file_md5(script)
    script.write_text(script.read_text() + "\n# edited\n")
    warnings = plan_rerun(stored).warnings
    assert len(warnings) == 1 and "tiny_exp.py changed since the run" in warnings[0]
    script.unlink()
    assert any("does not exist" in problem for problem in plan_rerun(stored).problems)


def test_recorded_md5_and_changes_for_reference_sources(tmp_path: Path) -> None:
    sources = record(REFERENCE, "1").sources
    stored = dict(sources)["ref_experiment.py"]
    assert recorded_md5(stored) == "de0377a787bbc9986a1d47d722a2d729"
    assert recorded_md5("d7074ac4557c2d8356348cc7330ba4dc") == "d7074ac4557c2d8356348cc7330ba4dc"
    shutil.copy(REFERENCE / stored, tmp_path / "ref_experiment.py")
    changes = source_changes(sources, tmp_path)
    assert changes == ["helper_module.py is gone (it was part of the run's sources)."]


# -- scripts --------------------------------------------------------------------------------------

def test_catalog_trusts_named_folders_and_confirmed_scripts(tmp_path: Path) -> None:
    given = tmp_path / "project" / "train.py"
    catalog = ScriptCatalog(tmp_path / "runs", [given])
    catalog.add_known([tmp_path / "other" / "eval.py"])
    assert catalog.scripts() == [given, tmp_path / "other" / "eval.py"]
    assert catalog.is_trusted(given)
    assert catalog.is_trusted(tmp_path / "project" / "sub" / "helper.py")
    assert catalog.is_trusted(tmp_path / "other" / "x.py")
    outside = tmp_path / "elsewhere" / "x.py"
    assert not catalog.is_trusted(outside)
    assert not catalog.is_trusted(tmp_path / "projectile" / "x.py")
    catalog.confirm(outside)
    assert catalog.is_trusted(outside) and catalog.scripts()[-1] == outside



def test_cli_flags_for_the_launcher(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sacred_tui.cli import build_parser, main

    args = build_parser().parse_args([str(tmp_path), "--script", "a.py", "--script", "b.py",
                                      "--python", "/opt/py"])
    assert args.script == ["a.py", "b.py"] and args.python == "/opt/py"
    assert build_parser().parse_args([]).python == sys.executable
    with pytest.raises(SystemExit) as missing:
        main([str(tmp_path), "--script", str(tmp_path / "nope.py")])
    assert missing.value.code == 2
    assert "--script must name an experiment script file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--script", str(TINY), "--python", str(tmp_path / "no-python")])
    assert "--python must be an interpreter that can run" in capsys.readouterr().err
