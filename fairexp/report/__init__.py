"""Review-ready output of a sweep or run: the report (``fairexp-report``) and the gate (``fairexp-gate``).

The operating point is chosen on validation under a policy (:func:`load_policy`), then its
test decisions are evaluated with bootstrap intervals, a significance test of the
selection-rate disparity, per-group and intersectional tables, a counterfactual check and
the cost of fairness against the baseline; :func:`write_report` renders HTML, Markdown and
a model card, :func:`run_gate` checks the policy's rules and returns pass/fail.

Imports are lazy (PEP 562) so that the console scripts' ``--help`` never loads pandas,
scikit-learn or matplotlib.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Policy": "fairexp.report._policy",
    "PolicyError": "fairexp.report._policy",
    "Rule": "fairexp.report._policy",
    "default_policy": "fairexp.report._policy",
    "load_policy": "fairexp.report._policy",
    "parse_policy": "fairexp.report._policy",
    "InputError": "fairexp.report._inputs",
    "Inputs": "fairexp.report._inputs",
    "Run": "fairexp.report._inputs",
    "Analysis": "fairexp.report._analysis",
    "read_inputs": "fairexp.report._inputs",
    "read_run": "fairexp.report._inputs",
    "Selection": "fairexp.report._select",
    "choose": "fairexp.report._select",
    "select": "fairexp.report._select",
    "knee_position": "fairexp.report._select",
    "validation_view": "fairexp.report._select",
    "bootstrap_metrics": "fairexp.report._stats",
    "selection_rate_test": "fairexp.report._stats",
    "cohens_h": "fairexp.report._stats",
    "cramers_v": "fairexp.report._stats",
    "two_proportion_ztest": "fairexp.report._stats",
    "analyse": "fairexp.report._analysis",
    "model_card": "fairexp.report._card",
    "write_report": "fairexp.report._render",
    "run_gate": "fairexp.report._run_gate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fairexp.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
