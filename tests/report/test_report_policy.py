"""Policy parsing: valid files load, anything unknown or malformed is a PolicyError naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairexp.errors import FairexpError
from fairexp.report import Policy, PolicyError, default_policy, load_policy, parse_policy


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "policy.yaml"
    p.write_text(text)
    return p


def test_full_policy_loads(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
performance: balanced_accuracy
selection: weighted
alpha: 0.25
rules:
  - metric: demographic_parity_difference
    max: 0.05
    use_upper_bound: true
  - metric: disparate_impact_ratio
    min: 0.8
min_group_size: 50
confidence: 0.9
n_bootstrap: 200
seed: 3
""",
    )
    pol = load_policy(p)
    assert isinstance(pol, Policy)
    assert (pol.performance, pol.selection, pol.alpha) == ("balanced_accuracy", "weighted", 0.25)
    assert [(r.metric, r.max, r.min, r.use_upper_bound) for r in pol.rules] == [
        ("demographic_parity_difference", 0.05, None, True),
        ("disparate_impact_ratio", None, 0.8, False),
    ]
    assert (pol.min_group_size, pol.confidence, pol.n_bootstrap, pol.seed) == (50, 0.9, 200, 3)
    assert pol.disparity == "demographic_parity_difference"
    assert not pol.is_default and pol.source == str(p)


def test_default_policy() -> None:
    pol = load_policy(None)
    assert pol == default_policy() and pol.is_default
    assert pol.performance == "accuracy" and pol.selection == "best_within_limits"
    assert [(r.metric, r.max, r.min) for r in pol.rules] == [
        ("demographic_parity_difference", 0.05, None),
        ("disparate_impact_ratio", None, 0.8),
    ]


def test_missing_keys_take_defaults_and_empty_rules_mean_none() -> None:
    assert parse_policy({"performance": "f1"}).rules == default_policy().rules
    assert parse_policy({"rules": []}).rules == ()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"performanc": "accuracy"}, "performanc"),
        ({"performance": "acuracy"}, "performance"),
        ({"performance": "demographic_parity_difference"}, "performance"),
        ({"selection": "best"}, "selection"),
        ({"alpha": 1.5}, "alpha"),
        ({"alpha": "half"}, "alpha"),
        ({"rules": [{"metric": "dp_difference", "max": 0.1}]}, "rules[0].metric"),
        ({"rules": [{"metric": "accuracy", "max": 0.1, "maximum": 2}]}, "rules[0].maximum"),
        ({"rules": [{"metric": "accuracy"}]}, "rules[0]"),
        ({"rules": [{"metric": "accuracy", "min": 0.9, "max": 0.1}]}, "rules[0]"),
        ({"rules": [{"metric": "accuracy", "min": 0.9, "use_upper_bound": "yes"}]}, "rules[0].use_upper_bound"),
        ({"rules": {"metric": "accuracy"}}, "rules"),
        ({"rules": ["accuracy"]}, "rules[0]"),
        ({"min_group_size": -1}, "min_group_size"),
        ({"confidence": 1.0}, "confidence"),
        ({"n_bootstrap": 2.5}, "n_bootstrap"),
        ({"seed": -3}, "seed"),
    ],
)
def test_malformed_policy_names_the_key(data: dict, key: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(data, source="p.yaml")
    assert info.value.key == key
    assert isinstance(info.value, FairexpError) and info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_not_a_mapping_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError):
        load_policy(_write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(_write(tmp_path, "rules: [\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yaml")


def test_rule_holds_and_limit() -> None:
    rule = parse_policy({"rules": [{"metric": "disparate_impact_ratio", "min": 0.8}]}).rules[0]
    assert rule.holds(0.8) and rule.holds(0.95) and not rule.holds(0.79) and not rule.holds(float("nan"))
    assert rule.as_limit() == {"metric": "disparate_impact_ratio", "min": 0.8}


def test_disparity_is_the_first_fairness_rule() -> None:
    pol = parse_policy({"rules": [{"metric": "accuracy", "min": 0.7}, {"metric": "equalized_odds_difference", "max": 0.1}]})
    assert pol.disparity == "equalized_odds_difference" and pol.disparity_rule is pol.rules[1]
    assert parse_policy({"rules": []}).disparity == "demographic_parity_difference"
