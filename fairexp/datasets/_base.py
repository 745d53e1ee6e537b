"""Public containers (:class:`Dataset`, :class:`DataSplit`) and small shared helpers."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fairexp.errors import DataError

#: Folder of the committed data files (inside the package, so an installed fairexp finds them).
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, eq=False)
class DataSplit:
    """One part (train, val or test) of a :class:`Dataset`.

    ``X``, ``y`` and ``sensitive`` share the same row order; ``X`` and ``sensitive``
    have a fresh ``RangeIndex`` (0..n-1).
    """

    X: pd.DataFrame
    y: np.ndarray
    sensitive: pd.DataFrame
    #: extra group columns for review only (``dataset.audit``); not seen by mitigations
    audit: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if not (len(self.X) == len(self.y) == len(self.sensitive)):
            raise ValueError(
                f"DataSplit parts differ in length: X={len(self.X)}, y={len(self.y)}, "
                f"sensitive={len(self.sensitive)}"
            )

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (
            f"DataSplit(rows={len(self)}, features={self.X.shape[1]}, "
            f"sensitive={list(self.sensitive.columns)}, positive_rate={_rate(self.y)})"
        )


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded, cleaned dataset, ready to split.

    Attributes:
        name: config name (``adult``, ``csv``, ...).
        X: features for the model, all rows. Sensitive columns are left out unless
            ``keep_sensitive`` is set. Categorical columns hold strings (``NaN`` = missing);
            numeric columns hold numbers (``NaN`` = missing). Imputation happens later,
            in the model pipeline.
        y: ``int64`` array of 0/1; 1 is the favourable label (see ``positive_label``).
        sensitive: one column per sensitive feature, original values as strings, same
            row order as ``X``.
        categorical: columns of ``X`` to one-hot encode.
        numeric: columns of ``X`` to impute and scale. ``categorical`` + ``numeric``
            partition ``X.columns`` exactly.
        positive_label: what ``y == 1`` means, in words.
        source: where the rows came from (file names, licence) or the generator settings.
        data_hash: sha256 of the file(s) read, or of the generator settings.
    """

    name: str
    X: pd.DataFrame
    y: np.ndarray
    sensitive: pd.DataFrame
    categorical: list[str]
    numeric: list[str]
    positive_label: str
    source: str
    data_hash: str
    audit: pd.DataFrame | None = None  # ``dataset.audit`` columns, as strings; None = none asked for

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, rows={len(self)}, categorical={len(self.categorical)}, "
            f"numeric={len(self.numeric)}, sensitive={list(self.sensitive.columns)}, "
            f"positive_label={self.positive_label!r}, positive_rate={_rate(self.y)}, "
            f"source={self.source!r}, data_hash={self.data_hash[:12]!r}...)"
        )


def _rate(y: np.ndarray) -> str:
    return f"{float(np.mean(y)):.4f}" if len(y) else "nan"


@dataclass
class RawTable:
    """What a loader hands to the common pipeline (private).

    ``frame`` holds every column a user may pick as a feature or sensitive feature
    (the label is *not* in it). ``default_features`` are the columns used as features when
    ``dataset.features`` is null; columns of ``frame`` outside it (derived sensitive
    columns such as ``age_group``, or columns left out by default such as adult's
    ``fnlwgt``) can still be chosen through ``dataset.features``.
    Non-numeric columns are always categorical; ``categorical`` lists numeric-typed columns
    to one-hot encode too (codes such as zip codes).
    """

    frame: pd.DataFrame
    y: np.ndarray
    default_features: list[str]
    categorical: list[str] | None
    positive_label: str
    source: str
    data_hash: str
    #: name of the label column in the raw data, for error messages
    label_column: str | None = None
    #: config key that names the label, for error messages
    label_key: str = "dataset.label"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_files(paths: Sequence[Path]) -> str:
    """sha256 of one file, or for several: sha256 of the lines ``"<sha256>  <name>\\n"``."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    lines = "".join(f"{sha256_file(p)}  {p.name}\n" for p in paths)
    return hashlib.sha256(lines.encode()).hexdigest()


def fmt_list(items: Iterable[object], limit: int = 40) -> str:
    """``[a, b, c]`` on one line, truncated after ``limit`` items."""
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    more = f", ... ({len(items) - limit} more)" if len(items) > limit else ""
    return f"[{shown}{more}]"


def suggest(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists (case-insensitive), else ``""``."""
    options = [str(o) for o in options]
    by_lower = {o.lower(): o for o in reversed(options)}
    close = difflib.get_close_matches(str(word).lower(), list(by_lower), n=1)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


def one_line(text: object) -> str:
    """First line of an exception text (messages must stay on one line)."""
    lines = str(text).strip().splitlines()
    return lines[0] if lines else type(text).__name__


def to_strings(col: pd.Series) -> pd.Series:
    """Values as Python ``str`` (object dtype), ``NaN`` kept; integral floats lose ``.0``."""
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        return col  # already strings (fast path for big synthetic frames)
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_float_dtype(col.dtype):
        vals = col.dropna().to_numpy()
        if len(vals) and np.all(np.isfinite(vals)) and np.all(np.mod(vals, 1) == 0):
            col = col.astype("Int64")
    mask = col.notna().to_numpy()
    out = pd.Series(np.full(len(col), np.nan, dtype=object), index=col.index, name=col.name)
    out[mask] = [str(v) for v in col[mask]]
    return out


def check_path_exists(path: Path) -> None:
    """A committed data file is missing: the installation is broken, say so plainly."""
    if not path.is_file():
        raise DataError(
            f"bundled data file {path.name} is missing from {path.parent}; reinstall fairexp",
            key="dataset.name",
        )
