"""The synthetic generator: known disparity, proxies, seeds, and scale."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import numpy as np
import pytest

from fairexp.datasets import expected_dp_difference, load_dataset
from fairexp.errors import ConfigError


def synth(seed: int = 0, **over: Any):
    return load_dataset({"name": "synthetic", **over}, seed=seed)


def rate_gap(y: np.ndarray, groups: np.ndarray, first: str, second: str) -> float:
    return float(y[groups == first].mean() - y[groups == second].mean())


@pytest.mark.parametrize("bias", [0.0, 0.3, 0.6, 1.0])
def test_known_demographic_parity_difference(bias: float) -> None:
    ds = synth(n_samples=200_000, n_features=4, n_categorical=0, bias=bias)
    gap = rate_gap(ds.y, ds.sensitive["group"].to_numpy(), "majority", "minority")
    assert expected_dp_difference(bias) == bias / 2
    assert gap == pytest.approx(bias / 2, abs=0.01)
    # the group rates themselves are 0.5 +/- bias/4
    group = ds.sensitive["group"].to_numpy()
    assert ds.y[group == "minority"].mean() == pytest.approx(0.5 - bias / 4, abs=0.01)
    assert (group == "minority").mean() == pytest.approx(0.3, abs=0.005)


def test_intersectional_groups() -> None:
    ds = synth(n_samples=200_000, n_features=4, bias=0.8, intersectional=True, sensitive=["group", "group2"])
    group, group2 = ds.sensitive["group"].to_numpy(), ds.sensitive["group2"].to_numpy()
    assert rate_gap(ds.y, group, "majority", "minority") == pytest.approx(0.4, abs=0.01)
    assert rate_gap(ds.y, group2, "a", "b") == pytest.approx(0.2, abs=0.01)
    cell = ds.y[(group == "minority") & (group2 == "b")].mean()
    assert cell == pytest.approx(0.5 - 0.2 - 0.1, abs=0.015)


def test_features_informative_and_proxies() -> None:
    ds = synth(n_samples=100_000, n_features=8, n_categorical=1, bias=1.0, group_ratio=0.5)
    X, y = ds.X, ds.y
    minority = ds.sensitive["group"].to_numpy() == "minority"
    assert list(X.columns) == [f"x{j}" for j in range(8)] + ["cat0"]
    assert (X.dtypes[: 8] == np.float32).all() and ds.categorical == ["cat0"]
    # informative: x0..x3 shift by +/-0.5 with y
    assert X["x0"][y == 1].mean() - X["x0"][y == 0].mean() == pytest.approx(1.0, abs=0.05)
    # proxies: the last 8 // 4 = 2 features shift by -bias for the minority
    assert X["x7"][minority].mean() - X["x7"][~minority].mean() == pytest.approx(-1.0, abs=0.05)
    # noise features do not depend on the group
    assert abs(X["x5"][minority].mean() - X["x5"][~minority].mean()) < 0.03
    assert set(X["cat0"]) == {"low", "mid", "high"}
    unbiased = synth(n_samples=100_000, n_features=8, bias=0.0, group_ratio=0.5)
    m0 = unbiased.sensitive["group"].to_numpy() == "minority"
    assert abs(unbiased.X["x7"][m0].mean() - unbiased.X["x7"][~m0].mean()) < 0.03


def test_seeds_and_hash() -> None:
    a, b, c = synth(seed=1, n_samples=1_000), synth(seed=1, n_samples=1_000), synth(seed=2, n_samples=1_000)
    assert a.X.equals(b.X) and a.data_hash == b.data_hash
    assert not a.X.equals(c.X) and a.data_hash != c.data_hash
    own = load_dataset({"name": "synthetic", "n_samples": 1_000, "seed": 1}, seed=99)
    assert own.X.equals(a.X)  # dataset.seed overrides the global seed
    assert "bias=0.5" in a.source and "seed=1" in a.source


def test_one_million_rows_fast_and_lean() -> None:
    tracemalloc.start()
    start = time.perf_counter()
    ds = synth(n_samples=1_000_000)  # 20 float32 features + 2 categorical
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(ds) == 1_000_000 and ds.X.shape == (1_000_000, 22)
    assert elapsed < 5.0, elapsed  # ~0.6 s on a laptop-class CPU; generous for CI
    # X holds 80 MB of float32 plus two object columns; the whole load peaks well below 400 MB
    assert peak < 400e6, peak / 1e6


@pytest.mark.parametrize(
    ("over", "key"),
    [
        ({"bias": 1.5}, "dataset.bias"),
        ({"group_ratio": 0.0}, "dataset.group_ratio"),
        ({"group_ratio": 1.0}, "dataset.group_ratio"),
        ({"n_features": 0}, "dataset.n_features"),
        ({"n_samples": 5}, "dataset.n_samples"),
        ({"n_categorical": -1}, "dataset.n_categorical"),
        ({"seed": "abc"}, "dataset.seed"),
        ({"intersectional": "yes"}, "dataset.intersectional"),
        ({"sensitive": ["group2"]}, "dataset.sensitive"),
    ],
)
def test_synthetic_config_errors(over: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as info:
        load_dataset({"name": "synthetic", "n_samples": 100, **over}, seed=0)
    assert info.value.key == key
