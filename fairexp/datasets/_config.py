"""Validation of the ``dataset`` config node (a plain dict).

Every mistake raises :class:`~fairexp.errors.ConfigError` with the full key
(``dataset.split.val_size``) and a one-line message. Missing keys take the defaults
below (the YAML files in ``conf/dataset/`` spell every key out, so all of them can be
overridden from the Hydra command line); unknown keys are rejected, so a typo never
silently falls back to a default. Keys starting with ``_`` (e.g. ``_target_``) are ignored.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fairexp.errors import ConfigError

from ._base import fmt_list, suggest

SPLIT_DEFAULTS: dict[str, Any] = {"val_size": 0.2, "test_size": 0.2, "stratify": True}

COMMON_DEFAULTS: dict[str, Any] = {
    "name": None,
    "sensitive": None,  # None -> the dataset's default (below)
    "keep_sensitive": False,
    "audit": [],  # extra group columns reported per group (predictions, report), not mitigated on
    "features": None,
    "drop": [],
    "sample": None,
    "split": SPLIT_DEFAULTS,
}

#: Dataset-specific keys and their defaults.
EXTRA_DEFAULTS: dict[str, dict[str, Any]] = {
    "adult": {},
    "german": {},
    "compas": {"include_score": False, "race_groups": None},
    "bank": {"age_threshold": 25},
    "csv": {"path": None, "label": None, "positive_label": None, "categorical": None, "sep": ","},
    "synthetic": {
        "n_samples": 10_000,
        "n_features": 20,
        "n_categorical": 2,
        "group_ratio": 0.3,
        "bias": 0.5,
        "intersectional": False,
        "seed": None,
    },
}

DEFAULT_SENSITIVE: dict[str, list[str] | None] = {
    "adult": ["sex"],
    "german": ["sex"],
    "compas": ["race"],
    "bank": ["age_group"],
    "csv": None,  # required
    "synthetic": ["group"],
}

MIN_SAMPLE = 10


@dataclass(frozen=True)
class SplitConfig:
    val_size: float
    test_size: float
    stratify: bool


@dataclass(frozen=True)
class DatasetConfig:
    name: str
    sensitive: list[str]
    keep_sensitive: bool
    audit: list[str]
    features: list[str] | None
    drop: list[str]
    sample: int | None
    split: SplitConfig
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- checkers


def check_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"must be true or false, got {value!r}", key=key)


def check_int(value: Any, key: str, *, minimum: int | None = None, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ConfigError(f"must be an integer, got {value!r}", key=key)
    value = int(value)
    if minimum is not None and value < minimum:
        raise ConfigError(f"must be >= {minimum}, got {value}", key=key)
    return value


def check_float(
    value: Any, key: str, *, low: float, high: float, low_open: bool = False, high_open: bool = False
) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"must be a number, got {value!r}", key=key)
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ConfigError(f"must be in {interval}, got {value:g}", key=key)
    return value


def check_names(value: Any, key: str, *, allow_none: bool = False) -> list[str] | None:
    """A column name or a list of column names (ints are read as names, e.g. ``2010``)."""
    if value is None:
        if allow_none:
            return None
        raise ConfigError("must be a column name or a list of column names, got null", key=key)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise ConfigError(f"must be a column name or a list of column names, got {value!r}", key=key)
    names: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)) or str(item) == "":
            raise ConfigError(f"entries must be column names, got {item!r}", key=key)
        names.append(str(item))
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"lists {fmt_list(dupes)} more than once", key=key)
    return names


def parse_split(node: Any) -> SplitConfig:
    """Validate ``dataset.split`` (also used by :func:`split_dataset`)."""
    if node is None:
        node = {}
    if not isinstance(node, Mapping):
        raise ConfigError(f"must be a mapping with val_size, test_size, stratify; got {node!r}", key="dataset.split")
    for k in node:
        if k not in SPLIT_DEFAULTS and not str(k).startswith("_"):
            raise ConfigError(
                f"unknown key '{k}'{suggest(k, SPLIT_DEFAULTS)}; valid keys: {fmt_list(SPLIT_DEFAULTS)}",
                key=f"dataset.split.{k}",
            )
    merged = {**SPLIT_DEFAULTS, **node}
    val = check_float(merged["val_size"], "dataset.split.val_size", low=0, high=1, low_open=True, high_open=True)
    test = check_float(merged["test_size"], "dataset.split.test_size", low=0, high=1, low_open=True, high_open=True)
    if val + test >= 1:
        raise ConfigError(
            f"val_size + test_size must be < 1 to leave training rows, got {val:g} + {test:g} = {val + test:g}",
            key="dataset.split.test_size",
        )
    stratify = check_bool(merged["stratify"], "dataset.split.stratify")
    return SplitConfig(val_size=val, test_size=test, stratify=stratify)


def parse_config(cfg: Mapping[str, Any]) -> DatasetConfig:
    """Validate the whole ``dataset`` node and fill in defaults."""
    if not isinstance(cfg, Mapping):
        raise ConfigError(
            f"the dataset config must be a mapping (got {type(cfg).__name__}); "
            "pass OmegaConf.to_container(cfg.dataset, resolve=True)",
            key="dataset",
        )
    name = cfg.get("name")
    if not isinstance(name, str) or name not in EXTRA_DEFAULTS:
        hint = suggest(name, EXTRA_DEFAULTS) if isinstance(name, str) else ""
        raise ConfigError(
            f"unknown dataset {name!r}{hint}; available: {fmt_list(sorted(EXTRA_DEFAULTS))}",
            key="dataset.name",
        )
    extra_defaults = EXTRA_DEFAULTS[name]
    valid = {**COMMON_DEFAULTS, **extra_defaults}
    for k in cfg:
        if k not in valid and not str(k).startswith("_"):
            raise ConfigError(
                f"unknown key '{k}' for dataset '{name}'{suggest(k, valid)}; valid keys: {fmt_list(valid)}",
                key=f"dataset.{k}",
            )
    merged = {**valid, **{k: v for k, v in cfg.items() if not str(k).startswith("_")}}

    sensitive_value = merged["sensitive"]
    if sensitive_value is None:
        sensitive_value = DEFAULT_SENSITIVE[name]
        if sensitive_value is None:
            raise ConfigError(f"is required for dataset '{name}' (a column name or a list)", key="dataset.sensitive")
    sensitive = check_names(sensitive_value, "dataset.sensitive")
    assert sensitive is not None
    if not sensitive:
        raise ConfigError("needs at least one sensitive column, got an empty list", key="dataset.sensitive")

    features = check_names(merged["features"], "dataset.features", allow_none=True)
    if features is not None and not features:
        raise ConfigError("is an empty list; use null for the dataset's default features", key="dataset.features")
    drop = check_names(merged["drop"] if merged["drop"] is not None else [], "dataset.drop") or []
    sample = check_int(merged["sample"], "dataset.sample", allow_none=True)
    if sample is not None and sample < MIN_SAMPLE:
        raise ConfigError(f"must be null or at least {MIN_SAMPLE} rows, got {sample}", key="dataset.sample")

    return DatasetConfig(
        name=name,
        sensitive=sensitive,
        keep_sensitive=check_bool(merged["keep_sensitive"], "dataset.keep_sensitive"),
        audit=[c for c in (check_names(merged["audit"] or [], "dataset.audit") or []) if c not in sensitive],
        features=features,
        drop=drop,
        sample=sample,
        split=parse_split(merged["split"]),
        extra={k: merged[k] for k in extra_defaults},
    )
