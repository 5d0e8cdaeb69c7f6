"""Fixtures for the demo tests: a script runner in a temporary folder and the demo's importable modules."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from demo_support import DemoScripts, load_demo_module


@pytest.fixture
def demo(tmp_path: Path) -> DemoScripts:
    return DemoScripts(tmp_path)


@pytest.fixture(scope="session")
def tiny_png() -> ModuleType:
    return load_demo_module("tiny_png")


@pytest.fixture(scope="session")
def make_runs() -> ModuleType:
    return load_demo_module("make_runs")
