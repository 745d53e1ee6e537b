"""Per-group and intersectional tables of the selected model's test decisions.

Every non-empty combination of the sensitive and audit columns present in
``predictions.parquet`` gets a table (each column on its own, each pair, ..., all of them),
so a disparity hidden inside an intersection is not averaged away. Groups smaller than
the policy's ``min_group_size`` are flagged: their rates are shown but must not be over-read.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

#: Columns of the rendered tables, in order.
TABLE_COLUMNS = ("count", "share", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
MAX_COLUMNS = 5  # 31 tables at most


def group_frame(frame: pd.DataFrame, columns: Sequence[str], min_group_size: int) -> pd.DataFrame:
    """One row per group of ``columns``: label, size, rates, confusion counts, ``small`` flag.

    ``ratio_to_max`` is the group's selection rate over the highest one among the groups
    that are not small (the four-fifths comparison); NaN for small groups.
    """
    from fairexp.metrics import group_labels, group_table

    sens = frame[list(columns)].astype(str).reset_index(drop=True)
    table = group_table(frame["y_true"].to_numpy(), frame["y_pred"].to_numpy(), sens)
    labels = group_labels(table.index.to_frame(index=False)).tolist()
    out = table.reset_index(drop=True)
    out.insert(0, "group", labels)
    out["small"] = out["count"] < min_group_size
    reliable = out.loc[~out["small"], "selection_rate"]
    top = reliable.max() if len(reliable) else np.nan
    with np.errstate(all="ignore"):
        ratio = out["selection_rate"] / top if top and np.isfinite(top) else pd.Series(np.nan, index=out.index)
    out["ratio_to_max"] = ratio.where(~out["small"])
    return out


def combinations_of(columns: Sequence[str]) -> list[tuple[str, ...]]:
    cols = list(dict.fromkeys(columns))[:MAX_COLUMNS]
    return [c for k in range(1, len(cols) + 1) for c in combinations(cols, k)]


def intersectional_tables(
    frame: pd.DataFrame, sensitive: Sequence[str], audit: Sequence[str], min_group_size: int
) -> list[dict[str, Any]]:
    """A table per combination of columns: ``{"columns", "role", "table"}``.

    ``role`` says whether the combination is the one mitigated on (all sensitive columns,
    no audit column), audit-only, or a mix.
    """
    sens_set = set(sensitive)
    out = []
    for combo in combinations_of([*sensitive, *audit]):
        if set(combo) == sens_set:
            role = "sensitive (mitigated on)"
        elif sens_set.isdisjoint(combo):
            role = "audit only"
        else:
            role = "sensitive \u00d7 audit" if len(combo) > 1 else "sensitive"
        out.append({"columns": list(combo), "role": role, "table": group_frame(frame, combo, min_group_size)})
    return out


def confusion_matrices(frame: pd.DataFrame, columns: Sequence[str], min_group_size: int) -> list[dict[str, Any]]:
    """Per group: the 2x2 confusion counts (rows: actual 1/0, columns: decided 1/0)."""
    table = group_frame(frame, columns, min_group_size)
    return [
        {
            "group": r["group"],
            "count": int(r["count"]),
            "small": bool(r["small"]),
            "tp": int(r["tp"]),
            "fn": int(r["fn"]),
            "fp": int(r["fp"]),
            "tn": int(r["tn"]),
        }
        for _, r in table.iterrows()
    ]
