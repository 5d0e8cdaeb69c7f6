"""Generates a runs folder of damaged and hostile runs: every way a run folder can be broken.

``make_damaged_runs(root, seed)`` writes a fixed catalogue (torn, empty, binary, huge, wrong types,
symlink loops, FIFOs, a socket, odd names, deep nesting, non-UTF-8, NaN/Infinity, duplicate keys,
huge integers, impossible times, hostile artifacts) plus runs mutated at random from a valid one.
Unreadable cases (permissions) are added by ``make_unreadable_runs``; they only mean something for
a user without root's override, so the tests run them as an unprivileged user.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

VALID_RUN: dict[str, Any] = {
    "status": "COMPLETED", "command": "main", "start_time": "2026-01-01T10:00:00",
    "stop_time": "2026-01-01T10:05:00", "heartbeat": "2026-01-01T10:05:00", "result": 0.5,
    "experiment": {"name": "exp", "base_dir": "/tmp", "mainfile": "exp.py", "dependencies": ["numpy==1"],
                   "repositories": [{"url": "git@x:y", "commit": "abc", "dirty": False}],
                   "sources": [["exp.py", "_sources/exp_0123456789abcdef0123456789abcdef.py"]]},
    "meta": {"command": "main", "named_configs": ["big"], "config_updates": {"lr": 0.1},
             "options": {"--beat-interval": "10"}, "comment": "fine", "priority": 1},
    "host": {"hostname": "vm", "os": ["Linux", "x"], "python_version": "3.11", "cpu": "x", "ENV": {}},
    "artifacts": ["model.txt"], "resources": [["/data/in.txt", "_resources/in_0123.txt"]],
}
VALID_CONFIG = {"lr": 0.1, "seed": 1, "optim": {"name": "adam", "betas": [0.9, 0.99]}}
VALID_METRICS = {"loss": {"steps": [0, 1, 2], "values": [1.0, 0.5, 0.25],
                          "timestamps": ["2026-01-01T10:00:00", "2026-01-01T10:00:01", "2026-01-01T10:00:02"]}}

Writer = Callable[[Path], None]


def _clear(path: Path) -> None:
    """Remove whatever is at ``path`` (file, link, FIFO, folder); nothing if there is nothing."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _write(run_dir: Path, files: dict[str, bytes | str | Any]) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = run_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _clear(path)  # never write into a FIFO an earlier damage left here
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_text(json.dumps(content))


def _valid(run_dir: Path, **overrides: Any) -> None:
    """A complete, valid run, then ``overrides`` replacing whole files (name with '.' as '_').

    The valid files are written only into a new folder, so damages applied one after the other
    to the same run add up (a later one replaces the files it names).
    """
    files: dict[str, Any] = {}
    if not run_dir.exists():
        files = {"run.json": VALID_RUN, "config.json": VALID_CONFIG, "metrics.json": VALID_METRICS,
                 "cout.txt": "line 1\nline 2\n", "info.json": {"k": 1}, "model.txt": "weights\n"}
    for key, value in overrides.items():
        files[key if "." in key else key.replace("_", ".")] = value
    _write(run_dir, files)


def _with(**changes: Any) -> dict[str, Any]:
    run = json.loads(json.dumps(VALID_RUN))
    run.update(changes)
    return run


def _fifo(name: str) -> Writer:
    def write(run_dir: Path) -> None:
        _valid(run_dir)
        _clear(run_dir / name)
        os.mkfifo(run_dir / name)
    return write


def _socket_cout(run_dir: Path) -> None:
    _valid(run_dir)
    _clear(run_dir / "cout.txt")
    path = str(run_dir / "cout.txt")
    if len(path.encode()) >= 100:  # AF_UNIX paths are short; fall back to a FIFO
        os.mkfifo(path)
        return
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.close()


def _loops(run_dir: Path) -> None:
    _valid(run_dir)
    for name in ("config.json", "metrics.json", "metrics.jsonl", "cout.txt", "info.json", "model.txt",
                 "sacred-tui.json"):
        _clear(run_dir / name)
        (run_dir / name).symlink_to(name)


def _links_outside(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(artifacts=["passwd", "/etc/passwd", "../1/run.json", "up/x", "dev"]))
    for name in ("cout.txt", "config.json", "info.json", "sacred-tui.json"):
        _clear(run_dir / name)
        (run_dir / name).symlink_to("/etc/passwd")
    for name, target in (("passwd", "/etc/passwd"), ("up", ".."), ("dev", "/dev/zero")):
        _clear(run_dir / name)
        (run_dir / name).symlink_to(target)


