"""``fairexp-gate``: the policy's rules on the selected model's test metrics, as an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fairexp.report._inputs import read_inputs
from fairexp.report._policy import load_policy


def run_gate(path: str | Path, policy_path: str | Path, out: str | Path | None = None) -> tuple[bool, dict[str, Any], dict[str, Path]]:
    """Evaluate the gate; write ``gate.json`` and ``gate.md`` into ``out`` (default ``<path>/gate``).

    Returns (passed, result, written paths). Raises :class:`~fairexp.errors.FairexpError`
    (exit code 2) for a malformed policy or a bad input directory.
    """
    from fairexp.outputs import write_json, write_text
    from fairexp.report._analysis import analyse
    from fairexp.report._gate import gate_markdown

    policy = load_policy(policy_path)
    inputs = read_inputs(path)
    analysis = analyse(inputs, policy, counterfactual=False, full=False)
    d = analysis.data
    sel = analysis.selection
    rules = d.get("rules", [])
    passed = bool(sel.found and all(r["passed"] for r in rules))
    if not sel.found:
        verdict = f"FAILED: no operating point was selected ({sel.reason})."
    elif passed:
        verdict = f"PASSED: all {len(rules)} rule(s) hold on test for {sel.strategy}" + (f" trial {sel.trial}." if sel.trial is not None else ".")
    else:
        failed = [r for r in rules if not r["passed"]]
        verdict = f"FAILED: {len(failed)} of {len(rules)} rule(s) fail on test: " + "; ".join(f"{r['rule']} ({r['explanation']})" for r in failed) + "."
    perf = (d.get("test_metrics") or {}).get(policy.performance)
    result = {
        "passed": passed,
        "verdict": verdict,
        "input": d["input"],
        "policy": d["policy"],
        "selection": d["selection"],
        "performance": perf,
        "rules": rules,
        "four_fifths": d.get("four_fifths"),
        "small_groups": d.get("small_groups", []),
        "consistency": d.get("consistency"),
        "fairexp_version": d["fairexp_version"],
        "generated": d["generated"],
    }
    out = Path(out) if out is not None else Path(path) / "gate"
    paths = {
        "json": write_json(out / "gate.json", result),
        "md": write_text(out / "gate.md", gate_markdown(result)),
    }
    return passed, result, paths
