"""split_dataset: seeded, disjoint, covering, stratified on label x sensitive group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairexp.datasets import Dataset, DataSplit, load_dataset, split_dataset
from fairexp.errors import ConfigError, DataError

SPLIT = {"split": {"val_size": 0.2, "test_size": 0.2, "stratify": True}}


def row_ids(ds: Dataset, part: DataSplit) -> np.ndarray:
    """Recover each split row's position in the dataset through a unique id column."""
    return part.X["_row"].to_numpy()


def with_row_ids(ds: Dataset) -> Dataset:
    X = ds.X.copy()
    X["_row"] = np.arange(len(X))
    return Dataset(
        name=ds.name, X=X, y=ds.y, sensitive=ds.sensitive, categorical=ds.categorical,
        numeric=ds.numeric + ["_row"], positive_label=ds.positive_label, source=ds.source,
        data_hash=ds.data_hash,
    )  # fmt: skip


@pytest.mark.parametrize("fixture", ["adult", "german", "compas", "bank"])
def test_split_disjoint_covering_stratified(fixture: str, request: pytest.FixtureRequest) -> None:
    ds = with_row_ids(request.getfixturevalue(fixture))
    parts = split_dataset(ds, SPLIT, seed=0)
    assert list(parts) == ["train", "val", "test"]
    ids = {name: row_ids(ds, p) for name, p in parts.items()}
    all_ids = np.concatenate(list(ids.values()))
    assert len(all_ids) == len(ds) and len(np.unique(all_ids)) == len(ds)  # disjoint + covering
    n = len(ds)
    assert len(parts["test"]) == round(0.2 * n) and len(parts["val"]) == round(0.2 * n)
    for name, part in parts.items():
        idx = ids[name]
        # the split rows are the dataset rows, consistently across X, y, sensitive
        np.testing.assert_array_equal(part.y, ds.y[idx])
        pd.testing.assert_frame_equal(part.sensitive, ds.sensitive.iloc[idx].reset_index(drop=True))
        assert part.X.index.equals(pd.RangeIndex(len(part)))
        assert part.sensitive.index.equals(pd.RangeIndex(len(part)))
        assert part.y.dtype == np.int64
        assert abs(part.y.mean() - ds.y.mean()) <= 0.01, (name, part.y.mean(), ds.y.mean())
        for col in ds.sensitive.columns:
            for group in ds.sensitive[col].unique():
                share_all = (ds.sensitive[col] == group).mean()
                share = (part.sensitive[col] == group).mean()
                assert abs(share - share_all) <= max(0.01, 3 / len(part)), (name, col, group)


def test_strata_counts_within_two_rows(adult: Dataset) -> None:
    """Each label x sex x race cell is split proportionally to within +/-2 rows."""
    parts = split_dataset(adult, SPLIT, seed=7)
    def cells(y: np.ndarray, s: pd.DataFrame) -> pd.Series:
        return pd.Series(y).astype(str).str.cat(s.astype(str).agg("|".join, axis=1)).value_counts()
    total = cells(adult.y, adult.sensitive)
    for name, frac in (("val", 0.2), ("test", 0.2), ("train", 0.6)):
        part = cells(parts[name].y, parts[name].sensitive).reindex(total.index, fill_value=0)
        assert (part - frac * total).abs().max() <= 2.0, name


def test_split_deterministic_and_seed_dependent(german: Dataset) -> None:
    a = split_dataset(german, SPLIT, seed=11)
    b = split_dataset(german, SPLIT, seed=11)
    c = split_dataset(german, SPLIT, seed=12)
    for name in a:
        pd.testing.assert_frame_equal(a[name].X, b[name].X)
        np.testing.assert_array_equal(a[name].y, b[name].y)
        pd.testing.assert_frame_equal(a[name].sensitive, b[name].sensitive)
    assert not a["test"].X.equals(c["test"].X)


def test_split_sizes_and_unstratified(compas: Dataset) -> None:
    cfg = {"name": "compas", "split": {"val_size": 0.1, "test_size": 0.3, "stratify": False}}
    parts = split_dataset(compas, cfg, seed=0)
    assert [len(parts[k]) for k in ("train", "val", "test")] == [6172 - 617 - 1852, 617, 1852]
    # the split node itself is accepted too; defaults fill missing keys
    parts2 = split_dataset(compas, {"test_size": 0.3, "val_size": 0.1, "stratify": False}, seed=0)
    pd.testing.assert_frame_equal(parts["val"].X, parts2["val"].X)
    assert sum(len(p) for p in split_dataset(compas, {}, seed=0).values()) == 6172


def test_intersectional_split_with_tiny_strata() -> None:
    """Strata smaller than the number of splits do not break stratification on the label."""
    ds = load_dataset({"name": "compas", "sensitive": ["race", "sex", "age_cat"]}, seed=0)
    parts = split_dataset(ds, SPLIT, seed=3)
    assert sum(len(p) for p in parts.values()) == len(ds)
    for part in parts.values():
        assert abs(part.y.mean() - ds.y.mean()) <= 0.005


@pytest.mark.parametrize(
    ("split", "key"),
    [
        ({"val_size": 0.0}, "dataset.split.val_size"),
        ({"val_size": 1.0}, "dataset.split.val_size"),
        ({"test_size": -0.1}, "dataset.split.test_size"),
        ({"test_size": "a lot"}, "dataset.split.test_size"),
        ({"val_size": 0.5, "test_size": 0.5}, "dataset.split.test_size"),
        ({"stratify": "yes"}, "dataset.split.stratify"),
        ({"valsize": 0.1}, "dataset.split.valsize"),
    ],
)
def test_split_config_errors(german: Dataset, split: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as err:
        split_dataset(german, {"split": split}, seed=0)
    assert err.value.key == key and "\n" not in str(err.value)


def test_split_too_small() -> None:
    ds = load_dataset({"name": "german", "sample": 10}, seed=0)
    with pytest.raises(DataError, match=r"dataset\.split\.val_size"):
        split_dataset(ds, {"split": {"val_size": 0.01, "test_size": 0.2}}, seed=0)


def test_datasplit_len_and_repr(german: Dataset) -> None:
    parts = split_dataset(german, SPLIT, seed=0)
    assert len(parts["train"]) == 600
    assert "rows=600" in repr(parts["train"]) and "german" in repr(german)