def _devices(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(artifacts=["zero", "null", "tty", "passwd", "/etc/passwd", "../1/run.json",
                                              "up/x", "dev"]))
    _clear(run_dir / "metrics.json")
    (run_dir / "metrics.json").symlink_to("/dev/zero")  # resolves outside: refused
    for name, target in (("zero", "/dev/zero"), ("null", "/dev/null"), ("tty", "/dev/tty")):
        _clear(run_dir / name)
        (run_dir / name).symlink_to(target)


def _huge(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(comment="c" * 1_000_000, artifacts=["big.bin", "big.csv", "wide.csv"]))
    with open(run_dir / "cout.txt", "wb") as handle:  # sparse: 3 GB of NUL bytes, then a last line
        handle.truncate(3 * 1024 ** 3)
        handle.seek(0, os.SEEK_END)
        handle.write(b"the end\n")
    with open(run_dir / "big.bin", "wb") as handle:
        handle.truncate(5 * 1024 ** 3)
    (run_dir / "big.csv").write_text("a,b\n" + "1,2\n" * 200_000)
    (run_dir / "wide.csv").write_text(",".join(str(i) for i in range(20_000)) + "\n")
    steps = list(range(200_000))
    (run_dir / "metrics.json").write_text(json.dumps(
        {"m": {"steps": steps, "values": [float(i % 97) for i in steps], "timestamps": [""] * len(steps)}}))
    (run_dir / "config.json").write_text(json.dumps({f"k{i}": {"v": i} for i in range(5000)}))


