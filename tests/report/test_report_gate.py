"""The gate: rule checks (point vs. CI bound) and exit codes 0 / 1 / 2 on real sweep and run directories."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from fairexp.report import parse_policy
from fairexp.report._cli import gate_main
from fairexp.report._gate import check_rule

NAN = float("nan")


def _rule(**kw):
    return parse_policy({"rules": [kw]}).rules[0]


def test_check_rule_point_and_bounds() -> None:
    est = {"value": 0.04, "lower": 0.01, "upper": 0.07}
    r = check_rule(_rule(metric="demographic_parity_difference", max=0.05), est)
    assert r["passed"] and r["bound_used"] == "point" and r["compared_value"] == 0.04
    r = check_rule(_rule(metric="demographic_parity_difference", max=0.05, use_upper_bound=True), est)
    assert not r["passed"] and r["bound_used"] == "upper" and r["compared_value"] == 0.07 and r["ci"] == [0.01, 0.07]
    est = {"value": 0.85, "lower": 0.78, "upper": 0.9}
    assert check_rule(_rule(metric="disparate_impact_ratio", min=0.8), est)["passed"]
    r = check_rule(_rule(metric="disparate_impact_ratio", min=0.8, use_upper_bound=True), est)
    assert not r["passed"] and r["bound_used"] == "lower"
    both = check_rule(_rule(metric="selection_rate", min=0.1, max=0.95, use_upper_bound=True), est)
    assert both["passed"] and both["bound_used"] == "upper+lower"


def test_undefined_values_fail() -> None:
    assert not check_rule(_rule(metric="equalized_odds_difference", max=0.1), {"value": NAN, "lower": NAN, "upper": NAN})["passed"]
    r = check_rule(_rule(metric="equalized_odds_difference", max=0.1, use_upper_bound=True), {"value": 0.01, "lower": NAN, "upper": NAN})
    assert not r["passed"] and "undefined" in r["explanation"]


def _policy(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


LAX = "rules:\n  - {metric: demographic_parity_difference, max: 1.0}\n  - {metric: disparate_impact_ratio, min: 0.0}\n"


def test_lax_policy_passes(german_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "gate"
    assert gate_main([str(german_sweep), "--policy", _policy(tmp_path, "lax.yaml", LAX), "--out", str(out)]) == 0
    result = json.loads((out / "gate.json").read_text())
    assert result["passed"] is True and result["selection"]["found"]
    assert [r["passed"] for r in result["rules"]] == [True, True]
    for r in result["rules"]:
        assert r["ci"][0] <= r["value"] <= r["ci"][1] and r["bound_used"] == "point"
    md = (out / "gate.md").read_text()
    assert md.startswith("# Fairness gate: PASSED") and "| rule | value | CI | checked on | result |" in md
    assert "PASSED" in capsys.readouterr().out


def test_gate_default_out_dir(german_sweep: Path, tmp_path: Path) -> None:
    import shutil

    sweep = tmp_path / "copy"
    shutil.copytree(german_sweep, sweep, ignore=shutil.ignore_patterns("optuna.db", "report", "gate"))
    assert gate_main([str(sweep), "--policy", _policy(tmp_path, "lax.yaml", LAX)]) == 0
    assert (sweep / "gate" / "gate.json").is_file() and (sweep / "gate" / "gate.md").is_file()


def test_strict_policy_fails_when_nothing_is_within_limits(german_sweep: Path, tmp_path: Path, capsys) -> None:
    pol = _policy(tmp_path, "strict.yaml", "rules:\n  - {metric: demographic_parity_difference, max: -0.01}\n")
    assert gate_main([str(german_sweep), "--policy", pol, "--out", str(tmp_path / "g")]) == 1
    result = json.loads((tmp_path / "g" / "gate.json").read_text())
    assert result["passed"] is False and not result["selection"]["found"]
    assert "no trial meets the policy's limits on validation" in result["verdict"]
    assert "no trial meets" in capsys.readouterr().out


def test_strict_policy_fails_on_test(ks_run: Path, tmp_path: Path) -> None:
    pol = _policy(tmp_path, "strict.yaml", "rules:\n  - {metric: demographic_parity_difference, max: 0.0}\n")
    assert gate_main([str(ks_run), "--policy", pol, "--out", str(tmp_path / "g")]) == 1
    result = json.loads((tmp_path / "g" / "gate.json").read_text())
    assert result["selection"]["found"] and result["rules"][0]["passed"] is False
    assert "FAIL" in (tmp_path / "g" / "gate.md").read_text()


def test_use_upper_bound_flips_a_pass_to_a_fail(ks_run: Path, tmp_path: Path) -> None:
    """Point estimate within the limit, upper bound beyond it: passes on the point, fails on the bound."""
    probe = tmp_path / "probe"
    assert gate_main([str(ks_run), "--policy", _policy(tmp_path, "lax.yaml", LAX), "--out", str(probe)]) == 0
    rule = json.loads((probe / "gate.json").read_text())["rules"][0]
    value, upper = rule["value"], rule["ci"][1]
    assert value < upper
    limit = (value + upper) / 2
    text = f"rules:\n  - {{metric: demographic_parity_difference, max: {limit!r}, use_upper_bound: %s}}\n"
    assert gate_main([str(ks_run), "--policy", _policy(tmp_path, "point.yaml", text % "false"), "--out", str(tmp_path / "a")]) == 0
    assert gate_main([str(ks_run), "--policy", _policy(tmp_path, "bound.yaml", text % "true"), "--out", str(tmp_path / "b")]) == 1
    flipped = json.loads((tmp_path / "b" / "gate.json").read_text())["rules"][0]
    assert flipped["bound_used"] == "upper" and math.isclose(flipped["compared_value"], upper)


@pytest.mark.parametrize(
    ("policy", "needle"),
    [
        ("rules:\n  - {metric: demographic_parity_diff, max: 0.1}\n", "rules[0].metric: unknown metric 'demographic_parity_diff'"),
        ("performance: accuracy\nthreshold: 0.3\n", "threshold: unknown policy key"),
        ("rules:\n  - {metric: accuracy, min: 0.5, upper: true}\n", "rules[0].upper: unknown rule key"),
    ],
)
def test_malformed_policy_exits_2(german_sweep: Path, tmp_path: Path, capsys, policy: str, needle: str) -> None:
    assert gate_main([str(german_sweep), "--policy", _policy(tmp_path, "bad.yaml", policy), "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fairexp-gate: error: ") and needle in err and "\n" not in err
    assert not (tmp_path / "g").exists()


def test_bad_input_dirs_exit_2(tmp_path: Path, capsys) -> None:
    pol = _policy(tmp_path, "lax.yaml", LAX)
    assert gate_main([str(tmp_path / "missing"), "--policy", pol]) == 2
    assert "no such directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert gate_main([str(tmp_path / "empty"), "--policy", pol]) == 2
    assert "neither a sweep directory" in capsys.readouterr().err
    assert gate_main([str(tmp_path / "empty"), "--policy", str(tmp_path / "nope.yaml")]) == 2
    assert "policy file not found" in capsys.readouterr().err
