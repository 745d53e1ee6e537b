"""The gate: do the selected model's TEST metrics meet the policy's rules?

Each rule is checked on the point estimate, or, with ``use_upper_bound: true``, on the far
bound of the bootstrap interval (the upper bound for a ``max`` limit, the lower bound for a
``min`` limit): the limit must then hold even at the pessimistic end of the interval. An
undefined value (or an interval that could not be computed when the rule asks for one) fails.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fairexp.report._policy import Policy, Rule

LE, GE = "\u2264", "\u2265"


def _fmt(v: float | None) -> str:
    return "undefined" if v is None or not math.isfinite(v) else f"{v:.4f}"


def check_rule(rule: Rule, estimate: Mapping[str, float]) -> dict[str, Any]:
    """One rule against ``{"value", "lower", "upper"}`` of its metric."""
    value = float(estimate.get("value", float("nan")))
    lower = float(estimate.get("lower", float("nan")))
    upper = float(estimate.get("upper", float("nan")))
    checks = []  # (bound name, bound value, limit kind, limit)
    if rule.max is not None:
        checks.append(("upper" if rule.use_upper_bound else "point", upper if rule.use_upper_bound else value, "max", rule.max))
    if rule.min is not None:
        checks.append(("lower" if rule.use_upper_bound else "point", lower if rule.use_upper_bound else value, "min", rule.min))
    passed, reasons = True, []
    for bound, v, kind, limit in checks:
        shown = "point estimate" if bound == "point" else f"CI {bound} bound"
        if not math.isfinite(v):
            passed = False
            reasons.append(f"{shown} is undefined")
        elif (kind == "max" and v > limit) or (kind == "min" and v < limit):
            passed = False
            reasons.append(f"{shown} {v:.4f} {'>' if kind == 'max' else '<'} {limit:g}")
        else:
            reasons.append(f"{shown} {v:.4f} {LE if kind == 'max' else GE} {limit:g}")
    return {
        "metric": rule.metric,
        "limit": {k: v for k, v in (("max", rule.max), ("min", rule.min)) if v is not None},
        "rule": rule.describe(),
        "value": value,
        "ci": [lower, upper],
        "bound_used": "+".join(b for b, *_ in checks) if len(checks) > 1 else checks[0][0],
        "compared_value": checks[0][1] if len(checks) == 1 else [c[1] for c in checks],
        "passed": passed,
        "explanation": "; ".join(reasons),
    }


def check_rules(policy: Policy, metrics_ci: Mapping[str, Mapping[str, float]]) -> list[dict[str, Any]]:
    return [check_rule(r, metrics_ci.get(r.metric, {})) for r in policy.rules]


def gate_markdown(result: Mapping[str, Any]) -> str:
    """``gate.md``: what was checked, the numbers with CIs, pass/fail per rule."""
    pol = result["policy"]
    sel = result["selection"]
    conf = pol["confidence"]
    lines = [
        f"# Fairness gate: {'PASSED' if result['passed'] else 'FAILED'}",
        "",
        f"- **Input**: `{result['input']['path']}` ({result['input']['kind']})",
        f"- **Policy**: `{pol['source']}`; performance `{pol['performance']}`, selection `{pol['selection']}`"
        + (f" (alpha = {pol['alpha']:g})" if pol["selection"] == "weighted" else ""),
        f"- **Intervals**: {conf:.0%} percentile bootstrap over test rows, {pol['n_bootstrap']} resamples, seed {pol['seed']}",
        "",
        "## Selected operating point (chosen on validation, checked on test)",
        "",
    ]
    if not sel["found"]:
        lines += [f"**No operating point was selected:** {sel['reason']}.", "", "The gate fails.", ""]
    else:
        lines += [
            f"- strategy **{sel['strategy']}**" + (f", trial {sel['trial']}" if sel["trial"] is not None else ""),
            f"- run directory: `{sel['run_dir']}`",
            f"- selection: {sel['reason']}",
        ]
        if sel["params"]:
            lines.append("- parameters: " + ", ".join(f"`{k}={v}`" for k, v in sel["params"].items()))
        perf = result.get("performance")
        if perf:
            lines.append(
                f"- {pol['performance']} (test): {_fmt(perf['value'])} [{_fmt(perf['lower'])}, {_fmt(perf['upper'])}]"
            )
        if not sel["meets_limits_on_val"]:
            lines.append("- note: this run does not meet the limits on validation: " + "; ".join(sel["val_violations"]))
        lines += ["", "## Rules (test split)", ""]
        lines += [
            "| rule | value | CI | checked on | result |",
            "|---|---|---|---|---|",
        ]
        for r in result["rules"]:
            lo, hi = r["ci"]
            lines.append(
                f"| `{r['rule']}` | {_fmt(r['value'])} | [{_fmt(lo)}, {_fmt(hi)}] | {r['bound_used']} | "
                f"{'pass' if r['passed'] else '**FAIL**'}: {r['explanation']} |"
            )
        if not result["rules"]:
            lines.append("| (the policy has no rules) | | | | pass |")
    small = result.get("small_groups") or []
    if small:
        lines += [
            "",
            f"**Small groups** (fewer than {pol['min_group_size']} test rows; their rates are too noisy to read on their own): "
            + ", ".join(f"{g['group']} (n={g['count']})" for g in small),
        ]
    lines += ["", "## Verdict", "", result["verdict"], ""]
    return "\n".join(lines)
