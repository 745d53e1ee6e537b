"""The review policy: which metric is performance, how to select, which limits must hold.

A policy is a small YAML file::

    performance: accuracy                # a performance metric (fairexp.metrics.PERFORMANCE_METRICS)
    selection: best_within_limits        # or knee, weighted
    alpha: 0.5                           # weighted only (disparity = the first fairness rule's metric)
    rules:
      - metric: demographic_parity_difference
        max: 0.05
        use_upper_bound: false           # true: the CI's far bound must be within the limit
      - metric: disparate_impact_ratio
        min: 0.8
    min_group_size: 30
    confidence: 0.95
    n_bootstrap: 1000
    seed: 0

Anything unknown (a key, a metric name, a selection rule) is a :class:`PolicyError`
naming the key, so a typo never silently weakens a gate. Only PyYAML is imported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fairexp.errors import FairexpError

SELECTIONS = ("best_within_limits", "knee", "weighted")
POLICY_KEYS = ("performance", "selection", "alpha", "rules", "min_group_size", "confidence", "n_bootstrap", "seed")
RULE_KEYS = ("metric", "max", "min", "use_upper_bound")
#: The disparity used by ``knee`` and ``weighted`` when the policy has no rules.
DEFAULT_DISPARITY = "demographic_parity_difference"


class PolicyError(FairexpError):
    """A policy file that is missing or malformed (exit code 2)."""


@dataclass(frozen=True)
class Rule:
    """One limit on one test metric: ``min <= value <= max`` (either bound may be absent)."""

    metric: str
    max: float | None = None
    min: float | None = None
    use_upper_bound: bool = False

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{self.metric} \u2265 {self.min:g}")
        if self.max is not None:
            parts.append(f"{self.metric} \u2264 {self.max:g}")
        text = " and ".join(parts)
        return text + (" (CI bound)" if self.use_upper_bound else "")

    def holds(self, value: float) -> bool:
        """Whether a point value satisfies the limit; an undefined (NaN) value never does."""
        if value is None or not math.isfinite(value):
            return False
        if self.max is not None and value > self.max:
            return False
        if self.min is not None and value < self.min:
            return False
        return True

    def as_limit(self) -> dict[str, Any]:
        """The ``limit`` argument of :func:`fairexp.plots.tradeoff_figure`."""
        out: dict[str, Any] = {"metric": self.metric}
        if self.max is not None:
            out["max"] = self.max
        if self.min is not None:
            out["min"] = self.min
        return out


@dataclass(frozen=True)
class Policy:
    performance: str = "accuracy"
    selection: str = "best_within_limits"
    alpha: float = 0.5
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    min_group_size: int = 30
    confidence: float = 0.95
    n_bootstrap: int = 1000
    seed: int = 0
    source: str = "default"  # the file it came from, or "default"

    @property
    def is_default(self) -> bool:
        return self.source == "default"

    @property
    def disparity_rule(self) -> Rule | None:
        """The first rule on a fairness metric (the fairness axis of selection and plots)."""
        from fairexp.metrics import FAIRNESS_METRICS

        return next((r for r in self.rules if r.metric in FAIRNESS_METRICS), None)

    @property
    def disparity(self) -> str:
        """The fairness axis of ``knee``, ``weighted`` and the plots: the first fairness rule's metric."""
        rule = self.disparity_rule
        return rule.metric if rule is not None else DEFAULT_DISPARITY

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rules"] = [{k: v for k, v in asdict(r).items() if v is not None} for r in self.rules]
        return d


def default_policy() -> Policy:
    """Used when no ``--policy`` is given; the report says so."""
    return Policy(
        rules=(
            Rule("demographic_parity_difference", max=0.05),
            Rule("disparate_impact_ratio", min=0.8),
        )
    )


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError(f"must be a finite number, got {value!r}", key=key)
    return float(value)


def _metric_names() -> tuple[list[str], list[str]]:
    from fairexp.metrics import METRIC_DIRECTIONS, PERFORMANCE_METRICS

    return list(METRIC_DIRECTIONS), [m for m in PERFORMANCE_METRICS if m != "selection_rate"]


