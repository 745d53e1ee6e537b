"""Property-based checks of the metrics (hypothesis): bounds, invariances, agreement with fairlearn."""

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as flm
from hypothesis import given, settings
from hypothesis import strategies as st

from fairexp.metrics import evaluate, group_table

rows = st.integers(min_value=4, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n),
        st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n),
    )
)


def _arrays(data):
    y, p, g, h = data
    return np.array(y), np.array(p), pd.DataFrame({"g": g}), pd.DataFrame({"g": g, "h": h})


@settings(max_examples=60, deadline=None)
@given(rows)
def test_bounds_and_definitions(data):
    y, p, a, _ = _arrays(data)
    m = evaluate(y, p, a)
    table = group_table(y, p, a)
    rates = table["selection_rate"]
    assert m["demographic_parity_difference"] == pytest.approx(rates.max() - rates.min())
    assert 0.0 <= m["demographic_parity_difference"] <= 1.0
    if rates.max() > 0:
        assert 0.0 <= m["demographic_parity_ratio"] <= 1.0
    else:
        assert np.isnan(m["demographic_parity_ratio"])  # nobody selected: the ratio is undefined, not 1 or 0
    # undefined exactly when some group has no positives (TPR) or no negatives (FPR)
    no_pos = ((table["tp"] + table["fn"]) == 0).any()
    no_neg = ((table["fp"] + table["tn"]) == 0).any()
    assert np.isnan(m["true_positive_rate_difference"]) == no_pos
    assert np.isnan(m["false_positive_rate_difference"]) == no_neg
    assert np.isnan(m["equalized_odds_difference"]) == (no_pos or no_neg)
    assert table["count"].sum() == len(y)


@settings(max_examples=40, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_invariant_to_row_order_and_group_names(data, rnd):
    y, p, a, ah = _arrays(data)
    order = list(range(len(y)))
    rnd.shuffle(order)
    renamed = ah.replace({"a": "zz", "b": "aa", "x": "q"})
    base, shuffled = evaluate(y, p, ah), evaluate(y[order], p[order], ah.iloc[order].reset_index(drop=True))
    relabelled = evaluate(y, p, renamed)
    for k, v in base.items():
        for other in (shuffled, relabelled):
            assert (np.isnan(v) and np.isnan(other[k])) or v == pytest.approx(other[k]), k


@settings(max_examples=40, deadline=None)
@given(rows)
def test_agrees_with_fairlearn_where_defined(data):
    y, p, _, ah = _arrays(data)
    m = evaluate(y, p, ah)
    assert m["demographic_parity_difference"] == pytest.approx(flm.demographic_parity_difference(y, p, sensitive_features=ah))
    if not np.isnan(m["equalized_odds_difference"]):
        assert m["equalized_odds_difference"] == pytest.approx(flm.equalized_odds_difference(y, p, sensitive_features=ah))


@settings(max_examples=60, deadline=None)
@given(rows)
def test_identical_groups_have_zero_disparity(data):
    y, p, _, _ = _arrays(data)
    # the same rows twice, once per group: every group rate is identical
    y2, p2 = np.concatenate([y, y]), np.concatenate([p, p])
    a2 = pd.DataFrame({"g": ["u"] * len(y) + ["v"] * len(y)})
    m = evaluate(y2, p2, a2)
    assert m["demographic_parity_difference"] == 0.0
    assert m["zero_one_loss_difference"] == 0.0
    if not np.isnan(m["equalized_odds_difference"]):
        assert m["equalized_odds_difference"] == 0.0
