"""Seeds and generators as Sacred 0.8.7 derives them, numpy seeded even when first imported inside main."""
from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pytest

from core import Experiment, Ingredient, SETTINGS
from core.randomness import SeedChain, create_rnd, get_seed

np = pytest.importorskip("numpy")


def _sacred_seeds(seed: int, count: int) -> list[int]:
    """What Sacred's algorithm gives: seeds drawn from default_rng(seed), one per captured function."""
    rnd = np.random.default_rng(seed)
    return [int(rnd.integers(1, 10**9, dtype=int)) for _ in range(count)]


def test_get_seed_and_create_rnd_follow_the_generator_kind(monkeypatch):
    assert type(create_rnd(3)).__name__ == "Generator"
    assert get_seed(create_rnd(3)) == _sacred_seeds(3, 1)[0]
    monkeypatch.setitem(SETTINGS.CONFIG, "NUMPY_RANDOM_LEGACY_API", True)
    legacy = create_rnd(3)
    assert type(legacy).__name__ == "RandomState"
    assert get_seed(legacy) == np.random.RandomState(3).randint(1, 10**9)
    assert get_seed(random.Random(3)) == random.Random(3).randint(1, 10**9)
    with pytest.raises(AssertionError):
        create_rnd(1.5)


def test_seed_chain_draws_lazily_and_in_order():
    chain = SeedChain(lambda: 5)
    assert chain._rnd is None
    assert chain.seed_of(2) == _sacred_seeds(5, 3)[2]
    assert [chain.seed_of(i) for i in range(3)] == _sacred_seeds(5, 3)


def test_seed_of_a_captured_function_is_drawn_from_its_place_in_the_experiment():
    ex = Experiment("seeds")

    @ex.capture
    def first(_seed):
        return _seed

    @ex.capture
    def second(_seed, _rnd):
        return _seed, type(_rnd).__name__

    @ex.main
    def main():
        return first(), first(), second()

    result = ex.run(config_updates={"seed": 42}).result
    # Sacred's order of captured functions: the four built-in commands, then first, second, main
    function_seeds = _sacred_seeds(42, 7)
    first_calls = np.random.default_rng(function_seeds[4])
    second_call = np.random.default_rng(function_seeds[5])
    assert result[0] == first_calls.integers(1, 10**9, dtype=int)
    assert result[1] == first_calls.integers(1, 10**9, dtype=int)
    assert result[2] == (second_call.integers(1, 10**9, dtype=int), "Generator")


def test_ingredient_seeds_come_from_the_experiments_generator_in_reverse_order():
    a, b = Ingredient("a"), Ingredient("b")
    a.capture(lambda _seed: _seed)  # captured first: in_a is the second captured function of "a"
    seen = {}

    @a.capture
    def in_a(_seed):
        return _seed

    @b.capture
    def in_b(_seed):
        return _seed

    ex = Experiment("tree", ingredients=[a, b])

    @ex.main
    def main():
        seen["a"], seen["b"] = in_a(), in_b()

    ex.run(config_updates={"seed": 9})
    setup = np.random.default_rng(9)
    seed_b, seed_a = (int(setup.integers(1, 10**9, dtype=int)) for _ in range(2))
    expect_a = np.random.default_rng(_sacred_seeds(seed_a, 2)[1]).integers(1, 10**9, dtype=int)
    expect_b = np.random.default_rng(_sacred_seeds(seed_b, 1)[0]).integers(1, 10**9, dtype=int)
    assert seen == {"a": expect_a, "b": expect_b}


def test_runs_without_randomness_do_not_import_numpy(tmp_path):
    script = tmp_path / "exp.py"
    script.write_text(textwrap.dedent("""
        import sys
        from core import Experiment
        ex = Experiment("plain")

        @ex.capture
        def helper(x=1):
            return x

        @ex.automain
        def main(seed):
            print("numpy imported:", "numpy" in sys.modules, helper())
    """))
    result = subprocess.run([sys.executable, str(script), "with", "seed=3"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert "numpy imported: False 1" in result.stdout, result.stderr


def test_numpy_first_imported_inside_main_is_seeded_as_at_the_start(tmp_path):
    script = tmp_path / "exp.py"
    script.write_text(textwrap.dedent("""
        import sys
        from core import Experiment
        ex = Experiment("late")

        @ex.automain
        def main():
            assert "numpy" not in sys.modules
            import numpy as np
            print(np.random.randint(10**6), np.random.random())
    """))
    runs = [subprocess.run([sys.executable, str(script), "with", "seed=42"], capture_output=True, text=True,
                           cwd=tmp_path, timeout=60) for _ in range(2)]
    np.random.seed(42)
    expected = f"{np.random.randint(10**6)} {np.random.random()}"
    assert [run.stdout.strip() for run in runs] == [expected, expected], runs[0].stderr
