"""Evaluation: performance and fairness metrics of one set of decisions.

Metric names follow fairlearn (``demographic_parity_difference``, ...) and
sklearn (``accuracy``, ``roc_auc``...). A metric that is undefined on the data
(e.g. a true-positive-rate difference when a group has no positives) is NaN,
never 0: a silent 0 would read as "perfectly fair".
"""

from fairexp.metrics._evaluate import (
    FAIRNESS_METRICS,
    FOUR_FIFTHS,
    METRIC_DIRECTIONS,
    PERFORMANCE_METRICS,
    evaluate,
    group_labels,
    group_table,
    safe_divide,
)

__all__ = [
    "FAIRNESS_METRICS",
    "FOUR_FIFTHS",
    "METRIC_DIRECTIONS",
    "PERFORMANCE_METRICS",
    "evaluate",
    "group_labels",
    "group_table",
    "safe_divide",
]
