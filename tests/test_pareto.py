"""Pareto mask and hypervolume: hand-checked cases, optuna cross-check, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairexp.pareto import hypervolume, hypervolume_curve, normalized_reference, pareto_mask

MAX, MIN = "maximize", "minimize"

# (accuracy, demographic_parity_difference): accuracy up, disparity down.
ACC_DP = np.array([(0.8, 0.1), (0.7, 0.05), (0.75, 0.2), (0.6, 0.01)])
ACC_DP_REF = (0.5, 1.0)
# Frontier: (0.8, .1), (0.7, .05), (0.6, .01). (0.75, .2) is dominated by (0.8, .1).
# Sweep from the most accurate point, each adds a slab of acc-width x new dp-height:
#   (0.8, 0.10): (0.8 - 0.5) * (1.0  - 0.10) = 0.3 * 0.90 = 0.270
#   (0.7, 0.05): (0.7 - 0.5) * (0.10 - 0.05) = 0.2 * 0.05 = 0.010
#   (0.6, 0.01): (0.6 - 0.5) * (0.05 - 0.01) = 0.1 * 0.04 = 0.004
ACC_DP_HV = 0.284


def test_hand_checked_fairness_accuracy_set():
    assert pareto_mask(ACC_DP, [MAX, MIN]).tolist() == [True, True, False, True]
    assert hypervolume(ACC_DP, [MAX, MIN], ACC_DP_REF) == pytest.approx(ACC_DP_HV)
    # Running HV in trial order: 0.27, +0.01, dominated point adds 0, +0.004.
    curve = hypervolume_curve(ACC_DP, [MAX, MIN], ACC_DP_REF)
    assert curve == pytest.approx([0.27, 0.28, 0.28, 0.284])


def test_column_order_and_direction_encoding_do_not_matter():
    swapped = ACC_DP[:, ::-1]
    assert pareto_mask(swapped, [MIN, MAX]).tolist() == [True, True, False, True]
    assert hypervolume(swapped, [MIN, MAX], (1.0, 0.5)) == pytest.approx(ACC_DP_HV)
    # Maximising "1 - disparity" is the same problem.
    as_max = np.column_stack([ACC_DP[:, 0], 1 - ACC_DP[:, 1]])
    assert hypervolume(as_max, [MAX, MAX], (0.5, 0.0)) == pytest.approx(ACC_DP_HV)


def test_both_maximised_staircase():
    pts = np.array([(1, 3), (2, 2), (3, 1), (1, 1)], dtype=float)
    # Union of [0,1]x[0,3], [0,2]x[0,2], [0,3]x[0,1] = 3 + 1*2 + 1*1 = 6; (1,1) is inside.
    assert pareto_mask(pts, [MAX, MAX]).tolist() == [True, True, True, False]
    assert hypervolume(pts, [MAX, MAX], (0, 0)) == pytest.approx(6.0)
    # All minimised instead: only (1,1) survives; box to ref (4,4) is 3*3.
    assert pareto_mask(pts, [MIN, MIN]).tolist() == [False, False, False, True]
    assert hypervolume(pts, [MIN, MIN], (4, 4)) == pytest.approx(9.0)


def test_nan_and_inf_rows_are_never_pareto_and_never_dominate():
    pts = np.array([(0.8, 0.1), (np.nan, 0.0), (np.inf, 0.0), (0.9, -np.inf), (0.7, 0.05)])
    # (inf, 0) would dominate everything if it were allowed to.
    assert pareto_mask(pts, [MAX, MIN]).tolist() == [True, False, False, False, True]
    # (0.8,.1): 0.3*0.9 = 0.27; (0.7,.05): 0.2*0.05 = 0.01.
    assert hypervolume(pts, [MAX, MIN], ACC_DP_REF) == pytest.approx(0.28)
    curve = hypervolume_curve(pts, [MAX, MIN], ACC_DP_REF)
    assert curve == pytest.approx([0.27, 0.27, 0.27, 0.27, 0.28])


def test_duplicates_all_stay_on_the_frontier_and_count_once():
    pts = np.array([(0.8, 0.1), (0.8, 0.1), (0.7, 0.3), (0.6, 0.01)])
    assert pareto_mask(pts, [MAX, MIN]).tolist() == [True, True, False, True]
    single = hypervolume(pts[[0, 3]], [MAX, MIN], ACC_DP_REF)
    assert hypervolume(pts, [MAX, MIN], ACC_DP_REF) == pytest.approx(single)
    # 0.3*0.9 + 0.1*(0.1-0.01) = 0.27 + 0.009
    assert single == pytest.approx(0.279)


def test_points_not_better_than_reference_add_nothing_but_stay_pareto():
    pts = np.array([(0.45, 0.0), (0.9, 1.0), (0.5, 0.6), (0.6, 0.5)])
    # Only (0.6, 0.5) is strictly inside the reference box: 0.1 * 0.5.
    assert hypervolume(pts, [MAX, MIN], ACC_DP_REF) == pytest.approx(0.05)
    # The frontier itself does not depend on the reference.
    assert pareto_mask(pts, [MAX, MIN]).tolist() == [True, True, False, True]
    assert hypervolume(pts[:3], [MAX, MIN], ACC_DP_REF) == 0.0


def test_three_objectives_hand_checked():
    # All minimised, reference (1,1,1).
    # a = (0, 0, .5): box [0,1]x[0,1]x[.5,1]  -> 0.5
    # b = (.5, .5, 0): box [.5,1]x[.5,1]x[0,1] -> 0.25
    # overlap [.5,1]x[.5,1]x[.5,1]              -> 0.125
    # c = (.5, .5, .5) is dominated by a.      union = 0.5 + 0.25 - 0.125 = 0.625
    pts = np.array([(0, 0, 0.5), (0.5, 0.5, 0), (0.5, 0.5, 0.5)])
    assert pareto_mask(pts, [MIN] * 3).tolist() == [True, True, False]
    assert hypervolume(pts, [MIN] * 3, (1, 1, 1)) == pytest.approx(0.625)
    # Same geometry with accuracy-like first objective: acc = 1 - loss, ref 0.
    mixed = pts.copy()
    mixed[:, 0] = 1 - mixed[:, 0]
    assert hypervolume(mixed, [MAX, MIN, MIN], (0, 1, 1)) == pytest.approx(0.625)
    assert hypervolume_curve(pts, [MIN] * 3, (1, 1, 1)) == pytest.approx([0.5, 0.625, 0.625])


def test_single_objective_and_empty():
    assert hypervolume(np.array([[0.7], [0.9]]), [MAX], [0.5]) == pytest.approx(0.4)
    empty = np.empty((0, 2))
    assert hypervolume(empty, [MAX, MIN], ACC_DP_REF) == 0.0
    assert hypervolume([], [MAX, MIN], ACC_DP_REF) == 0.0
    assert pareto_mask(empty, [MAX, MIN]).shape == (0,)
    assert hypervolume_curve(empty, [MAX, MIN], ACC_DP_REF).shape == (0,)


@pytest.mark.parametrize(
    "call",
    [
        lambda: pareto_mask(ACC_DP, [MAX]),  # too few directions
        lambda: pareto_mask(ACC_DP, [MAX, "min"]),  # misspelt direction
        lambda: pareto_mask(np.zeros(3), [MAX]),  # 1-D values
        lambda: hypervolume(ACC_DP, [MAX, MIN], (0.5,)),  # short reference
        lambda: hypervolume(ACC_DP, [MAX, MIN], (0.5, np.nan)),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("k", [2, 3, 4])
def test_agrees_with_optuna(k):
    from optuna._hypervolume import compute_hypervolume

    rng = np.random.default_rng(k)
    directions = [MAX if j % 2 == 0 else MIN for j in range(k)]
    sign = np.array([-1.0 if d == MAX else 1.0 for d in directions])
    reference = np.array([0.1 if d == MAX else 0.9 for d in directions])
    for _ in range(20):
        values = rng.random((int(rng.integers(1, 40)), k))
        losses, ref = values * sign, reference * sign
        inside = losses[np.all(losses < ref, axis=1)]  # optuna rejects points past the reference
        expected = compute_hypervolume(inside, ref) if len(inside) else 0.0
        assert hypervolume(values, directions, reference) == pytest.approx(expected, rel=1e-9)


def test_normalized_reference():
    assert normalized_reference(
        ["accuracy", "demographic_parity_difference"], [MAX, MIN]
    ) == [0.5, 1.0]
    assert normalized_reference(
        ["val.balanced_accuracy", "roc_auc", "f1_score", "selection_rate"], [MAX] * 4
    ) == [0.5, 0.5, 0.0, 0.0]
    assert normalized_reference(
        ["demographic_parity_ratio", "equalized_odds_difference"], [MAX, MIN]
    ) == [0.0, 1.0]


@pytest.mark.parametrize(
    ("names", "directions"),
    [
        (["log_loss"], [MIN]),  # unbounded
        (["accuracy"], [MIN]),  # nonsensical direction
        (["demographic_parity_difference"], [MAX]),
        (["demographic_parity_ratio"], [MIN]),
        (["accuracy", "demographic_parity_difference"], [MAX]),  # length mismatch
    ],
)
def test_normalized_reference_refuses_to_guess(names, directions):
    with pytest.raises(ValueError):
        normalized_reference(names, directions)


# --- properties -------------------------------------------------------------

# A coarse grid makes ties and duplicates common; NaN marks failed trials.
_coord = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 1.0])
_maybe_nan = st.one_of(_coord, _coord, _coord, st.just(math.nan))


@st.composite
def problems(draw, min_rows=0):
    k = draw(st.integers(2, 3))
    n = draw(st.integers(min_rows, 12))
    rows = draw(st.lists(st.lists(_maybe_nan, min_size=k, max_size=k), min_size=n, max_size=n))
    directions = draw(st.lists(st.sampled_from([MAX, MIN]), min_size=k, max_size=k))
    reference = [
        draw(st.sampled_from([-0.05, 0.0, 0.2] if d == MAX else [1.05, 1.0, 0.8]))
        for d in directions
    ]
    return np.array(rows, dtype=float).reshape(n, k), directions, reference


def _brute_force_front(values, directions):
    """Independent O(n^2) check written with explicit per-objective comparisons."""

    def at_least_as_good(a, b, d):
        return a >= b if d == MAX else a <= b

    def strictly_better(a, b, d):
        return a > b if d == MAX else a < b

    rows = [list(r) for r in values]
    valid = [all(math.isfinite(v) for v in r) for r in rows]
    out = []
    for i, r in enumerate(rows):
        if not valid[i]:
            out.append(False)
            continue
        dominated = False
        for j, q in enumerate(rows):
            if j == i or not valid[j]:
                continue
            if all(at_least_as_good(q[m], r[m], d) for m, d in enumerate(directions)) and any(
                strictly_better(q[m], r[m], d) for m, d in enumerate(directions)
            ):
                dominated = True
                break
        out.append(not dominated)
    return out


@settings(max_examples=200, deadline=None)
@given(problems())
def test_mask_matches_brute_force(problem):
    values, directions, _ = problem
    assert pareto_mask(values, directions).tolist() == _brute_force_front(values, directions)


@settings(max_examples=150, deadline=None)
@given(problems(), st.lists(_coord, min_size=3, max_size=3))
def test_adding_a_point_never_decreases_hypervolume(problem, extra):
    values, directions, reference = problem
    k = values.shape[1]
    more = np.vstack([values, np.array(extra[:k])])
    assert hypervolume(more, directions, reference) >= hypervolume(
        values, directions, reference
    ) - 1e-12


@settings(max_examples=150, deadline=None)
@given(problems())
def test_curve_is_non_decreasing_and_ends_at_total(problem):
    values, directions, reference = problem
    curve = hypervolume_curve(values, directions, reference)
    assert curve.shape == (values.shape[0],)
    assert np.all(np.diff(curve) >= 0)
    total = hypervolume(values, directions, reference)
    assert (curve[-1] if len(curve) else 0.0) == pytest.approx(total, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_pareto_subset_has_the_same_hypervolume(problem):
    values, directions, reference = problem
    front = values[pareto_mask(values, directions)]
    assert hypervolume(front, directions, reference) == pytest.approx(
        hypervolume(values, directions, reference), abs=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(problems(min_rows=1))
def test_property_agrees_with_optuna(problem):
    from optuna._hypervolume import compute_hypervolume

    values, directions, reference = problem
    sign = np.array([-1.0 if d == MAX else 1.0 for d in directions])
    losses, ref = values * sign, np.asarray(reference) * sign
    ok = np.all(np.isfinite(losses), axis=1) & np.all(losses < ref, axis=1)
    expected = compute_hypervolume(losses[ok], ref) if ok.any() else 0.0
    assert hypervolume(values, directions, reference) == pytest.approx(expected, abs=1e-12)


def test_module_imports_only_numpy():
    import subprocess
    import sys

    code = (
        "import sys, fairexp.pareto; "
        "bad = [m for m in ('pandas', 'matplotlib', 'plotly', 'optuna') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
