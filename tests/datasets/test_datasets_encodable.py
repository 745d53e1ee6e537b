"""Feature columns that one-hot encoding cannot use are refused with a one-line error naming the column."""

import numpy as np
import pandas as pd
import pytest

from fairexp.datasets import load_dataset
from fairexp.errors import DataError


def _frame(n: int = 2400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "income": rng.normal(size=n),
            "region": rng.choice(["north", "south"], n),
            "g": rng.choice(["a", "b"], n),
            "y": rng.integers(0, 2, n),
        }
    )


def _cfg(path) -> dict:
    return {"name": "csv", "path": str(path), "label": "y", "positive_label": 1, "sensitive": ["g"]}


def test_identifier_like_text_column_is_refused(tmp_path):
    frame = _frame()
    frame["customer_id"] = [f"C{i:06d}" for i in range(len(frame))]
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"dataset.features: feature column 'customer_id' is non-numeric with 2,400 distinct"):
        load_dataset(_cfg(path))
    # dropping it, as the message says, works
    ds = load_dataset({**_cfg(path), "drop": ["customer_id"]})
    assert "customer_id" not in ds.X.columns and "region" in ds.categorical


def test_list_valued_column_is_refused(tmp_path):
    frame = _frame()
    frame["tags"] = [[i % 3, 1] for i in range(len(frame))]
    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"dataset.features: feature column 'tags' holds \w+ values"):
        load_dataset(_cfg(path))


def test_many_categories_but_not_an_identifier_are_kept(tmp_path):
    frame = _frame(4000)
    frame["zip"] = [f"Z{i % 1500}" for i in range(len(frame))]  # 1,500 categories, repeated: a real feature
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    assert "zip" in load_dataset(_cfg(path)).categorical
