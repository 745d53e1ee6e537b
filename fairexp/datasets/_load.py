"""``load_dataset``: validate the config, run the dataset's loader, then the common steps.

Common steps, in order (the same for every dataset):

1. the label must be binary, with both classes present (``dataset.label``);
2. every sensitive column must exist (``dataset.sensitive``);
3. feature columns: ``dataset.features`` if given, else the dataset's defaults; minus
   ``dataset.drop``; minus the sensitive columns unless ``keep_sensitive`` (then they are
   model inputs too);
4. sensitive columns must have no missing values (``DataError``, ``dataset.sensitive``);
5. ``dataset.sample``: seeded subsample of that many rows, stratified on label x group;
6. the label and every sensitive column must still have two classes/groups (``DataError``);
7. categorical columns become strings (``NaN`` stays missing); numeric ones stay numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fairexp.errors import ConfigError, DataError

from ._base import Dataset, RawTable, fmt_list, suggest, to_strings
from ._builtin import load_adult, load_bank, load_compas, load_german
from ._config import DatasetConfig, check_int, parse_config
from ._csv import load_csv
from ._split import stratified_sample
from ._synthetic import load_synthetic

_LOADERS: dict[str, Callable[[dict[str, Any], int], RawTable]] = {
    "adult": load_adult,
    "german": load_german,
    "compas": load_compas,
    "bank": load_bank,
    "csv": load_csv,
    "synthetic": load_synthetic,
}


def available_datasets() -> list[str]:
    """Names accepted by ``dataset.name``."""
    return list(_LOADERS)


def load_dataset(cfg: Mapping[str, Any], *, seed: int = 0) -> Dataset:
    """Load and clean the dataset described by ``cfg`` (the ``dataset`` config node as a dict).

    ``seed`` drives ``dataset.sample`` and the synthetic generator (unless it sets its own
    ``seed``). Raises :class:`~fairexp.errors.ConfigError` / :class:`~fairexp.errors.DataError`
    naming the config key at fault.
    """
    config = parse_config(cfg)
    seed_value = check_int(seed, "seed", minimum=0)
    assert seed_value is not None
    raw = _LOADERS[config.name](config.extra, seed_value)
    return _finish(config, raw, seed_value)


def _missing_columns(names: list[str], available: list[str], key: str, what: str, label: str | None) -> None:
    if label is not None and label in names:
        raise ConfigError(f"'{label}' is the label column; it cannot also be a {what.split()[0]} column", key=key)
    missing = [c for c in names if c not in available]
    if missing:
        raise ConfigError(
            f"{what} {fmt_list(missing)} not found{suggest(missing[0], available)}; "
            f"available columns: {fmt_list(available)}",
            key=key,
        )


def _feature_columns(config: DatasetConfig, raw: RawTable) -> list[str]:
    available = list(raw.frame.columns)
    sensitive = config.sensitive
    if config.features is not None:
        _missing_columns(config.features, available, "dataset.features", "feature column(s)", raw.label_column)
        features = list(config.features)
    else:
        features = list(raw.default_features)
    _missing_columns(config.drop, available, "dataset.drop", "column(s)", None)
    if config.keep_sensitive:
        clash = [c for c in config.drop if c in sensitive]
        if clash:
            raise ConfigError(
                f"{fmt_list(clash)} is both dropped and a kept sensitive feature (keep_sensitive: true); "
                "remove it from one of the two",
                key="dataset.drop",
            )
    features = [c for c in features if c not in config.drop and c not in sensitive]
    if config.keep_sensitive:
        features += sensitive
    if not features:
        raise ConfigError(
            "no feature columns left after removing dataset.drop and the sensitive columns", key="dataset.features"
        )
    return features


def _partition(
    frame: pd.DataFrame, features: list[str], categorical: list[str] | None
) -> tuple[list[str], list[str]]:
    """Non-numeric columns are always categorical; ``categorical`` adds numeric-typed ones (codes)."""
    listed = set(categorical or ())
    cats = [c for c in features if c in listed or not _is_number(frame[c])]
    numeric = [c for c in features if c not in cats]
    return cats, numeric


#: a text column with more distinct values than this (and than half the rows) is an identifier or free text
MAX_CATEGORIES = 1000


def _check_encodable(col: pd.Series, name: str) -> None:
    """One-hot encoding needs hashable values and a bounded number of categories."""
    sample = col.dropna()
    if len(sample) and not all(isinstance(v, str | int | float | bool | np.generic) for v in sample.iloc[:1000]):
        kind = type(next(v for v in sample.iloc[:1000] if not isinstance(v, str | int | float | bool | np.generic))).__name__
        raise DataError(
            f"feature column '{name}' holds {kind} values that preprocessing cannot encode; "
            f"drop it (dataset.drop=[{name}]) or flatten it into scalar columns",
            key="dataset.features",
        )
    n_unique = int(sample.nunique())
    if n_unique > MAX_CATEGORIES and n_unique > 0.5 * len(col):
        raise DataError(
            f"feature column '{name}' is non-numeric with {n_unique:,} distinct values in {len(col):,} rows "
            f"(an identifier or free text?); one-hot encoding cannot use it: drop it (dataset.drop=[{name}]) "
            "or encode it yourself",
            key="dataset.features",
        )


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)


def _finish(config: DatasetConfig, raw: RawTable, seed: int) -> Dataset:
    frame, y = raw.frame, np.asarray(raw.y)
    classes = np.unique(y)
    if not set(classes.tolist()) <= {0, 1}:
        raise ConfigError(f"label must be coded 0/1, got values {fmt_list(classes)}", key=raw.label_key)
    if len(classes) < 2:
        raise DataError(f"label has a single class ({classes.tolist()}) in {len(y)} rows", key=raw.label_key)

    sensitive = config.sensitive
    _missing_columns(sensitive, list(frame.columns), "dataset.sensitive", "sensitive column(s)", raw.label_column)
    _missing_columns(config.audit, list(frame.columns), "dataset.audit", "audit column(s)", raw.label_column)
    features = _feature_columns(config, raw)

    for col in sensitive:
        n_missing = int(frame[col].isna().sum())
        if n_missing:
            raise DataError(
                f"sensitive column '{col}' has {n_missing} missing value(s) in {len(frame)} rows; "
                "fill or drop them first (every row needs a known group)",
                key="dataset.sensitive",
            )

    if config.sample is not None:
        if config.sample > len(frame):
            raise ConfigError(
                f"asks for {config.sample} rows but dataset '{config.name}' has only {len(frame)}",
                key="dataset.sample",
            )
        if config.sample < len(frame):
            idx = stratified_sample(y, frame[sensitive], config.sample, seed)
            frame = frame.iloc[idx].reset_index(drop=True)
            y = y[idx]
            if len(np.unique(y)) < 2:
                raise DataError(
                    f"the {config.sample}-row sample holds a single label class; sample more rows",
                    key="dataset.sample",
                )

    for col in sensitive:
        groups = frame[col].unique()
        if len(groups) < 2:
            raise DataError(
                f"sensitive column '{col}' has a single group ({groups[0]!r}) in {len(frame)} rows; "
                "fairness metrics need at least two groups",
                key="dataset.sensitive",
            )

    categorical, numeric = _partition(frame, features, raw.categorical)
    for col in categorical:
        _check_encodable(frame[col], col)
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        frame = frame.reset_index(drop=True)
    sens = pd.DataFrame({col: to_strings(frame[col]) for col in sensitive}, index=frame.index)
    audit = pd.DataFrame({col: to_strings(frame[col]).fillna("<missing>") for col in config.audit}, index=frame.index)
    for col in categorical:  # the loader's frame is ours to change
        frame[col] = to_strings(frame[col])
    X = frame[features]
    return Dataset(
        name=config.name,
        X=X,
        y=y.astype(np.int64, copy=False),
        sensitive=sens,
        categorical=categorical,
        numeric=numeric,
        positive_label=raw.positive_label,
        source=raw.source,
        data_hash=raw.data_hash,
        audit=audit,
    )
