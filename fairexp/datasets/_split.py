"""Seeded, stratified row selection: the train/val/test split and ``dataset.sample``.

Stratification without fallbacks: rows are sorted by (label, sensitive-group combination,
random key) and then dealt out *systematically* -- a Bresenham-style pattern with a random
phase puts exactly the requested number of rows in each part and spreads them evenly along
the sorted order. Every contiguous block of that order -- each label, and each
label x group stratum inside it -- therefore gets its proportional share to within one row
(test) or two rows (val). Strata too small to reach every split (fewer than about
``1/test_size`` rows) simply land where the deal puts them; the label balance is unaffected,
so there is no need to fall back to label-only stratification.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fairexp.errors import ConfigError, DataError

from ._base import DataSplit, Dataset
from ._config import SPLIT_DEFAULTS, check_int, parse_split

#: distinct streams, so the subsample and the split of one seed are not correlated
_SAMPLE_STREAM = 1
_SPLIT_STREAM = 2


def group_codes(sensitive: pd.DataFrame) -> np.ndarray:
    """One int code per combination of the sensitive columns (intersectional groups)."""
    codes = np.zeros(len(sensitive), dtype=np.int64)
    for col in sensitive.columns:
        c, uniques = pd.factorize(sensitive[col], sort=True)  # NaN -> -1
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + (c + 1))
        codes = codes.astype(np.int64)
    return codes


def _order(y: np.ndarray, groups: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """Row order: shuffled, grouped by (label, group) when ``groups`` is given."""
    if groups is None:
        return rng.permutation(len(y))
    return np.lexsort((rng.random(len(y)), groups, y))


def _deal(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask with exactly ``k`` of ``n`` positions set, evenly spread, random phase."""
    if n == 0:
        return np.zeros(0, dtype=bool)
    phase = int(rng.integers(n))
    i = np.arange(n, dtype=np.int64)
    return ((i + 1) * k + phase) // n - (i * k + phase) // n == 1


def _round(x: float) -> int:
    return int(np.floor(x + 0.5))


def stratified_sample(y: np.ndarray, sensitive: pd.DataFrame, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded subsample, stratified on label x sensitive group."""
    rng = np.random.default_rng([seed, _SAMPLE_STREAM])
    order = _order(y, group_codes(sensitive), rng)
    return np.sort(order[_deal(len(y), size, rng)])


def _split_node(cfg: Mapping[str, Any] | None) -> Any:
    """Accept the dataset node (with ``split``) or the ``split`` node itself."""
    if cfg is None:
        return {}
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"must be the dataset config mapping, got {type(cfg).__name__}", key="dataset.split")
    if "split" in cfg:
        return cfg["split"]
    if "name" not in cfg and any(k in cfg for k in SPLIT_DEFAULTS):
        return cfg
    return {}


def split_dataset(dataset: Dataset, cfg: Mapping[str, Any], *, seed: int) -> dict[str, DataSplit]:
    """Seeded train/val/test split of ``dataset``.

    ``cfg`` is the ``dataset`` config node (its ``split`` key: ``val_size``, ``test_size``,
    ``stratify``; the split node itself is accepted too). With ``stratify`` the split
    preserves the label x sensitive-group mix in every part (see the module docstring).
    The same seed always gives the same split. The parts are disjoint and cover every row;
    each keeps the dataset's row order and gets a fresh 0..n-1 index.

    Returns ``{"train": ..., "val": ..., "test": ...}``.
    """
    split = parse_split(_split_node(cfg))
    seed = check_int(seed, "seed", minimum=0)
    n = len(dataset.y)
    n_test = _round(split.test_size * n)
    n_val = _round(split.val_size * n)
    for key, size, count in (
        ("dataset.split.test_size", split.test_size, n_test),
        ("dataset.split.val_size", split.val_size, n_val),
    ):
        if count < 1:
            raise DataError(f"{size:g} of {n} rows leaves no rows in that split; raise it or use more rows", key=key)
    if n - n_test - n_val < 1:
        raise DataError(f"{n} rows leave no training rows after val and test", key="dataset.split.test_size")

    rng = np.random.default_rng([seed, _SPLIT_STREAM])
    groups = group_codes(dataset.sensitive) if split.stratify else None
    order = _order(np.asarray(dataset.y), groups, rng)
    is_test = _deal(n, n_test, rng)
    rest = order[~is_test]
    is_val = _deal(len(rest), n_val, rng)
    parts = {
        "train": np.sort(rest[~is_val]),
        "val": np.sort(rest[is_val]),
        "test": np.sort(order[is_test]),
    }
    return {name: _take(dataset, idx) for name, idx in parts.items()}


def _take(dataset: Dataset, idx: np.ndarray) -> DataSplit:
    return DataSplit(
        X=dataset.X.iloc[idx].reset_index(drop=True),
        y=np.asarray(dataset.y)[idx],
        sensitive=dataset.sensitive.iloc[idx].reset_index(drop=True),
        audit=None if dataset.audit is None else dataset.audit.iloc[idx].reset_index(drop=True),
    )