def parse_policy(data: Any, source: str = "<policy>") -> Policy:
    """Validate a parsed YAML mapping; raise :class:`PolicyError` naming the first bad key."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise PolicyError(f"a policy must be a YAML mapping, got {type(data).__name__}", key=source)
    unknown = [k for k in data if k not in POLICY_KEYS]
    if unknown:
        raise PolicyError(f"unknown policy key (allowed: {', '.join(POLICY_KEYS)})", key=str(unknown[0]))
    metrics, performance_metrics = _metric_names()
    base = default_policy()

    performance = data.get("performance", base.performance)
    if performance not in performance_metrics:
        if performance in metrics:
            raise PolicyError(
                f"'{performance}' is a fairness metric; performance must be one of {', '.join(performance_metrics)}",
                key="performance",
            )
        raise PolicyError(f"unknown metric '{performance}' (choose from {', '.join(performance_metrics)})", key="performance")
    selection = data.get("selection", base.selection)
    if selection not in SELECTIONS:
        raise PolicyError(f"unknown selection '{selection}' (choose from {', '.join(SELECTIONS)})", key="selection")
    alpha = _number(data.get("alpha", base.alpha), "alpha")
    if not 0.0 <= alpha <= 1.0:
        raise PolicyError(f"must be in [0, 1], got {alpha:g}", key="alpha")

    raw_rules = data["rules"] if "rules" in data else [asdict(r) for r in base.rules]
    if raw_rules is None:
        raw_rules = []
    if not isinstance(raw_rules, list):
        raise PolicyError("must be a list of {metric, max|min} mappings", key="rules")
    rules = []
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(raw, Mapping):
            raise PolicyError("must be a mapping with 'metric' and 'max' or 'min'", key=where)
        bad = [k for k in raw if k not in RULE_KEYS]
        if bad:
            raise PolicyError(f"unknown rule key (allowed: {', '.join(RULE_KEYS)})", key=f"{where}.{bad[0]}")
        metric = raw.get("metric")
        if metric not in metrics:
            raise PolicyError(f"unknown metric '{metric}' (choose from {', '.join(metrics)})", key=f"{where}.metric")
        lo = None if raw.get("min") is None else _number(raw["min"], f"{where}.min")
        hi = None if raw.get("max") is None else _number(raw["max"], f"{where}.max")
        if lo is None and hi is None:
            raise PolicyError("needs a 'max' or a 'min' limit", key=where)
        if lo is not None and hi is not None and lo > hi:
            raise PolicyError(f"min {lo:g} is above max {hi:g}", key=where)
        ub = raw.get("use_upper_bound", False)
        if not isinstance(ub, bool):
            raise PolicyError(f"must be true or false, got {ub!r}", key=f"{where}.use_upper_bound")
        rules.append(Rule(metric, max=hi, min=lo, use_upper_bound=ub))

    mgs = data.get("min_group_size", base.min_group_size)
    if isinstance(mgs, bool) or not isinstance(mgs, int) or mgs < 0:
        raise PolicyError(f"must be a non-negative integer, got {mgs!r}", key="min_group_size")
    confidence = _number(data.get("confidence", base.confidence), "confidence")
    if not 0.5 <= confidence < 1.0:
        raise PolicyError(f"must be in [0.5, 1), got {confidence:g}", key="confidence")
    nb = data.get("n_bootstrap", base.n_bootstrap)
    if isinstance(nb, bool) or not isinstance(nb, int) or not 0 <= nb <= 100_000:
        raise PolicyError(f"must be an integer in [0, 100000] (0 = no intervals), got {nb!r}", key="n_bootstrap")
    seed = data.get("seed", base.seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PolicyError(f"must be a non-negative integer, got {seed!r}", key="seed")
    return Policy(performance, selection, alpha, tuple(rules), mgs, confidence, nb, seed, source)


def load_policy(path: str | Path | None) -> Policy:
    """The policy in ``path``, or :func:`default_policy` when ``path`` is None."""
    if path is None:
        return default_policy()
    import yaml

    path = Path(path)
    if not path.is_file():
        raise PolicyError(f"policy file not found: {path}", key="--policy")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PolicyError(f"not valid YAML{where}: {getattr(exc, 'problem', exc)}", key=str(path)) from None
    return parse_policy(data, source=str(path))
