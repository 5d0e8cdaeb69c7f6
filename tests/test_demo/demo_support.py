"""Running the demo as a user would: load its modules from demo/, run its scripts, read the run records."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

HIDE_NUMPY = (
    "import runpy, sys\n"
    "sys.modules['numpy'] = None  # makes 'import numpy' fail, as on a machine without it\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "sys.argv = sys.argv[2:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def load_demo_module(name: str) -> ModuleType:
    """Import ``demo/<name>.py`` (demo/ is a folder of scripts, not an installed package)."""
    module_name = f"_demo_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, DEMO_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class DemoScripts:
    """Runs demo scripts in a subprocess from a temporary working directory."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.runs = cwd / "runs"

    def run(self, script: str, *args: str, numpy: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
        path = str(DEMO_DIR / script)
        argv = [sys.executable, path, *args] if numpy else [sys.executable, "-c", HIDE_NUMPY, str(DEMO_DIR), path,
                                                            *args]
        return subprocess.run(argv, check=False, cwd=self.cwd, capture_output=True, text=True, env=env, timeout=timeout)

    def record(self, run_id: str, name: str = "run.json") -> dict:
        return json.loads((self.runs / run_id / name).read_text(encoding="utf-8"))

    def run_ids(self) -> list[str]:
        return sorted((p.name for p in self.runs.iterdir() if p.name.isdigit()), key=int) if self.runs.exists() else []

