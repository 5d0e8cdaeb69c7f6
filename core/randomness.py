"""Seeds and random generators, drawn exactly as Sacred 0.8.7 draws them, so one seed gives the same numbers.

``create_rnd`` gives numpy's ``Generator`` (``RandomState`` with ``SETTINGS.CONFIG.NUMPY_RANDOM_LEGACY_API``) when
numpy is installed, else ``random.Random``. numpy is imported only when a generator is really needed, and
``set_global_seed`` seeds numpy's global generator when ``numpy.random`` is first imported if that happens after
the run started: as Sacred (which imports numpy up front) seeds it at the start, and nothing can draw from it
before it is imported, the numbers are the same.
"""
from __future__ import annotations

import random
import sys
from typing import Any, Callable

__all__ = ["SEEDRANGE", "SeedChain", "create_rnd", "get_seed", "numpy_installed", "set_global_seed"]

SEEDRANGE = (1, int(1e9))

_numpy_installed: bool | None = None


def numpy_installed() -> bool:
    """Whether numpy can be imported (found without importing it; the answer is kept)."""
    global _numpy_installed
    if _numpy_installed is None:
        if sys.modules.get("numpy") is not None:
            _numpy_installed = True
        else:
            import importlib.util
            try:
                _numpy_installed = importlib.util.find_spec("numpy") is not None
            except (ImportError, ValueError):
                _numpy_installed = False
    return _numpy_installed


def get_seed(rnd: Any = None) -> int:
    """A new seed in [1, 1e9): from ``random`` when ``rnd`` is None, else drawn from ``rnd``."""
    if rnd is None:
        return random.randint(*SEEDRANGE)
    try:
        return rnd.integers(*SEEDRANGE, dtype=int)
    except Exception:  # noqa: BLE001 - RandomState and random.Random have no integers(); Sacred falls back alike
        return rnd.randint(*SEEDRANGE)


def create_rnd(seed: int) -> Any:
    """A generator seeded with ``seed``: numpy ``Generator`` (or ``RandomState``, legacy API) or ``random.Random``."""
    if not isinstance(seed, int):
        raise AssertionError(f"Seed has to be integer but was {seed!r} {type(seed)}")
    if numpy_installed():
        import numpy
        from core.settings import SETTINGS
        if SETTINGS.CONFIG.NUMPY_RANDOM_LEGACY_API:
            return numpy.random.RandomState(seed)
        return numpy.random.default_rng(seed)
    return random.Random(seed)


class SeedChain:
    """The generator of one ingredient in a run and the seeds it hands out, drawn only when first needed.

    Sacred draws one seed per captured function, in the order they were captured, from ``create_rnd(seed)``;
    ``seed_of(index)`` gives the seed of the function at ``index`` without numpy being imported before
    any function asks for ``_seed`` or ``_rnd``.
    """

    def __init__(self, seed: int | Callable[[], int]) -> None:
        self._seed = seed
        self._rnd: Any = None
        self._drawn: list[int] = []

    @property
    def seed(self) -> int:
        if callable(self._seed):
            self._seed = self._seed()
        return self._seed

    @property
    def rnd(self) -> Any:
        if self._rnd is None:
            self._rnd = create_rnd(self.seed)
        return self._rnd

    def seed_of(self, index: int) -> int:
        while len(self._drawn) <= index:
            self._drawn.append(get_seed(self.rnd))
        return self._drawn[index]


def set_global_seed(seed: int) -> None:
    """Seed ``random`` and numpy's global generator (now, or when ``numpy.random`` is first imported);
    TensorFlow and PyTorch when the program already imported them."""
    random.seed(seed)
    if numpy_installed():
        if sys.modules.get("numpy") is not None:
            sys.modules["numpy"].random.seed(seed)
        else:
            _seed_numpy_when_imported(seed)
    if "tensorflow" in sys.modules:
        from core.optional import get_tensorflow
        get_tensorflow().set_random_seed(seed)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.manual_seed(seed)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(seed)


def _seed_numpy_when_imported(seed: int) -> None:
    if not 0 <= seed < 2**32:  # what numpy would say when seeding now
        raise ValueError("Seed must be between 0 and 2**32 - 1")
    for finder in sys.meta_path:
        if isinstance(finder, _SeedNumpyOnImport):
            finder.seed = seed
            return
    sys.meta_path.insert(0, _SeedNumpyOnImport(seed))


class _SeedNumpyOnImport:
    """An import hook: right after ``numpy.random`` is executed, seed its global generator, then step aside."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "numpy.random":
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute = spec.loader.exec_module
        hook = self

        def exec_module(module: Any) -> None:
            execute(module)
            hook.remove()
            module.seed(hook.seed)

        spec.loader.exec_module = exec_module
        return spec

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
