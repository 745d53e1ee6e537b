"""Every user mistake is a one-line ConfigError/DataError naming the config key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fairexp.datasets import load_dataset
from fairexp.errors import ConfigError, DataError, FairexpError


def raises(cfg: dict[str, Any], error: type[FairexpError], key: str, *words: str) -> FairexpError:
    with pytest.raises(error, match=key.replace(".", r"\.")) as info:
        load_dataset(cfg, seed=0)
    exc = info.value
    assert exc.key == key
    assert "\n" not in str(exc)
    for word in words:
        assert word in str(exc), (word, str(exc))
    return exc


def test_unknown_name() -> None:
    raises({"name": "adlut"}, ConfigError, "dataset.name", "adlut", "did you mean 'adult'", "compas", "synthetic")
    raises({"name": None}, ConfigError, "dataset.name", "available")
    raises({}, ConfigError, "dataset.name")


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="dataset"):
        load_dataset(["adult"], seed=0)  # type: ignore[arg-type]


def test_unknown_key() -> None:
    raises({"name": "adult", "sensitve": ["sex"]}, ConfigError, "dataset.sensitve", "did you mean 'sensitive'")
    raises({"name": "adult", "include_score": True}, ConfigError, "dataset.include_score", "adult")


def test_sensitive_missing_column() -> None:
    raises({"name": "german", "sensitive": ["sex", "gender"]}, ConfigError, "dataset.sensitive",
           "gender", "available columns", "foreign_worker", "age_group")  # fmt: skip
    raises({"name": "compas", "sensitive": "Race"}, ConfigError, "dataset.sensitive", "did you mean 'race'")
    raises({"name": "adult", "sensitive": "income"}, ConfigError, "dataset.sensitive", "'income' is the label")
    raises({"name": "bank", "features": ["age", "y"]}, ConfigError, "dataset.features", "'y' is the label")


def test_sensitive_bad_values() -> None:
    raises({"name": "adult", "sensitive": []}, ConfigError, "dataset.sensitive", "at least one")
    raises({"name": "adult", "sensitive": ["sex", "sex"]}, ConfigError, "dataset.sensitive", "more than once")
    raises({"name": "adult", "sensitive": [{"a": 1}]}, ConfigError, "dataset.sensitive")


def test_sensitive_single_group_after_filter() -> None:
    raises({"name": "compas", "sensitive": "race", "race_groups": ["Caucasian"]}, DataError,
           "dataset.sensitive", "single group", "Caucasian")  # fmt: skip


def test_sensitive_with_missing_values() -> None:
    raises({"name": "adult", "sensitive": "workclass"}, DataError, "dataset.sensitive", "2799 missing", "48842 rows")


def test_features_and_drop_errors() -> None:
    raises({"name": "german", "features": ["age", "salary"]}, ConfigError, "dataset.features", "salary", "available")
    raises({"name": "german", "drop": ["nope"]}, ConfigError, "dataset.drop", "nope")
    raises({"name": "german", "features": ["sex"], "sensitive": "sex"}, ConfigError, "dataset.features", "no feature")
    raises({"name": "german", "features": []}, ConfigError, "dataset.features")
    raises({"name": "german", "drop": ["sex"], "keep_sensitive": True}, ConfigError, "dataset.drop", "sex")
    raises({"name": "german", "keep_sensitive": "no"}, ConfigError, "dataset.keep_sensitive")


def test_sample_errors() -> None:
    raises({"name": "german", "sample": 1001}, ConfigError, "dataset.sample", "1001", "1000")
    raises({"name": "german", "sample": 5}, ConfigError, "dataset.sample", "at least 10")
    raises({"name": "german", "sample": "many"}, ConfigError, "dataset.sample")
    raises({"name": "german", "sample": True}, ConfigError, "dataset.sample")


def test_single_group_after_sampling() -> None:
    # 37 foreign_worker == "no" of 1,000: a 10-row sample cannot keep both groups
    cfg = {"name": "german", "sensitive": "foreign_worker", "sample": 10}
    raises(cfg, DataError, "dataset.sensitive", "single group")


def test_single_label_class_after_sampling(tmp_path: Path) -> None:
    # 5 positives in 1,000 rows: a 10-row sample, stratified on the label, gets 0.05 of them
    path = tmp_path / "rare.csv"
    path.write_text("x,g,y\n" + "".join(f"{i},{'ab'[i % 2]},{int(i < 5)}\n" for i in range(1000)))
    cfg = {"name": "csv", "path": str(path), "label": "y", "sensitive": "g", "sample": 10}
    raises(cfg, DataError, "dataset.sample", "single label class")


def test_split_errors_at_load_time() -> None:
    raises({"name": "german", "split": {"val_size": 0.6, "test_size": 0.4}}, ConfigError, "dataset.split.test_size")
    raises({"name": "german", "split": {"val_size": 2}}, ConfigError, "dataset.split.val_size", "(0, 1)")


def test_dataset_specific_key_errors() -> None:
    raises({"name": "compas", "race_groups": ["Martian"]}, ConfigError, "dataset.race_groups", "Martian", "Caucasian")
    raises({"name": "compas", "include_score": 1}, ConfigError, "dataset.include_score")
    raises({"name": "bank", "age_threshold": "old"}, ConfigError, "dataset.age_threshold")
    raises({"name": "bank", "age_threshold": 100}, DataError, "dataset.sensitive", "single group")


def test_bad_seed() -> None:
    with pytest.raises(ConfigError, match="seed"):
        load_dataset({"name": "german"}, seed=-1)
