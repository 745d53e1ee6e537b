"""Loader for the user's own CSV or Parquet file (``dataset.name: csv``).

Keys: ``path`` (``.csv``, ``.tsv``, ``.txt``, optionally compressed ``.gz/.bz2/.xz/.zip/.zst``,
or ``.parquet``/``.pq``), ``label`` (column), ``positive_label`` (the label value that
becomes ``y = 1``; may be null when the label is already 0/1 or false/true),
``categorical`` (null: every non-numeric column is one-hot encoded, every numeric one
imputed and scaled; a list adds numeric-typed columns to the one-hot ones, e.g. zip codes),
``sep`` (CSV field separator; a ``.tsv`` file with the default ``","`` is read with tabs).
Relative paths are resolved from the current working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairexp.errors import ConfigError, DataError

from ._base import RawTable, fmt_list, one_line, sha256_file, suggest
from ._config import check_names

CSV_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
COMPRESSION_SUFFIXES = {".gz", ".bz2", ".xz", ".zip", ".zst"}


def _format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    fmt = CSV_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise ConfigError(
            f"cannot tell the format of '{path.name}' from its extension; supported: "
            f"{fmt_list(sorted(CSV_SUFFIXES))} (CSV ones optionally + {fmt_list(sorted(COMPRESSION_SUFFIXES))})",
            key="dataset.path",
        )
    return fmt


def _read(path: Path, fmt: str, sep: str) -> pd.DataFrame:
    try:
        if fmt == "parquet":
            return pd.read_parquet(path)
        if fmt == "tsv" and sep == ",":
            sep = "\t"
        return pd.read_csv(path, sep=sep, low_memory=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"file '{path}' is empty", key="dataset.path") from None
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # parser, decoding, permission, arrow errors: all the user's file
        raise DataError(
            f"cannot read '{path}' as {fmt.upper()}: {type(exc).__name__}: {one_line(exc)}", key="dataset.path"
        ) from None


_TRUTH = {"1": True, "1.0": True, "true": True, "yes": True, "0": False, "0.0": False, "false": False, "no": False}


def _same(value: Any, wanted: Any) -> bool:
    """Does a label value match the configured ``positive_label``?

    ``1`` matches ``"1"`` and ``1.0``; a boolean (YAML reads an unquoted ``yes`` as true)
    matches true/false, 1/0 and yes/no.
    """
    if isinstance(value, (bool, np.bool_)) or isinstance(wanted, bool):
        a, b = _TRUTH.get(str(value).strip().lower()), _TRUTH.get(str(wanted).strip().lower())
        return a is not None and a == b
    if value == wanted or str(value) == str(wanted):
        return True
    try:
        return float(value) == float(wanted)
    except (TypeError, ValueError):
        return False


def _as_01(value: Any) -> int | None:
    """0/1 for values that already are a 0/1 or false/true coding, else None."""
    return {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}.get(str(value).strip().lower())


def _label_values(values: list[Any]) -> list[Any]:
    return sorted(values, key=lambda v: (str(type(v)), str(v)))


def load_csv(extra: dict[str, Any], seed: int) -> RawTable:
    path_value = extra["path"]
    if path_value is None or (isinstance(path_value, str) and not path_value.strip()):
        raise ConfigError("is required for dataset 'csv': the path of a .csv or .parquet file", key="dataset.path")
    if not isinstance(path_value, (str, Path)):
        raise ConfigError(f"must be a file path, got {path_value!r}", key="dataset.path")
    path = Path(path_value).expanduser()
    if not path.exists():
        raise ConfigError(
            f"file not found: '{path}' (relative paths are resolved from {Path.cwd()})", key="dataset.path"
        )
    if not path.is_file():
        raise ConfigError(f"'{path}' is not a file", key="dataset.path")
    fmt = _format(path)
    sep = extra["sep"]
    if not isinstance(sep, str) or not sep:
        raise ConfigError(f"must be a non-empty string such as ',' or ';', got {sep!r}", key="dataset.sep")
    label_value = extra["label"]
    if label_value is None:
        raise ConfigError("is required for dataset 'csv': the name of the label column", key="dataset.label")
    label_names = check_names(label_value, "dataset.label")
    assert label_names is not None
    if len(label_names) != 1:
        raise ConfigError(f"must name one column, got {fmt_list(label_names)}", key="dataset.label")
    label = label_names[0]
    categorical = check_names(extra["categorical"], "dataset.categorical", allow_none=True)

    df = _read(path, fmt, sep)
    df.columns = [str(c) for c in df.columns]
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise DataError(f"file '{path}' has no data rows", key="dataset.path")
    if label not in df.columns:
        raise ConfigError(
            f"label column '{label}' not in {path.name}{suggest(label, df.columns)}; "
            f"available columns: {fmt_list(df.columns)}",
            key="dataset.label",
        )
    labels = df.pop(label)
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise DataError(
            f"label column '{label}' has {n_missing} missing value(s) out of {len(labels)} rows; drop or fill them",
            key="dataset.label",
        )
    values = _label_values(list(pd.unique(labels)))
    if len(values) != 2:
        raise ConfigError(
            f"label column '{label}' must be binary but has {len(values)} distinct value(s): "
            f"{fmt_list(values, limit=10)}",
            key="dataset.label",
        )
    wanted = extra["positive_label"]
    if wanted is None:
        coded = [_as_01(v) for v in values]
        if sorted(c for c in coded if c is not None) != [0, 1]:
            raise ConfigError(
                f"is required: label column '{label}' has values {fmt_list(values)}; "
                "say which one is the favourable outcome (y = 1)",
                key="dataset.positive_label",
            )
        positive = values[coded.index(1)]
    else:
        matches = [v for v in values if _same(v, wanted)]
        if len(matches) != 1:
            raise ConfigError(
                f"{wanted!r} is not a value of label column '{label}'; values: {fmt_list(values)}",
                key="dataset.positive_label",
            )
        positive = matches[0]
    y = (labels == positive).to_numpy().astype(np.int64)

    if categorical is not None:
        missing = [c for c in categorical if c not in df.columns]
        if missing:
            raise ConfigError(
                f"column(s) {fmt_list(missing)} not in {path.name}{suggest(missing[0], df.columns)}; "
                f"available columns: {fmt_list(df.columns)}",
                key="dataset.categorical",
            )
    return RawTable(
        frame=df,
        y=y,
        default_features=list(df.columns),
        categorical=categorical,
        positive_label=f"{label} == {positive}",
        source=f"{fmt}:{path.resolve()}",
        data_hash=sha256_file(path),
        label_column=label,
    )
