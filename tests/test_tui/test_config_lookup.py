"""LeafLookup finds by path exactly the leaves flatten_config lists, so a diff need not flatten a huge config."""
from __future__ import annotations

import random

from sacred_tui.data.config_diff import LeafLookup, diff_against_defaults, diff_config, flatten_config


def random_config(rng: random.Random, depth: int = 0) -> dict[str, object]:
    config: dict[str, object] = {}
    for index in range(rng.randint(0, 6)):
        kind = rng.random()
        key = f"k{index}" if rng.random() < 0.8 else "__doc__"
        if kind < 0.3 and depth < 4:
            config[key] = random_config(rng, depth + 1)
        elif kind < 0.4:
            config[key] = {}
        elif kind < 0.5:
            config[key] = {"py/tuple": [1, 2]}
        elif kind < 0.6:
            config[key] = [rng.random(), {"a": 1}]
        else:
            config[key] = rng.choice([None, 1, 2.5, "text", True])
    return config


def test_lookup_agrees_with_flatten_config() -> None:
    rng = random.Random(7)
    for _ in range(300):
        config = random_config(rng)
        flat = dict(flatten_config(config))
        lookup = LeafLookup(config)
        for key, value in flat.items():
            assert key in lookup and lookup[key] == value
        probes = {prefix for key in flat for prefix in (key.rsplit(".", 1)[0], key + ".x", "k9", "__doc__")}
        for probe in probes - set(flat):
            assert probe not in lookup


def test_diffs_of_a_huge_config_name_the_same_keys_as_before() -> None:
    config = {"lr": 0.5, "model": {"layers": {f"l{i}": {"units": 64} for i in range(50_000)}}, "seed": 1}
    config["model"]["layers"]["l7"]["units"] = 512  # type: ignore[index]
    defaults = {"lr": 0.1, "model": {"layers": {f"l{i}": {"units": 64} for i in range(50_000)}}, "seed": 2}
    updates = {"lr": 0.5, "model": {"layers": {"l7": {"units": 512}, "l8": {"units": 64}}}, "nope": 1}
    diff = diff_config(config, updates)
    assert set(diff.kinds) == {"lr", "model", "model.layers", "model.layers.l7", "model.layers.l7.units",
                               "model.layers.l8", "model.layers.l8.units"}
    against = diff_against_defaults(config, updates, defaults)
    assert set(against.kinds) == {"lr", "model", "model.layers", "model.layers.l7", "model.layers.l7.units"}
    assert against.defaults == {"lr": 0.1, "model.layers.l7.units": 64}
    baseline = diff_config(config, updates, baseline=defaults, baseline_label="run 1")
    assert set(baseline.kinds) == set(against.kinds)
