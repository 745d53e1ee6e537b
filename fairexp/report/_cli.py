"""``fairexp-report`` and ``fairexp-gate``: argparse at the top, everything heavy inside the functions.

``--help`` must stay fast and light (no pandas, scikit-learn, matplotlib, plotly, wandb, aif360):
this module imports only the standard library and :mod:`fairexp.errors`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fairexp.errors import FairexpError

POLICY_HELP = """\
policy YAML (unknown keys or metric names are an error, exit 2):
  performance: accuracy               # a performance metric
  selection: best_within_limits       # or knee, weighted
  alpha: 0.5                          # weighted: alpha*performance - (1-alpha)*disparity
  rules:                              # limits on test metrics (and the candidates on validation)
    - {metric: demographic_parity_difference, max: 0.05, use_upper_bound: false}
    - {metric: disparate_impact_ratio, min: 0.8}
  min_group_size: 30                  # smaller groups are flagged, not over-read
  confidence: 0.95                    # bootstrap interval level
  n_bootstrap: 1000
  seed: 0
"""


def _fail(prog: str, message: str, code: int = 2) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return code


def report_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fairexp-report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Review-ready report of a fairexp sweep or run: the operating point chosen on validation under a "
        "policy, its test metrics with bootstrap intervals, a significance test of the selection-rate gap, "
        "per-group and intersectional tables, a counterfactual check, the cost of fairness and a model card.",
        epilog="writes report.html (self-contained), report.md (+ PNGs), model_card.md, selection.json\n"
        "without --policy the default policy is used (accuracy; DP difference <= 0.05; disparate impact ratio >= 0.8)\n\n"
        + POLICY_HELP,
    )
    p.add_argument("directory", help="a sweep directory (with trials.csv) or a run directory (with metrics.json)")
    p.add_argument("--policy", metavar="POLICY.yaml", help="the review policy (default: the built-in default policy)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: <directory>/report)")
    p.add_argument("--no-counterfactual", action="store_true", help="skip rebuilding the selected model for the counterfactual check")
    return p


def gate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fairexp-gate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check the selected operating point of a sweep (or a single run) against a policy on test. "
        "Exit status: 0 all rules pass, 1 a rule fails (or no point meets the limits on validation), "
        "2 malformed policy or bad input directory.",
        epilog="writes gate.json and gate.md\n\n" + POLICY_HELP,
    )
    p.add_argument("directory", help="a sweep directory (with trials.csv) or a run directory (with metrics.json)")
    p.add_argument("--policy", metavar="POLICY.yaml", required=True, help="the policy to check")
    p.add_argument("--out", metavar="DIR", help="output folder (default: <directory>/gate)")
    return p


def _quiet() -> None:
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def report_main(argv: list[str] | None = None) -> int:
    args = report_parser().parse_args(argv)
    prog = "fairexp-report"
    _quiet()
    try:
        from fairexp.report._analysis import analyse
        from fairexp.report._inputs import read_inputs
        from fairexp.report._policy import load_policy
        from fairexp.report._render import write_report

        policy = load_policy(args.policy)
        inputs = read_inputs(args.directory)
        out = Path(args.out) if args.out else Path(args.directory) / "report"
        analysis = analyse(inputs, policy, counterfactual=not args.no_counterfactual)
        paths = write_report(analysis, out)
    except FairexpError as exc:
        return _fail(prog, str(exc))
    sel = analysis.selection
    if sel.found:
        where = f"{sel.strategy} trial {sel.trial}" if sel.trial is not None else f"{sel.strategy} (single run)"
        print(f"selected: {where} ({sel.reason})")
    else:
        print(f"no operating point selected: {sel.reason}")
    if policy.is_default:
        print("policy: the default policy (pass --policy to set your own)")
    print(f"report: {paths['html']}")
    return 0


def gate_main(argv: list[str] | None = None) -> int:
    args = gate_parser().parse_args(argv)
    prog = "fairexp-gate"
    _quiet()
    try:
        from fairexp.report._run_gate import run_gate

        passed, result, paths = run_gate(args.directory, args.policy, args.out)
    except FairexpError as exc:
        return _fail(prog, str(exc))
    print(result["verdict"])
    for r in result["rules"]:
        print(f"  {'pass' if r['passed'] else 'FAIL'}  {r['rule']}: {r['explanation']}")
    print(f"gate: {paths['md']}")
    return 0 if passed else 1


def report_entry() -> None:
    sys.exit(report_main())


def gate_entry() -> None:
    sys.exit(gate_main())
