"""The four benchmark datasets: row counts, labels and groups as published."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from fairexp.datasets import Dataset, available_datasets, load_dataset
from fairexp.datasets._base import DATA_DIR


def check_dataset_contract(ds: Dataset) -> None:
    """What every Dataset promises to the rest of fairexp."""
    n = len(ds.y)
    assert len(ds) == n == len(ds.X) == len(ds.sensitive)
    assert ds.y.dtype == np.int64 and set(np.unique(ds.y)) == {0, 1}
    assert ds.X.index.equals(pd.RangeIndex(n)) and ds.sensitive.index.equals(pd.RangeIndex(n))
    assert sorted(ds.categorical + ds.numeric) == sorted(ds.X.columns)
    assert not set(ds.categorical) & set(ds.numeric)
    for col in ds.numeric:
        assert pd.api.types.is_numeric_dtype(ds.X[col]), col
    for col in ds.categorical:
        values = ds.X[col].dropna()
        assert values.map(type).eq(str).all(), col
    for col in ds.sensitive.columns:
        assert ds.sensitive[col].map(type).eq(str).all(), col
        assert ds.sensitive[col].nunique() >= 2
    assert ds.positive_label and ds.source and len(ds.data_hash) == 64


def test_available_datasets() -> None:
    assert available_datasets() == ["adult", "german", "compas", "bank", "csv", "synthetic"]


def test_adult(adult: Dataset) -> None:
    check_dataset_contract(adult)
    assert len(adult) == 48_842
    assert int(adult.y.sum()) == 11_687
    assert adult.y.mean() == pytest.approx(0.2393, abs=1e-4)
    assert adult.positive_label == "income >50K"
    # sensitive columns are out of X; fnlwgt and education are not default features
    assert {"sex", "race", "fnlwgt", "education", "income", "age_group"}.isdisjoint(adult.X.columns)
    assert "education-num" in adult.numeric and "age" in adult.numeric
    assert adult.sensitive["sex"].value_counts().to_dict() == {"Male": 32_650, "Female": 16_192}
    assert adult.sensitive["race"].value_counts()["Black"] == 4_685
    # "?" is missing: the rows are kept, the value is NaN (imputed later)
    assert adult.X["workclass"].isna().sum() == 2_799
    assert adult.X["occupation"].isna().sum() == 2_809
    assert adult.X["native-country"].isna().sum() == 857
    assert not adult.X["workclass"].dropna().str.contains(r"^\s|\s$|\?").any()
    # the training file comes first: row 0 is its first line
    assert adult.X.loc[0, "age"] == 39 and adult.X.loc[0, "workclass"] == "State-gov"


def test_adult_age_group() -> None:
    ds = load_dataset({"name": "adult", "sensitive": "age_group", "keep_sensitive": True}, seed=0)
    assert ds.sensitive["age_group"].value_counts().to_dict() == {"25-59": 36_355, "<25": 8_432, ">=60": 4_055}
    assert "age_group" in ds.categorical and "age" in ds.numeric


def test_german(german: Dataset) -> None:
    check_dataset_contract(german)
    assert len(german) == 1_000 and int(german.y.sum()) == 700
    assert german.sensitive["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert {"sex", "personal_status", "age_group"}.isdisjoint(german.X.columns)
    assert len(german.X.columns) == 19  # 20 attributes, sex replaces personal_status, minus sex
    assert german.X.loc[0, "checking_status"] == "<0 DM"  # A11
    assert german.X.loc[0, "credit_amount"] == 1169
    assert german.y[0] == 1 and german.y[1] == 0  # raw 1 = good, 2 = bad


def test_german_other_sensitive() -> None:
    ds = load_dataset({"name": "german", "sensitive": ["age_group", "foreign_worker"]}, seed=0)
    assert ds.sensitive["age_group"].value_counts().to_dict() == {"over_25": 810, "25_or_under": 190}
    assert ds.sensitive["foreign_worker"].value_counts().to_dict() == {"yes": 963, "no": 37}
    assert "sex" in ds.categorical and "personal_status" not in ds.X.columns  # sex not sensitive here
    opt_in = load_dataset({"name": "german", "features": ["personal_status", "age"]}, seed=0)
    assert list(opt_in.X.columns) == ["personal_status", "age"]


def test_compas(compas: Dataset) -> None:
    check_dataset_contract(compas)
    # ProPublica's published count after their filter ("Compas Analysis.ipynb"): 6,172 rows
    assert len(compas) == 6_172
    # y = 1 is the favourable outcome: NO recidivism within two years
    assert int((compas.y == 0).sum()) == 2_809 and int(compas.y.sum()) == 3_363
    assert list(compas.X.columns) == [
        "sex", "age", "age_cat", "juv_fel_count", "juv_misd_count", "juv_other_count",
        "priors_count", "c_charge_degree",
    ]  # fmt: skip
    assert compas.sensitive["race"].value_counts().to_dict() == {
        "African-American": 3_175, "Caucasian": 2_103, "Hispanic": 509, "Other": 343,
        "Asian": 31, "Native American": 11,
    }  # fmt: skip
    # recidivism rates by race, as in ProPublica's analysis
    recid = 1 - compas.y
    race = compas.sensitive["race"].to_numpy()
    assert recid[race == "African-American"].mean() == pytest.approx(0.5231, abs=1e-4)
    assert recid[race == "Caucasian"].mean() == pytest.approx(0.3909, abs=1e-4)


def test_compas_options() -> None:
    ds = load_dataset(
        {"name": "compas", "sensitive": ["race", "sex"], "include_score": True,
         "race_groups": ["African-American", "Caucasian"]},
        seed=0,
    )  # fmt: skip
    assert len(ds) == 3_175 + 2_103
    assert {"decile_score", "score_text"} <= set(ds.X.columns)
    assert "decile_score" in ds.numeric and "score_text" in ds.categorical
    assert set(ds.sensitive["race"]) == {"African-American", "Caucasian"}


def test_compas_file_has_no_identifiers() -> None:
    with gzip.open(DATA_DIR / "compas-scores-two-years.csv.gz", "rt", newline="") as fh:
        header = fh.readline().strip().split(",")
        n_rows = sum(1 for _ in fh)
    assert n_rows == 7_214
    identifiers = {"id", "name", "first", "last", "dob", "c_case_number", "r_case_number", "vr_case_number"}
    assert not identifiers & set(header)
    assert {"two_year_recid", "race", "days_b_screening_arrest", "score_text"} <= set(header)


def test_bank(bank: Dataset) -> None:
    check_dataset_contract(bank)
    assert len(bank) == 4_521 and int(bank.y.sum()) == 521
    assert "duration" not in bank.X.columns  # leaks the outcome
    assert "age" in bank.numeric and "marital" in bank.categorical
    assert bank.sensitive["age_group"].value_counts().to_dict() == {">=25": 4_454, "<25": 67}
    assert (bank.X["job"] == "unknown").sum() == 38  # "unknown" is a category, not NaN
    assert not bank.X.isna().any().any()


def test_bank_age_threshold_and_marital() -> None:
    ds = load_dataset({"name": "bank", "sensitive": ["age_group", "marital"], "age_threshold": 60}, seed=0)
    assert ds.sensitive["age_group"].value_counts().to_dict() == {"<60": 4_347, ">=60": 174}
    assert ds.sensitive["marital"].value_counts().to_dict() == {"married": 2_797, "single": 1_196, "divorced": 528}


def test_keep_sensitive_features_and_drop() -> None:
    ds = load_dataset(
        {"name": "adult", "sensitive": ["sex", "race"], "keep_sensitive": True, "drop": ["native-country"]}, seed=0
    )
    assert {"sex", "race"} <= set(ds.categorical) and "native-country" not in ds.X.columns
    ds = load_dataset({"name": "adult", "sensitive": "sex", "features": ["age", "fnlwgt", "sex", "education"]}, seed=0)
    assert list(ds.X.columns) == ["age", "fnlwgt", "education"]  # sensitive left out, order kept
    assert ds.numeric == ["age", "fnlwgt"] and ds.categorical == ["education"]


def test_sample_is_stratified_and_seeded() -> None:
    cfg = {"name": "adult", "sensitive": ["sex"], "sample": 2_000}
    a, b, c = (load_dataset(cfg, seed=s) for s in (3, 3, 4))
    assert len(a) == 2_000
    pd.testing.assert_frame_equal(a.X, b.X)
    assert not a.X.equals(c.X)
    assert a.y.mean() == pytest.approx(11_687 / 48_842, abs=1e-3)
    assert (a.sensitive["sex"] == "Female").mean() == pytest.approx(16_192 / 48_842, abs=1e-3)
    check_dataset_contract(a)


def test_data_hash_is_file_hash(german: Dataset, bank: Dataset) -> None:
    assert german.data_hash == "a4cc977b7fc38d60827f2f881d8377954ece4d7ade5d026e827307bb63395df2"
    assert bank.data_hash == "34ef6709523adb0cfda7ad7ee6add202bcb2e285522f2e32fcc131d849a78025"
