"""The csv loader (CSV and Parquet) and each bad-input error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fairexp.datasets import load_dataset, split_dataset
from fairexp.datasets._base import sha256_file
from fairexp.errors import ConfigError, DataError


def frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "income": rng.normal(50, 10, n).round(1),
            "zip": rng.integers(10000, 10010, n),
            "city": rng.choice(["Paris", "Lyon", None], n),
            "gender": rng.choice(["F", "M"], n),
            "minority": rng.choice([0, 1], n),
            "approved": rng.choice(["yes", "no"], n),
        }
    )


def cfg(path: Path | str, **over: Any) -> dict[str, Any]:
    base = {"name": "csv", "path": str(path), "label": "approved", "positive_label": "yes",
            "sensitive": ["gender"], "drop": ["id"]}  # fmt: skip
    return {**base, **over}


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "loans.csv"
    frame().to_csv(path, index=False)
    return path


def test_csv_loads(csv_path: Path) -> None:
    df = frame()
    ds = load_dataset(cfg(csv_path, sensitive=["gender", "minority"]), seed=0)
    assert len(ds) == 200 and list(ds.X.columns) == ["income", "zip", "city"]
    np.testing.assert_array_equal(ds.y, (df["approved"] == "yes").astype(int))
    assert ds.categorical == ["city"] and ds.numeric == ["income", "zip"]
    assert ds.X["city"].isna().sum() == (df["city"].isna()).sum() > 0  # missing kept as NaN
    assert set(ds.sensitive["minority"]) == {"0", "1"}  # strings, original values
    assert ds.positive_label == "approved == yes"
    assert ds.data_hash == sha256_file(csv_path) and str(csv_path) in ds.source
    parts = split_dataset(ds, {"split": {"val_size": 0.25, "test_size": 0.25}}, seed=0)
    assert [len(p) for p in parts.values()] == [100, 50, 50]


def test_csv_explicit_categorical_keep_sensitive(csv_path: Path) -> None:
    ds = load_dataset(cfg(csv_path, categorical=["zip"], keep_sensitive=True), seed=0)
    assert ds.categorical == ["zip", "city", "gender"] and ds.numeric == ["income", "minority"]
    assert ds.X["zip"].map(type).eq(str).all()


def test_parquet_and_01_label(tmp_path: Path) -> None:
    df = frame()
    df["approved"] = (df["approved"] == "yes").astype(int)
    df["gender"] = df["gender"].astype("category")
    path = tmp_path / "loans.parquet"
    df.to_parquet(path)
    ds = load_dataset(cfg(path, positive_label=None, features=["income", "city"]), seed=0)
    np.testing.assert_array_equal(ds.y, df["approved"].to_numpy())
    assert list(ds.X.columns) == ["income", "city"] and set(ds.sensitive["gender"]) == {"F", "M"}
    # positive_label 0 flips the label; "1" (string) matches the int value 1
    flipped = load_dataset(cfg(path, positive_label=0), seed=0)
    np.testing.assert_array_equal(flipped.y, 1 - df["approved"].to_numpy())
    assert load_dataset(cfg(path, positive_label="1"), seed=0).y.sum() == df["approved"].sum()
    assert load_dataset(cfg(path, positive_label=True), seed=0).y.sum() == df["approved"].sum()


def test_unquoted_yaml_yes(csv_path: Path) -> None:
    # YAML (and OmegaConf) read an unquoted `positive_label: yes` as the boolean true
    ds = load_dataset(cfg(csv_path, positive_label=True), seed=0)
    assert ds.y.sum() == (frame()["approved"] == "yes").sum() and ds.positive_label == "approved == yes"


def test_compressed_tsv_and_sep(tmp_path: Path) -> None:
    path = tmp_path / "loans.tsv.gz"
    frame().to_csv(path, sep="\t", index=False)
    assert len(load_dataset(cfg(path), seed=0)) == 200
    semi = tmp_path / "loans_semicolon.csv"
    frame().to_csv(semi, sep=";", index=False)
    assert len(load_dataset(cfg(semi, sep=";"), seed=0)) == 200


def check(config: dict[str, Any], error: type, key: str, *words: str) -> None:
    with pytest.raises(error, match=key.replace(".", r"\.")) as info:
        load_dataset(config, seed=0)
    assert info.value.key == key and "\n" not in str(info.value)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_path_errors(tmp_path: Path, csv_path: Path) -> None:
    check(cfg(tmp_path / "nope.csv"), ConfigError, "dataset.path", "not found", "nope.csv")
    check({**cfg(csv_path), "path": None}, ConfigError, "dataset.path", "required")
    check({**cfg(csv_path), "path": str(tmp_path)}, ConfigError, "dataset.path", "not a file")
    xlsx = tmp_path / "loans.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    check(cfg(xlsx), ConfigError, "dataset.path", "extension", ".parquet")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    check(cfg(empty), DataError, "dataset.path", "empty")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,b,approved\n")
    check(cfg(header_only), DataError, "dataset.path", "no data rows")
    broken = tmp_path / "broken.parquet"
    broken.write_text("this is not parquet")
    check(cfg(broken), DataError, "dataset.path", "cannot read")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text('a,b\n1,2\n3,"4\n')
    check(cfg(ragged), DataError, "dataset.path", "cannot read")


def test_label_errors(tmp_path: Path, csv_path: Path) -> None:
    check(cfg(csv_path, label="approval"), ConfigError, "dataset.label", "approval", "approved", "available")
    check(cfg(csv_path, label=None), ConfigError, "dataset.label", "required")
    check(cfg(csv_path, label="city", positive_label="Paris"), DataError, "dataset.label", "missing")
    df = frame()
    df["approved"] = np.resize(["yes", "no", "maybe"], len(df))
    three = tmp_path / "three.csv"
    df.to_csv(three, index=False)
    check(cfg(three), ConfigError, "dataset.label", "binary", "3 distinct")
    df["approved"] = "yes"
    one = tmp_path / "one.csv"
    df.to_csv(one, index=False)
    check(cfg(one), ConfigError, "dataset.label", "1 distinct")


def test_positive_label_errors(csv_path: Path) -> None:
    check(cfg(csv_path, positive_label="Yes"), ConfigError, "dataset.positive_label", "'Yes'", "no", "yes")
    check(cfg(csv_path, positive_label=None), ConfigError, "dataset.positive_label", "required", "favourable")


def test_column_errors(csv_path: Path) -> None:
    check(cfg(csv_path, sensitive=["sex"]), ConfigError, "dataset.sensitive", "sex", "gender", "available")
    check(cfg(csv_path, sensitive=None), ConfigError, "dataset.sensitive", "required")
    check(cfg(csv_path, sensitive="city"), DataError, "dataset.sensitive", "missing value")
    check(cfg(csv_path, features=["income", "salary"]), ConfigError, "dataset.features", "salary")
    check(cfg(csv_path, drop=["ID"]), ConfigError, "dataset.drop", "ID", "did you mean 'id'")
    check(cfg(csv_path, categorical=["town"]), ConfigError, "dataset.categorical", "town")
    check(cfg(csv_path, sep=""), ConfigError, "dataset.sep")
    check(cfg(csv_path, sample=500), ConfigError, "dataset.sample", "only 200")


def test_sensitive_values_become_strings(tmp_path: Path) -> None:
    df = frame()
    df["score"] = df["minority"].astype(float)  # 0.0 / 1.0 -> "0" / "1"
    df["flag"] = df["minority"].astype(bool)
    path = tmp_path / "typed.parquet"
    df.to_parquet(path)
    ds = load_dataset(cfg(path, sensitive=["score", "flag"], keep_sensitive=True), seed=0)
    assert set(ds.sensitive["score"]) == {"0", "1"} and set(ds.sensitive["flag"]) == {"False", "True"}
    assert "score" in ds.numeric and "flag" in ds.categorical  # bool is one-hot encoded
