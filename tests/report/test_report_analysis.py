"""The report's numbers match trials.csv and an independent recomputation from predictions.parquet."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairexp.report import InputError, analyse, default_policy, read_inputs


def _close(a, b) -> bool:
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=0, abs_tol=1e-12)


def _selected_row(sweep: Path, sel) -> pd.Series:
    trials = pd.read_csv(sweep / "trials.csv")
    row = trials[(trials["strategy"] == sel.strategy) & (trials["trial"] == sel.trial)]
    assert len(row) == 1
    return row.iloc[0]


def test_selected_point_equals_its_trials_csv_row(german_sweep: Path, sweep_report) -> None:
    a = sweep_report.analysis
    sel = a.selection
    assert sel.found and sel.run_dir == german_sweep / "trials" / sel.strategy / str(sel.trial)
    row = _selected_row(german_sweep, sel)
    for split, values in (("val", sel.val), ("test", sel.test)):
        cols = [c for c in row.index if c.startswith(f"{split}.")]
        assert len(values) == len(cols) > 10
        for c in cols:
            assert _close(values[c.split(".", 1)[1]], row[c]), c
    on_disk = json.loads(sweep_report.paths["selection"].read_text())
    assert on_disk["selection"]["strategy"] == sel.strategy and on_disk["selection"]["trial"] == sel.trial
    assert on_disk["selection"]["run_dir"] == f"trials/{sel.strategy}/{sel.trial}"
    # the report's test numbers are those of trials.csv
    for name, est in a.data["test_metrics"].items():
        if f"test.{name}" in row.index:
            assert _close(est["value"], row[f"test.{name}"]), name
    assert a.data["consistency"]["ok"]


def test_test_metrics_match_independent_recomputation(german_sweep: Path, sweep_report) -> None:
    from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score

    a = sweep_report.analysis
    preds = pd.read_parquet(a.selection.run_dir / "predictions.parquet")
    test = preds[preds["split"] == "test"]
    yt, yp, s = test["y_true"], test["y_pred"], test["sex"]
    tm = {k: v["value"] for k, v in a.data["test_metrics"].items()}
    assert tm["accuracy"] == pytest.approx(accuracy_score(yt, yp), abs=1e-12)
    assert tm["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(yt, yp), abs=1e-12)
    assert tm["f1"] == pytest.approx(f1_score(yt, yp), abs=1e-12)
    if "y_score" in test:
        assert tm["roc_auc"] == pytest.approx(roc_auc_score(yt, test["y_score"]), abs=1e-12)
    assert tm["demographic_parity_difference"] == pytest.approx(demographic_parity_difference(yt, yp, sensitive_features=s), abs=1e-12)
    assert tm["disparate_impact_ratio"] == pytest.approx(demographic_parity_ratio(yt, yp, sensitive_features=s), abs=1e-12)
    assert tm["equalized_odds_difference"] == pytest.approx(equalized_odds_difference(yt, yp, sensitive_features=s), abs=1e-12)
    for name, est in a.data["test_metrics"].items():
        if not math.isnan(est["lower"]):
            assert est["lower"] <= est["upper"] and est["n_defined"] > 0, name


def test_rules_use_the_test_numbers(sweep_report) -> None:
    a = sweep_report.analysis
    for rule, r in zip(a.policy.rules, a.data["rules"]):
        est = a.data["test_metrics"][rule.metric]
        assert r["value"] == est["value"] and r["ci"] == [est["lower"], est["upper"]]
        assert r["passed"] == rule.holds(est["value"])


def test_group_tables_and_significance_match_predictions(sweep_report) -> None:
    from scipy.stats import chi2_contingency

    a = sweep_report.analysis
    test = pd.read_parquet(a.selection.run_dir / "predictions.parquet").query("split == 'test'")
    n = len(test)
    columns = [t["columns"] for t in a.group_tables]
    # sex (sensitive), age_group and foreign_worker (audit): every combination, 7 tables
    assert sorted(map(tuple, columns)) == sorted(
        [("sex",), ("age_group",), ("foreign_worker",), ("sex", "age_group"), ("sex", "foreign_worker"),
         ("age_group", "foreign_worker"), ("sex", "age_group", "foreign_worker")]
    )  # fmt: skip
    for t in a.group_tables:
        table = t["table"]
        assert table["count"].sum() == n
        assert (table["small"] == (table["count"] < a.policy.min_group_size)).all()
        expected = test.groupby([test[c].astype(str) for c in t["columns"]])["y_pred"].mean().to_numpy()
        assert np.allclose(table["selection_rate"].to_numpy(), expected)
    foreign = next(t for t in a.group_tables if t["columns"] == ["foreign_worker"])["table"]
    assert foreign["small"].any()  # 37 foreign workers of 1,000: a handful in test
    assert any(g["columns"] == ["foreign_worker"] for g in a.data["small_groups"])
    cm = a.data["confusion"]
    assert sum(c["tp"] + c["fp"] + c["fn"] + c["tn"] for c in cm) == n
    ct = pd.crosstab(test["sex"], test["y_pred"]).to_numpy()
    chi2, p, _, _ = chi2_contingency(ct, correction=False)
    sig = a.data["significance"]
    assert sig["chi2"] == pytest.approx(chi2) and sig["p_value"] == pytest.approx(p)
    assert sig["sentence"].startswith("The difference in selection rates")


def test_cost_of_fairness_from_trials_csv(german_sweep: Path, sweep_report) -> None:
    cost = sweep_report.analysis.data["cost_of_fairness"]
    trials = pd.read_csv(german_sweep / "trials.csv")
    none = trials[(trials["strategy"] == "none") & (trials["state"] == "COMPLETE")]
    assert cost["baseline"]["val_performance"] == none["val.accuracy"].max()
    base_acc = cost["baseline"]["test_accuracy"]
    assert {r["strategy"] for r in cost["rows"]} == {"exponentiated_gradient", "threshold_optimizer"}
    for r in cost["rows"]:
        if not r["found"]:
            assert "no trial met" in r["sentence"]
            continue
        row = trials[(trials["strategy"] == r["strategy"]) & (trials["trial"] == r["trial"])].iloc[0]
        assert r["test_accuracy"] == row["test.accuracy"]
        assert r["extra_errors_per_10000"] == pytest.approx((base_acc - row["test.accuracy"]) * 10_000)
        assert "per 10,000 decisions" in r["sentence"]


def test_counterfactual_not_applicable_without_the_sensitive_input(sweep_report) -> None:
    a = sweep_report.analysis
    cf = a.data["counterfactual"]
    if a.selection.strategy in ("threshold_optimizer", "reweighing_threshold_optimizer"):
        pytest.skip("the selected strategy post-processes; covered by test_counterfactual_decision_time")
    assert cf["applies"] is False and "proxies" in cf["note"]


def test_counterfactual_model_input_and_reproducibility(ks_report) -> None:
    cf = ks_report.analysis.data["counterfactual"]
    assert cf["applies"] and cf["how"] == "model_input"
    assert cf["reproducibility"]["rebuilt_equals_recorded"] is True and cf["reproducibility"]["n_differ"] == 0
    assert [c["column"] for c in cf["columns"]] == ["sex", "age_group"]
    for col in cf["columns"]:
        assert len(col["values"]) == 2 and len(col["pairs"]) == 2
        assert sum(p["n"] for p in col["pairs"]) == col["n"] == 200
        assert sum(p["n_changed"] for p in col["pairs"]) == col["n_changed"]
        for p in col["pairs"]:
            assert p["to_positive"] + p["to_negative"] == p["n_changed"]
    assert any(c["n_changed"] > 0 for c in cf["columns"])  # logistic regression uses sex when it is an input


def test_counterfactual_decision_time_for_a_post_processor(german_sweep: Path) -> None:
    run = german_sweep / "trials" / "threshold_optimizer" / "0"
    a = analyse(read_inputs(run), default_policy())
    cf = a.data["counterfactual"]
    assert a.inputs.kind == "run" and a.selection.strategy == "threshold_optimizer"
    assert cf["applies"] and cf["how"] == "decision_time"
    assert cf["reproducibility"]["rebuilt_equals_recorded"] is True
    assert a.data["consistency"]["ok"]  # metrics.json equals the recomputation


def test_a_moved_sweep_ignores_stale_run_dirs(german_sweep: Path, tmp_path: Path, sweep_report) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(german_sweep, moved, ignore=shutil.ignore_patterns("optuna.db", "report", "gate"))
    trials = pd.read_csv(moved / "trials.csv")
    trials["run_dir"] = "/nonexistent/old/place"
    trials.to_csv(moved / "trials.csv", index=False)
    a = analyse(read_inputs(moved), default_policy(), counterfactual=False)
    assert a.selection.run_dir == moved / "trials" / a.selection.strategy / str(a.selection.trial)
    assert a.data["test_metrics"]["accuracy"] == sweep_report.analysis.data["test_metrics"]["accuracy"]


def test_incomplete_run_dir_is_bad_input(ks_run: Path, tmp_path: Path) -> None:
    broken = tmp_path / "run"
    shutil.copytree(ks_run, broken, ignore=shutil.ignore_patterns("report", "gate"))
    (broken / "predictions.parquet").unlink()
    with pytest.raises(InputError, match="predictions.parquet"):
        read_inputs(broken)


@pytest.mark.parametrize("selection", ["knee", "weighted"])
def test_knee_and_weighted_on_the_real_sweep(german_sweep: Path, selection: str) -> None:
    from dataclasses import replace

    pol = replace(default_policy(), selection=selection, alpha=0.3)
    a = analyse(read_inputs(german_sweep), pol, counterfactual=False, full=False)
    assert a.selection.found and a.selection.method == selection
    assert all(rule.holds(a.selection.val[rule.metric]) for rule in pol.rules)
    assert a.data["rules"] and a.data["test_metrics"]["accuracy"]["value"] == pytest.approx(a.selection.test["accuracy"])
