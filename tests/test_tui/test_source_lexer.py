"""lexer_for picks the lexer rich's Syntax.guess_lexer picks, without importing every lexer."""
from __future__ import annotations

import subprocess
import sys

import pytest
from rich.syntax import Syntax

from sacred_tui.data.source_lexer import lexer_for

CASES = [
    ("train.py", "import torch\nprint(1)\n"),
    ("src/model/net.py", "class Net:\n    pass\n"),
    ("config.json", '{"lr": 0.1}'),
    ("params.yaml", "lr: 0.1\nlayers: [1, 2]\n"),
    ("notes.txt", "plain words"),
    ("run.sh", "#!/bin/bash\necho hi\n"),
    ("Makefile", "all:\n\techo hi\n"),
    ("setup.cfg", "[metadata]\nname = x\n"),
    ("README.md", "# Title\n"),
    ("model.toml", "[tool]\nx = 1\n"),
    ("kernel.cu", "__global__ void f() {}\n"),
    ("no_extension", "#!/usr/bin/env python\nimport os\n"),
    ("weird.xyz123", "???"),
    ("data.csv", "a,b\n1,2\n"),
    ("empty.py", ""),
]


@pytest.mark.parametrize(("path", "text"), CASES)
def test_the_same_lexer_as_rich_guesses(path: str, text: str) -> None:
    expected = Syntax.guess_lexer(path, text[:2000])
    assert lexer_for(path, text) == expected


def test_choosing_a_python_lexer_imports_a_few_lexer_modules_not_all() -> None:
    """Rich's guess imports every lexer module (about a second the first time, on the UI thread)."""
    probe = ("import sys\n"
             "from sacred_tui.data.source_lexer import lexer_for\n"
             "name = lexer_for('train.py', 'import os\\nprint(os.sep)\\n')\n"
             "print(name, sum(m.startswith('pygments.lexers.') for m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    name, modules = done.stdout.split()
    assert name == "python" and int(modules) <= 5, done.stdout
    probe_rich = ("import sys\nfrom rich.syntax import Syntax\n"
                  "Syntax.guess_lexer('train.py', 'import os\\n')\n"
                  "print(sum(m.startswith('pygments.lexers.') for m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe_rich], capture_output=True, text=True, check=True)
    assert int(done.stdout) > 100  # what this replaces
