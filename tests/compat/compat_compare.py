"""Compares what real Sacred 0.8.7 and ``core`` showed and wrote for one case (see ``compat_harness``).

What legitimately varies is removed first: times, ids of memory, hosts, digests of the two differently-worded
copies of a script; colours are compared as styles, not bytes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from compat_harness import OUR_EXTRA_FILES, Case, Outcome, rewrite_imports


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOURS = {"30": "black", "31": "red", "32": "green", "33": "yellow", "34": "blue", "35": "magenta",
            "36": "cyan", "37": "white", "39": None}


def colour_semantics(text: str) -> str:
    """Text with each change of style written as ``{red}``/``{dim}``/``{}``: equal styles compare equal."""
    out: list[str] = []
    colour: str | None = None
    dim = bold = False
    shown = ""
    position = 0
    for match in _SGR.finditer(text + "\x1b[m"):
        chunk = text[position:match.start()]
        if chunk:
            style = "{" + ",".join(x for x in (colour, "dim" if dim else "", "bold" if bold else "") if x) + "}"
            if style != shown:
                out.append(style)
                shown = style
            out.append(chunk)
        for code in (match.group(1) or "0").split(";"):
            code = code or "0"
            if code == "0":
                colour, dim, bold = None, False, False
            elif code == "1":
                bold = True
            elif code == "2":
                dim = True
            elif code == "22":
                dim = bold = False
            elif code in _COLOURS:
                colour = _COLOURS[code]
        position = match.end()
    result = "".join(out)
    return result[2:] if result.startswith("{}") else result


def normalise_text(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<WORK>")
    text = re.sub(r"\b[0-9a-f]{40}\b", "<sha>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<md5>", text)
    text = re.sub(r"\bafter \d+:\d\d:\d\d\b", "after <duration>", text)  # a loaded machine may take a second
    text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x?", text)
    text = re.sub(r"\b(sacred|core)(\.[a-z_]+)*\.(?=[A-Z]\w*(Error|Interrupt)\b)", "", text)
    return text


def _comparable_stdout(case: Case, outcome: Outcome) -> str:
    text = _random_seed_hidden(case, normalise_text(outcome.stdout, outcome.folder))
    for pattern in case.stdout_ignore:
        text = re.sub(pattern, "", text, flags=re.M | re.S)
    return text


def _random_seed_hidden(case: Case, text: str) -> str:
    return text if case.seed_given else re.sub(r"\bseed = \d+ *", "seed = <random> ", text)


def log_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if re.match(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) - ", line)]


def error_line(stderr: str) -> str:
    """The last line with text, marked when a blank line follows it (Sacred ends some reports so)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last + " <blank line>" if stderr.endswith("\n\n") else last


_VOLATILE_RUN_KEYS = ("start_time", "stop_time", "heartbeat", "host")
_MD5 = re.compile(r"[0-9a-f]{32}")


def _normalise_run_json(record: dict, folder: Path) -> dict:
    for key in _VOLATILE_RUN_KEYS:
        if key in record:
            record[key] = "<volatile>"
    experiment = record.get("experiment", {})
    for key in ("base_dir", "dependencies", "repositories"):
        if key in experiment:
            experiment[key] = "<volatile>"
    if "sources" in experiment:
        experiment["sources"] = json.loads(_MD5.sub("<md5>", json.dumps(experiment["sources"])))
    meta = record.get("meta", {})
    if "queue_time" in meta:
        meta["queue_time"] = "<volatile>"
    if "fail_trace" in record:
        record["fail_trace"] = [normalise_text(line, folder) for line in (record["fail_trace"] or [""])[-1:]]
    if "resources" in record:
        record["resources"] = json.loads(_MD5.sub("<md5>", json.dumps(record["resources"]).replace(
            str(folder), "<WORK>")))
    return record


def _normalise_metrics(metrics: dict) -> dict:
    for entry in metrics.values():
        if isinstance(entry, dict) and "timestamps" in entry:
            entry["timestamps"] = len(entry["timestamps"])
    return metrics


