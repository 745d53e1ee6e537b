"""Selection rules on a hand-made trials frame with known answers; selection never reads test columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairexp.report import Inputs, choose, default_policy, knee_position, parse_policy, select, validation_view
from fairexp.report._select import baseline_row, per_strategy_best

# strategy, trial, state, val.accuracy, val.dp_difference, val.di_ratio
ROWS = [
    ("A", 0, "COMPLETE", 0.850, 0.20, 0.60),  # too unfair
    ("A", 1, "COMPLETE", 0.840, 0.04, 0.85),  # feasible, best accuracy
    ("B", 0, "COMPLETE", 0.830, 0.01, 0.95),  # feasible, the knee
    ("B", 1, "COMPLETE", 0.860, 0.03, 0.70),  # fails the ratio rule
    ("C", 0, "COMPLETE", 0.800, 0.00, 1.00),  # feasible, fairest
    ("C", 1, "FAIL", 0.900, 0.01, 0.90),  # failed: never a candidate
    ("C", 2, "COMPLETE", 0.845, np.nan, 0.90),  # undefined disparity: never a candidate
    ("D", 0, "COMPLETE", 0.835, 0.02, 0.90),  # feasible
    ("none", 0, "COMPLETE", 0.870, 0.25, 0.50),
    ("none", 1, "COMPLETE", 0.865, 0.22, 0.55),
]


def trials() -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS,
        columns=["strategy", "trial", "state", "val.accuracy", "val.demographic_parity_difference", "val.disparate_impact_ratio"],
    )
    frame["params.model.C"] = np.arange(len(frame), dtype=float)
    rng = np.random.default_rng(0)
    # test columns that would point elsewhere if a rule read them
    frame["test.accuracy"] = 1.0 - frame["val.accuracy"]
    frame["test.demographic_parity_difference"] = rng.random(len(frame))
    frame["test.disparate_impact_ratio"] = rng.random(len(frame))
    frame["is_pareto"] = False
    return frame


def picked(frame: pd.DataFrame, **policy) -> tuple[str, int] | None:
    pol = replace(default_policy(), **policy)
    label, _, _ = choose(frame, pol)
    return None if label is None else (frame.loc[label, "strategy"], int(frame.loc[label, "trial"]))


def test_best_within_limits() -> None:
    assert picked(trials()) == ("A", 1)
    _, complete, feasible = choose(trials(), default_policy())
    assert (complete, feasible) == (9, 4)


def test_knee() -> None:
    # normalised frontier: A1 (0, 1), D0 (.5, .875), B0 (.75, .75), C0 (1, 0): B0 is farthest above the chord
    assert picked(trials(), selection="knee") == ("B", 0)


@pytest.mark.parametrize(("alpha", "expected"), [(1.0, ("A", 1)), (0.9, ("A", 1)), (0.7, ("D", 0)), (0.5, ("B", 0)), (0.0, ("C", 0))])
def test_weighted(alpha: float, expected: tuple[str, int]) -> None:
    # 0.7: A1 .576, D0 .5785, B0 .578, C0 .56 -- 0.5: A1 .40, D0 .4075, B0 .41, C0 .40
    assert picked(trials(), selection="weighted", alpha=alpha) == expected


def test_weighted_with_a_ratio_disparity_uses_one_minus_ratio() -> None:
    pol = parse_policy({"selection": "weighted", "alpha": 0.5, "rules": [{"metric": "disparate_impact_ratio", "min": 0.8}]})
    # disparity = 1 - ratio; candidates (ratio >= .8): A1 .5*.84-.5*.15=.345, B0 .39, C0 .40, C2 .3725, D0 .3675
    label, _, feasible = choose(trials(), pol)
    assert (trials().loc[label, "strategy"], int(trials().loc[label, "trial"])) == ("C", 0) and feasible == 5


def test_no_feasible_trial() -> None:
    pol = parse_policy({"rules": [{"metric": "demographic_parity_difference", "max": -1.0}]})
    assert choose(trials(), pol)[0] is None
    sel = select(Inputs(Path("/sweep"), "sweep", trials=trials()), pol)
    assert not sel.found and "no trial meets the policy's limits on validation" in sel.reason


@pytest.mark.parametrize("selection", ["best_within_limits", "knee", "weighted"])
def test_selection_never_reads_test_columns(selection: str) -> None:
    base = picked(trials(), selection=selection)
    rng = np.random.default_rng(1)
    for _ in range(5):
        shuffled = trials()
        for col in [c for c in shuffled.columns if c.startswith("test.")]:
            shuffled[col] = rng.permutation(shuffled[col].to_numpy())
        assert picked(shuffled, selection=selection) == base
    garbage = trials()
    garbage[[c for c in garbage.columns if c.startswith("test.")]] = np.nan
    assert picked(garbage, selection=selection) == base
    dropped = trials().drop(columns=[c for c in trials().columns if c.startswith("test.")])
    assert picked(dropped, selection=selection) == base
    assert not any(c.startswith("test.") for c in validation_view(trials()).columns)


def test_ties_go_to_lower_disparity_then_name() -> None:
    frame = trials()
    frame.loc[(frame["strategy"] == "D") & (frame["trial"] == 0), "val.accuracy"] = 0.840  # ties with A1, lower DP
    assert picked(frame) == ("D", 0)


def test_knee_position_on_a_known_curve() -> None:
    perf = np.array([1.0, 0.9, 0.5, 0.0, 0.4])
    loss = np.array([1.0, 0.2, 0.1, 0.0, 0.5])  # the last point is dominated
    assert knee_position(perf, loss) == 1
    assert knee_position(np.array([0.9, 0.8]), np.array([0.2, 0.1])) == 0  # two points: best performance


def test_select_reports_the_trial_and_its_run_dir() -> None:
    sel = select(Inputs(Path("/moved/sweep"), "sweep", trials=trials()), default_policy())
    assert (sel.strategy, sel.trial) == ("A", 1)
    assert sel.run_dir == Path("/moved/sweep/trials/A/1")
    assert sel.params == {"model.C": 1.0}
    assert sel.val["accuracy"] == 0.84 and sel.test["accuracy"] == pytest.approx(0.16)


def test_baseline_and_per_strategy_best() -> None:
    frame = trials()
    assert frame.loc[baseline_row(frame, default_policy()), "trial"] == 0
    best = per_strategy_best(frame, default_policy())
    assert best["none"] is None and best["B"] is not None and frame.loc[best["B"], "trial"] == 0
    assert frame.loc[best["C"], "trial"] == 0