def _deep(run_dir: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    nearly = "[" * 900 + "1" + "]" * 900
    _valid(run_dir, run_json=json.dumps(VALID_RUN)[:-1] + ', "result": ' + nearly + "}",
           config_json='{"a": ' + deep + "}", info_json='{"x": ' + nearly + "}", metrics_json=deep,
           **{"process.json": '{"a": ' + "{\"b\": " * 400 + "1" + "}" * 401, "sacred-tui.json": deep})


def _wrong_types(run_dir: Path) -> None:
    run = {"status": 5, "command": ["x"], "start_time": [], "stop_time": {"py/object": "datetime.datetime"},
           "heartbeat": 12, "experiment": [], "meta": "x", "host": 3, "artifacts": "model.txt",
           "resources": [[1, 2], "x", None], "result": {"py/object": "numpy.ndarray", "values": "x"},
           "fail_trace": [1, None, {"a": 1}]}
    metrics = {"a": {"steps": "x", "values": [1]}, "b": [1, 2], "c": {"steps": [0, 1], "values": [{}, []],
               "timestamps": [1, None]}, "d": {"steps": [None, 1.5, "2", 1e300], "values": [1, 2, 3, 4]}}
    _valid(run_dir, run_json=run, config_json=[1, 2, 3], info_json="just a string", metrics_json=metrics,
           **{"process.json": {"pid": "12", "hostname": 5}})


def _wrong_field_types(run_dir: Path) -> None:
    meta = {"command": 1, "named_configs": "big", "config_updates": [1], "options": [], "comment": {"a": 1},
            "priority": "high", "queue_time": {"py/object": "datetime.datetime", "__reduce__": [1, [2]]}}
    experiment = {"name": 7, "sources": [["a.py"], ["b.py", 5], "c.py", ["d.py", "d.py"], ["e.py", "e.py"]],
                  "repositories": [1, {"url": 2, "dirty": "yes"}], "dependencies": {"a": 1}, "mainfile": []}
    _valid(run_dir, run_json=_with(meta=meta, experiment=experiment, artifacts=[1, None, {}, ["x"], "model.txt"],
                                   host={"hostname": [], "os": "linux", "ENV": [1], "gpus": {"x": object.__name__}}))


def _numbers(run_dir: Path) -> None:
    digits = "9" * 5000
    run_text = json.dumps(_with(meta={"priority": 10 ** 400, "command": "main"}, result=float("nan")))
    run_text = run_text[:-1] + ', "huge": ' + digits + "}"
    metrics = ('{"inf": {"steps": [0, 1, 2], "values": [Infinity, -Infinity, NaN], "timestamps": ["", "", ""]},'
               ' "big": {"steps": [0, ' + digits + '], "values": [1e308, ' + str(10 ** 400) + '],'
               ' "timestamps": ["", ""]}}')
    _valid(run_dir, run_json=run_text, metrics_json=metrics,
           config_json='{"n": ' + digits + ', "f": 1e999, "x": NaN}',
           **{"metrics.jsonl": '{"name": "j", "step": ' + digits + ', "value": NaN, "timestamp": 5}\n'
              '{"name": "j", "value": Infinity}\n{not json\n\n{"name": 1}\n{"name": "j", "value": 1}'})


def _times(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(status="RUNNING\n", start_time="0001-01-01T00:00:00",
                                   stop_time=None, heartbeat="2999-01-01T00:00:00",
                                   meta={"queue_time": "2024-13-45T99:99:99", "command": "main"}))


def _reversed_times(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(start_time="9999-12-31T23:59:59.999999", stop_time="1970-01-01T00:00:00Z"))


def _duplicates(run_dir: Path) -> None:
    text = ('{"status": "RUNNING", "status": "COMPLETED", "artifacts": ["model.txt", "model.txt", "model.txt"],'
            ' "experiment": {"name": "a", "name": "b", "sources": [["x.py", "_sources/x.py"],'
            ' ["x.py", "_sources/x.py"]]}}')
    _valid(run_dir, run_json=text, config_json='{"a": 1, "a": {"b": 2}}')


def _non_utf8(run_dir: Path) -> None:
    _valid(run_dir, run_json=json.dumps(_with(comment="café")).encode("latin-1"),
           cout_txt=b"ok \xff\xfe\xc3 broken \xe2\x82\n\x80 end", config_json=b"\xef\xbb\xbf{\"bom\": 1}",
           info_json=b"\x00\x01\x02garbage\xff")


def _binary(run_dir: Path) -> None:
    noise = bytes(random.Random(7).getrandbits(8) for _ in range(4096))
    _valid(run_dir, run_json=noise, config_json=noise, metrics_json=noise, cout_txt=noise, info_json=noise,
           model_txt=noise, **{"sacred-tui.json": noise})


def _empty_files(run_dir: Path) -> None:
    _valid(run_dir, run_json=b"", config_json=b"", metrics_json=b"", cout_txt=b"", info_json=b"",
           **{"metrics.jsonl": b"", "process.json": b""})


def _torn(run_dir: Path) -> None:
    run = json.dumps(VALID_RUN, indent=1)
    _valid(run_dir, run_json=run[: len(run) // 2], config_json=json.dumps(VALID_CONFIG)[:-3],
           metrics_json=json.dumps(VALID_METRICS)[:40], info_json='{"k": tru',
           **{"metrics.jsonl": '{"name": "j", "value": 1}\n{"name": "j", "va'})


def _directories(run_dir: Path) -> None:
    _valid(run_dir, run_json=_with(artifacts=["adir", "model.txt"]))
    for name in ("cout.txt", "config.json", "metrics.json", "info.json", "metrics.jsonl"):
        _clear(run_dir / name)
        (run_dir / name).mkdir()
    _clear(run_dir / "adir")
    (run_dir / "adir").mkdir()


def _hostile_artifacts(run_dir: Path) -> None:
    names = ["a\x1b[2J.txt", "\x1b]0;title\x07.json", "nul\u0000name", "back\\slash", "", ".", "..",
             "sub/../../x", "deep/" * 50 + "f.txt", "[bold]markup.csv", "\u202eevil.txt", "e" * 250 + ".txt"]
    _valid(run_dir, run_json=_with(artifacts=names + [f"many_{i}.txt" for i in range(300)]))
    (run_dir / "a\x1b[2J.txt").write_text("screen \x1b[2J clear \x1b]0;title\x07\n")
    (run_dir / "\x1b]0;title\x07.json").write_text('{"\x1b[2J": "\\u001b]0;t\\u0007"}')
    (run_dir / "[bold]markup.csv").write_text("[/],\x1b[2J\n1,2\n")
    deep = run_dir / ("deep/" * 50)
    deep.mkdir(parents=True)
    (deep / "f.txt").write_text("deep")


def _hostile_text(run_dir: Path) -> None:
    evil = "\x1b]0;PWN\x07\x1b[2J\x9b31m\u202e[/]\x00\x7f\ud800"
    run = _with(comment=evil, command=evil, fail_trace=[evil, evil], result={evil: evil},
                experiment={"name": evil, "sources": [[evil, evil]], "mainfile": evil, "base_dir": evil},
                meta={"command": evil, "named_configs": [evil], "config_updates": {evil: evil}, "options": {evil: evil}})
    _valid(run_dir, run_json=run, config_json={evil: {evil: evil}}, info_json={evil: [evil]},
           metrics_json={evil: VALID_METRICS["loss"]}, cout_txt=evil + "\n" + evil,
           **{"sacred-tui.json": {"note": evil, "tags": [evil, "ok"], "archived": False}})


def _only_dir(run_dir: Path) -> None:
    run_dir.mkdir()


def _no_run_json(run_dir: Path) -> None:
    _valid(run_dir)
    _clear(run_dir / "run.json")


def _run_json_not_object(run_dir: Path) -> None:
    _valid(run_dir, run_json="null")


def _huge_line_sidecar(run_dir: Path) -> None:
    _valid(run_dir, **{"metrics.jsonl": '{"name": "x", "value": 1, "pad": "' + "p" * 2_000_000 + '"}\n'})


CATALOGUE: dict[str, Writer] = {
    "torn": _torn, "empty-files": _empty_files, "only-a-folder": _only_dir, "no-run-json": _no_run_json,
    "null-run-json": _run_json_not_object, "binary": _binary, "huge": _huge, "wrong-types": _wrong_types,
    "wrong-field-types": _wrong_field_types, "symlink-loops": _loops, "links-outside": _links_outside,
    "devices": _devices, "fifo-run-json": _fifo("run.json"), "fifo-config": _fifo("config.json"),
    "fifo-metrics": _fifo("metrics.json"), "fifo-sidecar": _fifo("metrics.jsonl"), "fifo-cout": _fifo("cout.txt"),
    "fifo-info": _fifo("info.json"), "fifo-artifact": _fifo("model.txt"), "fifo-process": _fifo("process.json"),
    "fifo-notes": _fifo("sacred-tui.json"),
    "socket-cout": _socket_cout, "deep-nesting": _deep, "numbers": _numbers, "times": _times,
    "reversed-times": _reversed_times, "duplicate-keys": _duplicates, "non-utf8": _non_utf8,
    "directories": _directories, "hostile-artifacts": _hostile_artifacts, "hostile-text": _hostile_text,
    "huge-sidecar-line": _huge_line_sidecar,
}

APP_GROUPS: list[tuple[str, ...]] = [
    ("torn", "huge-sidecar-line", "fifo-cout"), ("empty-files", "fifo-run-json"), ("binary", "non-utf8"),
    ("only-a-folder",), ("directories", "no-run-json"), ("null-run-json", "symlink-loops"), ("huge",),
    ("wrong-types",), ("links-outside", "devices"), ("deep-nesting", "times"), ("reversed-times", "numbers"),
    ("wrong-field-types", "fifo-config", "fifo-metrics", "fifo-sidecar", "fifo-info", "fifo-process",
     "fifo-artifact", "fifo-notes", "socket-cout"),
    ("duplicate-keys",), ("hostile-text", "hostile-artifacts"),
]
"""The catalogue folded into fewer runs for the app (opening a run costs the UI about 1.5 CPU seconds):
damages in one group touch different files, or a later one replaces only some of an earlier's."""

ODD_NAMES = ["²", "٣", "0", "007", "-1", " space ", "new\nline", "\x1b[2J", "[bold]", "x" * 240, "\u202eevil",
             "日本語", "😀", os.fsdecode(b"\xff\xfe-bytes")]


def _mutate(rng: random.Random, text: str) -> str | bytes:
    """One random damage to a valid JSON text."""
    kind = rng.randrange(6)
    if kind == 0:
        return text[: rng.randrange(len(text))]
    if kind == 1:
        data = bytearray(text.encode())
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 2:
        value = json.loads(text)
        junk: list[Any] = [None, 1, -1.5, "x", [], {}, [1, [2]], {"py/object": "numpy.float64", "value": "x"},
                           10 ** 30, True, "\x1b[2J"]
        if isinstance(value, dict) and value:
            key = rng.choice(sorted(value))
            value[key] = rng.choice(junk)
        return json.dumps(value)
    if kind == 3:
        return text.replace('"', "", rng.randrange(1, 4))
    if kind == 4:
        return rng.choice(["[", "{}", "[]", '"str"', "0", "true", "NaN", "-Infinity", "1e999"])
    return text + rng.choice(["}", "]]]", " trailing", "\x00"])


def make_damaged_runs(root: Path, seed: int = 0, random_runs: int = 12) -> dict[str, str]:
    """Write the catalogue, odd-named runs and ``random_runs`` randomly mutated runs; returns id -> kind."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "_sources").mkdir(exist_ok=True)
    (root / "_sources" / "exp_0123456789abcdef0123456789abcdef.py").write_text("print('exp')\n")
    (root / "_resources").mkdir(exist_ok=True)
    (root / "_resources" / "in_0123.txt").write_text("input\n")
    kinds: dict[str, str] = {}
    for number, (kind, write) in enumerate(CATALOGUE.items(), start=1):
        write(root / str(number))
        kinds[str(number)] = kind
    for name in ODD_NAMES:
        _valid(root / name)
        kinds[name] = "odd name"
    os.symlink("loop-run", root / "loop-run")
    os.symlink(str(root / "1"), root / "linked-run")
    kinds["linked-run"] = "run folder that is a symlink"
    (root / "a-file-not-a-folder").write_text("x")
    start = len(CATALOGUE) + 1
    for offset in range(random_runs):
        run_id = str(start + offset)
        files = {"run.json": json.dumps(VALID_RUN), "config.json": json.dumps(VALID_CONFIG),
                 "metrics.json": json.dumps(VALID_METRICS), "info.json": '{"k": 1}'}
        for name in rng.sample(sorted(files), rng.randrange(1, 4)):
            files[name] = _mutate(rng, files[name])  # type: ignore[assignment]
        _write(root / run_id, {**files, "cout.txt": bytes(rng.getrandbits(8) for _ in range(64)),
                               "model.txt": "w"})
        kinds[run_id] = f"random damage (seed {seed})"
    return kinds


def make_unreadable_runs(root: Path) -> dict[str, str]:
    """Runs whose folder or files have no read permission (meaningful only for a non-root reader)."""
    kinds = {}
    _valid(root / "locked-folder")
    os.chmod(root / "locked-folder", 0)
    kinds["locked-folder"] = "run folder without permissions"
    _valid(root / "enter-only")
    os.chmod(root / "enter-only", 0o311)
    kinds["enter-only"] = "run folder that can be entered but not listed"
    _valid(root / "locked-files")
    for name in ("run.json", "config.json", "metrics.json", "cout.txt", "info.json", "model.txt"):
        os.chmod(root / "locked-files" / name, 0)
    kinds["locked-files"] = "files without read permission"
    _valid(root / "locked-sidecar", **{"metrics.jsonl": '{"name": "x", "value": 1}\n'})
    os.chmod(root / "locked-sidecar" / "metrics.jsonl", 0)
    kinds["locked-sidecar"] = "unreadable metrics.jsonl"
    return kinds


def make_app_runs(root: Path, seed: int = 0) -> dict[str, str]:
    """Every damage of the catalogue (grouped), a non-UTF-8 name and a random run; returns id -> kinds."""
    grouped = {name for group in APP_GROUPS for name in group}
    missing = set(CATALOGUE) - grouped
    assert not missing, f"damages the app never opens: {sorted(missing)}"
    kinds: dict[str, str] = {}
    root.mkdir(parents=True, exist_ok=True)
    odd = os.fsdecode(b"\xff\xfe-bytes")  # the other odd names are opened by the display tests
    for number, group in enumerate(APP_GROUPS, start=1):
        run_id = odd if group == ("duplicate-keys",) else str(number)  # a folder name that is not UTF-8
        for name in group:
            CATALOGUE[name](root / run_id)
        kinds[run_id] = " + ".join(group)
    rng = random.Random(seed)
    run_id = str(len(APP_GROUPS) + 1)
    _write(root / run_id, {"run.json": _mutate(rng, json.dumps(VALID_RUN)),
                           "config.json": _mutate(rng, json.dumps(VALID_CONFIG)),
                           "metrics.json": _mutate(rng, json.dumps(VALID_METRICS)), "cout.txt": b"x\n"})
    kinds[run_id] = f"random damage (seed {seed})"
    return kinds