def normalise_files(case: Case, outcome: Outcome) -> dict[str, Any]:
    """File name (digests replaced) -> comparable content."""
    result: dict[str, Any] = {}
    for name, data in outcome.files.items():
        base = name.rsplit("/", 1)[-1]
        if base in OUR_EXTRA_FILES:
            continue
        key = _MD5.sub("<md5>", name)
        if name.endswith(".json"):
            try:
                value = json.loads(data.decode())
            except ValueError:
                result[key] = data
                continue
            if base == "run.json":
                value = _normalise_run_json(value, outcome.folder)
            elif base == "metrics.json":
                value = _normalise_metrics(value)
            elif base == "config.json" and not case.seed_given and isinstance(value, dict) and "seed" in value:
                value["seed"] = "<random>"
            result[key] = value
        elif name.endswith((".txt", ".py", ".yaml", ".html", ".csv")):
            text = normalise_text(data.decode(errors="replace"), outcome.folder)
            result[key] = rewrite_imports(text) if name.endswith(".py") else text
        else:
            result[key] = data
    return result


def differences(case: Case, sacred: Outcome, ours: Outcome) -> list[str]:
    """Every user-visible difference between the two outcomes, as readable lines (empty: the same)."""
    problems: list[str] = []
    if sacred.code != ours.code:
        problems.append(f"exit code: sacred {sacred.code}, core {ours.code}")
    if "stdout" not in case.skip:
        theirs = colour_semantics(_comparable_stdout(case, sacred))
        mine = colour_semantics(_comparable_stdout(case, ours))
        if theirs != mine:
            problems.append(f"stdout differs:\n--- sacred\n{theirs}\n--- core\n{mine}")
    if "logs" not in case.skip:
        theirs_logs = [normalise_text(line, sacred.folder) for line in log_lines(sacred.stderr)]
        my_logs = [normalise_text(line, ours.folder) for line in log_lines(ours.stderr)]
        if theirs_logs != my_logs:
            problems.append("log lines differ:\n--- sacred\n" + "\n".join(theirs_logs) + "\n--- core\n"
                            + "\n".join(my_logs))
    if "error" not in case.skip and sacred.code != 0:
        theirs_error = normalise_text(error_line(sacred.stderr), sacred.folder)
        my_error = normalise_text(error_line(ours.stderr), ours.folder)
        if theirs_error != my_error:
            problems.append(f"error line: sacred {theirs_error!r}, core {my_error!r}")
    if "files" not in case.skip:
        problems += _file_differences(case, normalise_files(case, sacred), normalise_files(case, ours))
    return problems


def _contains_lines(whole: str, part: str) -> bool:
    """Every line of ``part`` is in ``whole`` (as often). Order across stdout and stderr is not compared:
    when the two streams go to different files each library interleaves them only approximately."""
    from collections import Counter
    return not Counter(part.splitlines()) - Counter(whole.splitlines())


def _file_differences(case: Case, theirs: dict[str, Any], mine: dict[str, Any]) -> list[str]:
    problems = []
    if sorted(theirs) != sorted(mine):
        problems.append(f"files: sacred {sorted(theirs)}, core {sorted(mine)}")
    for name in sorted(set(theirs) & set(mine)):
        if theirs[name] == mine[name]:
            continue
        if name.endswith("cout.txt") and ("cout" in case.skip or _contains_lines(mine[name], theirs[name])):
            continue  # Sacred loses output its capture had not read yet; ours is complete
        shown_theirs = json.dumps(theirs[name], indent=1, sort_keys=True, default=repr)
        shown_mine = json.dumps(mine[name], indent=1, sort_keys=True, default=repr)
        problems.append(f"{name} differs:\n--- sacred\n{shown_theirs}\n--- core\n{shown_mine}")
    return problems


def assert_same(case: Case, outcomes: dict[str, dict[str, Outcome]]) -> None:
    """Fail with every difference between Sacred's and our outcome of ``case``."""
    if case.name not in outcomes:
        import pytest
        pytest.skip("this case needs git, which is not installed")
    outcome = outcomes[case.name]
    problems = differences(case, outcome["sacred"], outcome["core"])
    assert not problems, f"{case.name}: " + "\n\n".join(problems)
