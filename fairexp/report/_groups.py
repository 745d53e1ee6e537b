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

import pandas as pd

#: Columns of the rendered tables, in order.
TABLE_COLUMNS = ("count", "share", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
MAX_COLUMNS = 5  # 31 tables at most


def group_frame(frame: pd.DataFrame, columns: Sequence[str], min_group_size: int) -> pd.DataFrame:
    """One row per group: label, size, rates, confusion counts, ``small`` flag and ratio to the highest selection rate."""
    from fairexp.metrics import GROUP_SEPARATOR_LABEL, group_table  # noqa: F401  (label helper below)

    raise NotImplementedError
