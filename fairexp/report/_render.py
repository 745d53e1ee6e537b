"""The report: ``report.html`` (self-contained), ``report.md`` (+ PNGs), ``model_card.md``, ``selection.json``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from fairexp.report._analysis import HEADLINE, Analysis
from fairexp.report._doc import Doc, fmt, fmt_ci, to_html, to_markdown

#: Group-table columns: (header, column in the group frame)
GROUP_COLUMNS = (
    ("n", "count"),
    ("share", "share"),
    ("selection rate", "selection_rate"),
    ("ratio to highest", "ratio_to_max"),
    ("TPR", "true_positive_rate"),
    ("FPR", "false_positive_rate"),
    ("accuracy", "accuracy"),
)


def _metric_order(a: Analysis) -> list[str]:
    pol = a.policy
    names = [pol.performance, *(r.metric for r in pol.rules), *HEADLINE]
    return [m for m in dict.fromkeys(names) if m in a.data.get("test_metrics", {})]


def _directions() -> dict[str, str]:
    from fairexp.metrics import METRIC_DIRECTIONS

    return dict(METRIC_DIRECTIONS)


def build_doc(a: Analysis, figures: dict[str, bytes]) -> Doc:
    d, pol, sel = a.data, a.policy, a.selection
    conf = pol.confidence
    doc = Doc()
    ds = d.get("dataset") or {}
    what = "sweep" if a.inputs.kind == "sweep" else "run"
    doc.h1(f"Fairness review: {ds.get('name') or a.inputs.path.name} ({what} `{a.inputs.path.name}`)")
    doc.kv(
        [
            ("Input", f"`{a.inputs.path}` ({what})"),
            ("Policy", "the **default policy** (no `--policy` given)" if pol.is_default else f"`{pol.source}`"),
            ("Performance metric", f"`{pol.performance}`"),
            ("Limits", "; ".join(f"`{r.describe()}`" for r in pol.rules) or "none"),
            ("Selection", f"`{pol.selection}`" + (f" (alpha = {pol.alpha:g})" if pol.selection == "weighted" else "")),
            ("Intervals", f"{conf:.0%} percentile bootstrap over test rows, {pol.n_bootstrap:,} resamples, seed {pol.seed}"),
            ("Generated", f"{d['generated']}, fairexp {d['fairexp_version']}"),
        ]
    )
    if pol.is_default:
        doc.box(
            "note",
            "No policy file was given, so this report uses the default policy: performance `accuracy`, "
            "`best_within_limits`, `demographic_parity_difference \u2264 0.05` and `disparate_impact_ratio \u2265 0.8` "
            "(the four-fifths rule), groups under 30 rows flagged. Pass `--policy policy.yaml` to set your own.",
        )

    # ------------------------------------------------------------------ summary
    doc.h2("Summary")
    if not sel.found:
        doc.box("fail", f"**No operating point meets the policy on validation.** {sel.reason[0].upper() + sel.reason[1:]}.")
    else:
        n_test = fmt((ds.get("sizes") or {}).get("test"))
        if sel.trial is not None:
            doc.p(
                f"Selected operating point: trial {sel.trial} of **{sel.strategy}**, chosen on **validation** as {sel.reason}; "
                f"every number below is on the **test** split ({n_test} rows), which played no part in the choice."
            )
        else:
            doc.p(
                f"A single run directory, so the operating point is the run itself (strategy **{sel.strategy}**); every number "
                f"below is on its **test** split ({n_test} rows)."
            )
        if not sel.meets_limits_on_val:
            doc.box("warn", "This run does not meet the policy's limits on validation: " + "; ".join(sel.val_violations) + ".")
        rules = d.get("rules", [])
        failed = [r for r in rules if not r["passed"]]
        if failed:
            doc.box("fail", f"**{len(failed)} of {len(rules)} policy rules fail on test**: " + "; ".join(f"`{r['rule']}`: {r['explanation']}" for r in failed) + ".")
        elif rules:
            doc.box("ok", f"**All {len(rules)} policy rules hold on test.**")
        if "significance" in d:
            doc.p(d["significance"]["sentence"])

    # ------------------------------------------------------------------ trade-off
    doc.h2("Trade-off curves")
    if "tradeoff" in figures:
        doc.img(
            figures["tradeoff"],
            "tradeoff.png",
            f"Validation Pareto frontier of each strategy ({pol.performance} against {pol.disparity}), all trials faint, "
            "the same frontier points on test as open circles joined by dotted lines, the baseline as a star, the policy's "
            f"limit dashed and the selected point circled in red (at its validation coordinates).",
        )
    else:
        doc.p("A single run has no trade-off curve; run a sweep (`fairexp -m experiment=...`) to compare strategies.")
    if d.get("trials"):
        rows = [[s, *(fmt(c.get(k, 0)) for k in ("COMPLETE", "FAIL", "PRUNED"))] for s, c in d["trials"].items()]
        doc.table(["strategy", "complete", "failed", "pruned"], rows, caption="Trials per strategy")

    if not sel.found:
        _cost_section(doc, d, pol)
        _method_section(doc, a)
        return doc

    # ------------------------------------------------------------------ selected model
    doc.h2("Selected model")
    items = [
        ("Strategy", f"`{sel.strategy}`" + (f", trial {sel.trial}" if sel.trial is not None else "")),
        ("Run directory", f"`{d['selection']['run_dir']}`"),
        ("Base model", f"`{(d['model'].get('model') or {}).get('name')}`"),
    ]
    if sel.params:
        items.append(("Searched parameters", ", ".join(f"`{k} = {_short(v)}`" for k, v in sel.params.items())))
    if sel.trial is not None:
        items.append(("Selection", sel.reason + f" ({d['selection']['n_within_limits_on_val']} of {d['selection']['n_complete_trials']} complete trials within limits)"))
    doc.kv(items)
    tm = d["test_metrics"]
    dirs = _directions()
    rows, cls = [], []
    for m in _metric_order(a):
        e = tm[m]
        rows.append([f"`{m}`", "\u2191" if dirs.get(m) == "maximize" else "\u2193", fmt(sel.val.get(m)), fmt(e["value"]), fmt_ci(e["lower"], e["upper"])])
        cls.append("selected" if m == pol.performance else "")
    doc.table(["metric", "better", "validation", "test", f"test {conf:.0%} CI"], rows, cls,
              caption="Performance and fairness of the selected model (\u2191 higher is better, \u2193 lower is better)")  # fmt: skip
    c = d["consistency"]
    if c["ok"]:
        src = "`trials.csv`" if a.inputs.kind == "sweep" else "`metrics.json`"
        doc.box("note", f"Reconciled: the test metrics recomputed here from `predictions.parquet` equal those in {src} (largest difference {fmt(c['max_abs_difference'], 2) if c['max_abs_difference'] is not None and c['max_abs_difference'] >= 0.01 else '< 1e-9'}).")
    else:
        doc.box("warn", "The test metrics recomputed from `predictions.parquet` differ from the recorded ones for: " + ", ".join(f"`{m}`" for m in c["mismatched"]) + ".")

    # ------------------------------------------------------------------ rules
    doc.h2("Policy rules on test")
    rows, cls = [], []
    for r in d["rules"]:
        rows.append([f"`{r['rule']}`", fmt(r["value"]), fmt_ci(*r["ci"]), r["bound_used"], ("pass" if r["passed"] else "**FAIL**") + f": {r['explanation']}"])
        cls.append("pass" if r["passed"] else "fail")
    if rows:
        doc.table(["rule", "test value", f"{conf:.0%} CI", "checked on", "result"], rows, cls)
    else:
        doc.p("The policy has no rules.")
    doc.p("`fairexp-gate` applies exactly these checks and exits 1 if any fails.")

    # ------------------------------------------------------------------ significance
    sig = d["significance"]
    doc.h2("Is the selection-rate gap real?")
    doc.p(sig["sentence"])
    rows = [[g, fmt(n), fmt(s), fmt(r)] for g, n, s, r in zip(sig["groups"], sig["sizes"], sig["selected"], sig["selection_rates"])]
    cls = ["small" if n < pol.min_group_size else "" for n in sig["sizes"]]
    doc.table(["group", "n", "selected", "selection rate"], rows, cls, caption=f"Decisions by group ({', '.join(ds['sensitive'])}), test")
    stats = [
        ("Test", f"{sig['test']}: \u03c7\u00b2 = {fmt(sig['chi2'], 3)}, df = {sig['dof']}, {_p(sig['p_value'])}"),
    ]
    if sig.get("z") is not None:
        stats.append(("Two-proportion z-test", f"z = {fmt(sig['z'], 3)}, {_p(sig['z_p_value'])} (pooled, two-sided; \u03c7\u00b2 = z\u00b2)"))
    stats.append(("Effect size", f"{sig['effect_size_name']} = {fmt(abs(sig['effect_size']) if sig['effect_size'] == sig['effect_size'] else None, 3)} ({sig['effect_magnitude']})"))
    stats.append(("Significance level", f"{sig['alpha']:.3g} (= 1 \u2212 confidence)"))
    doc.kv(stats)
    if sig.get("note"):
        doc.box("warn", sig["note"])
    doc.box(
        "note",
        "Statistical significance says whether the gap could be chance at this sample size; practical significance "
        "is whether it is large enough to matter, which is what the policy's limit encodes. With much data a tiny gap "
        "is significant; with little data a large gap may not be.",
    )

    # ------------------------------------------------------------------ four fifths
    ff = d["four_fifths"]
    doc.h2("Disparate impact and the four-fifths rule")
    verdict = "passes" if ff["passed"] else "fails"
    lo, hi = ff["ci"]
    doc.box(
        "ok" if ff["passed"] else "fail",
        f"Disparate impact ratio (lowest group selection rate / highest) on test = **{fmt(ff['ratio'], 3)}** "
        f"({conf:.0%} CI {fmt_ci(lo, hi, 3)}): the four-fifths rule (\u2265 {ff['threshold']:g}) **{verdict}**"
        + (f"; the interval reaches below {ff['threshold']:g}, so the pass is not robust." if ff["passed"] and _finite(lo) and lo < ff["threshold"] else ".")
        + (f" The interval reaches above {ff['threshold']:g}, so the data cannot exclude a passing ratio." if not ff["passed"] and _finite(hi) and hi >= ff["threshold"] else ""),
    )

    # ------------------------------------------------------------------ groups
    doc.h2("Per-group and intersectional results")
    n_small = len(d.get("small_groups") or [])
    doc.p(
        f"Every combination of the sensitive column(s) ({', '.join(f'`{c}`' for c in ds['sensitive'])})"
        + (f" and the audit column(s) ({', '.join(f'`{c}`' for c in ds['audit'])})" if ds["audit"] else "")
        + f", on test. \u201cRatio to highest\u201d is the group's selection rate over the highest one among groups of at "
        f"least {pol.min_group_size} rows (the four-fifths comparison)."
    )
    if n_small:
        doc.box(
            "warn",
            f"{n_small} group(s) have fewer than {pol.min_group_size} test rows (greyed, marked \u26a0): their rates "
            "swing by chance and are shown for completeness, not to be read on their own.",
        )
    if "groups" in figures:
        doc.img(figures["groups"], "groups.png",
                f"Selection rate per group on test with {conf:.0%} Wilson intervals; grey hatched bars are small groups; "
                "the red dashed line is four fifths of the highest reliable rate.")  # fmt: skip
    for t in a.group_tables:
        frame = t["table"]
        rows = [[r["group"], *(fmt(r[c], 0 if c == "count" else 3) for _, c in GROUP_COLUMNS)] for _, r in frame.iterrows()]
        cls = ["small" if s else "" for s in frame["small"]]
        doc.h3(" \u00d7 ".join(t["columns"]) + f" ({t['role']})")
        doc.table(["group", *(h for h, _ in GROUP_COLUMNS)], rows, cls)

    doc.h3("Confusion matrices per group (counts, test)")
    rows, cls = [], []
    for cm in d["confusion"]:
        rows.append([cm["group"], fmt(cm["count"]), fmt(cm["tp"]), fmt(cm["fn"]), fmt(cm["fp"]), fmt(cm["tn"])])
        cls.append("small" if cm["small"] else "")
    doc.table(["group", "n", "TP (y=1, decided 1)", "FN (y=1, decided 0)", "FP (y=0, decided 1)", "TN (y=0, decided 0)"], rows, cls)

    # ------------------------------------------------------------------ counterfactual
    cf = d["counterfactual"]
    doc.h2("Counterfactual check")
    if cf.get("how") == "skipped":
        doc.box("note", "The counterfactual check was skipped (`--no-counterfactual`).")
    elif not cf["applies"]:
        doc.box("note", "**Does not apply.** " + cf["note"])
    else:
        rep = cf["reproducibility"]
        if rep["rebuilt_equals_recorded"]:
            doc.box("ok", f"**Reproducibility:** the model rebuilt from the run's `config.yaml` gives exactly the recorded test decisions ({fmt(rep['n_rows'])} of {fmt(rep['n_rows'])} rows).")
        else:
            doc.box("warn", f"**Reproducibility:** the rebuilt model's test decisions differ from `predictions.parquet` on {fmt(rep['n_differ'])} of {fmt(rep['n_rows'])} rows, so the counterfactual numbers describe the rebuilt model.")
        doc.p(cf["note"])
        rows = []
        for col in cf["columns"]:
            rows.append([f"`{col['column']}` (any other value)", "all", fmt(col["n"]), fmt(col["n_changed"]), fmt(col["share_changed"], 3), "", ""])
            for pr in col["pairs"]:
                rows.append([f"`{col['column']}`", f"{pr['from']} \u2192 {pr['to']}", fmt(pr["n"]), fmt(pr["n_changed"]), fmt(pr["share_changed"], 3), fmt(pr["to_positive"]), fmt(pr["to_negative"])])
        doc.table(["attribute", "swap", "rows", "decisions changed", "share changed", "0 \u2192 1", "1 \u2192 0"], rows)
        if cf.get("any_changed"):
            doc.p("A decision that changes when only the sensitive value changes is direct (disparate) treatment; whether that is acceptable is a legal and policy question, not a statistical one.")
        else:
            doc.p("No decision changes when only the sensitive value changes.")

    _cost_section(doc, d, pol)
    _method_section(doc, a)
    return doc


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _p(p: Any) -> str:
    from fairexp.report._stats import format_p

    return format_p(p)


def _short(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _cost_section(doc: Doc, d: dict[str, Any], pol: Any) -> None:
    cost = d.get("cost_of_fairness")
    if cost is None:
        return
    doc.h2("Cost of fairness")
    if cost["baseline"] is None:
        doc.p(cost["note"][0].upper() + cost["note"][1:] + ".")
        return
    b = cost["baseline"]
    doc.p(
        f"Baseline: `none` trial {b['trial']} (its best validation {pol.performance}). Each strategy's point is its best "
        f"validation {pol.performance} within the policy's limits; differences are on test. \u201cErrors per 10,000\u201d "
        "is the accuracy difference times 10,000 decisions."
    )
    rows = [["none (baseline)", fmt(b["trial"]), fmt(b["test_accuracy"]), "", fmt(b["test_disparity"]), ""]]
    cls = [""]
    for r in cost["rows"]:
        if not r["found"]:
            rows.append([r["strategy"], "\u2014", "\u2014", "\u2014", "\u2014", "no trial within limits"])
            cls.append("")
            continue
        rows.append([r["strategy"], fmt(r["trial"]), fmt(r["test_accuracy"]), f"{r['extra_errors_per_10000']:+.0f}" if _finite(r["extra_errors_per_10000"]) else "n/a", fmt(r["test_disparity"]), f"{r['disparity_change']:+.4f}" if _finite(r["disparity_change"]) else "n/a"])
        cls.append("selected" if r["strategy"] == d["selection"].get("strategy") and r["trial"] == d["selection"].get("trial") else "")
    doc.table(["strategy", "trial", "test accuracy", "extra errors per 10,000", f"test {pol.disparity}", "change vs baseline"], rows, cls)
    for r in cost["rows"]:
        doc.p("\u2022 " + r["sentence"])


def _method_section(doc: Doc, a: Analysis) -> None:
    pol = a.policy
    doc.h2("How these numbers were made")
    doc.p(
        "**Selection on validation, reporting on test.** Candidates are COMPLETE trials whose validation metrics meet every "
        "rule; the selection rule never sees a test column. `best_within_limits` takes the best validation performance; "
        "`knee` the point of the candidates' validation frontier farthest from the chord between its ends (both axes "
        "min-max normalised); `weighted` the best alpha \u00d7 performance \u2212 (1 \u2212 alpha) \u00d7 disparity "
        f"(disparity = the first fairness rule's metric, here `{pol.disparity}`, as 1 \u2212 value for ratios). Ties go to the lower disparity."
    )
    doc.p(
        f"**Intervals** are {pol.confidence:.0%} percentile bootstrap intervals: {pol.n_bootstrap:,} resamples of the test "
        "rows with replacement (seeded), every metric recomputed per resample with the formulas of `fairexp.metrics.evaluate`. "
        "A resample in which a metric is undefined (a group without positives) is left out of that metric's interval."
    )
    doc.p(
        "**Significance:** chi-squared test of independence between group and decision (no continuity correction) and, "
        "for two groups, the pooled two-proportion z-test; effect sizes Cohen's h (two groups; 0.2 small, 0.5 medium, "
        "0.8 large) and Cram\u00e9r's V (more groups; 0.1, 0.3, 0.5)."
    )


def write_report(analysis: Analysis, out: str | Path) -> dict[str, Path]:
    """Render and write every report file atomically; return their paths."""
    from fairexp.outputs import atomic_write, write_json, write_text
    from fairexp.report._card import model_card
    from fairexp.report._figures import groups_png, tradeoff_png

    out = Path(out)
    figures: dict[str, bytes] = {}
    if analysis.inputs.kind == "sweep" and (analysis.inputs.trials["state"].astype(str) == "COMPLETE").any():
        figures["tradeoff"] = tradeoff_png(analysis.inputs.trials, analysis.policy, analysis.selection)
    if analysis.group_tables:
        singles = [t for t in analysis.group_tables if len(t["columns"]) == 1]
        figures["groups"] = groups_png([{"column": t["columns"][0], "table": t["table"]} for t in singles], analysis.policy.confidence)
    doc = build_doc(analysis, figures)
    title = doc.blocks[0].text.replace("`", "") if doc.blocks else "fairexp report"
    footer = "Generated by `fairexp-report`. Self-contained: figures are embedded, no network needed."
    paths: dict[str, Path] = {}
    for name, png in figures.items():
        paths[name] = atomic_write(out / f"{name}.png", lambda p, png=png: p.write_bytes(png))
    paths["html"] = write_text(out / "report.html", to_html(doc, title, footer))
    paths["md"] = write_text(out / "report.md", to_markdown(doc))
    paths["card"] = write_text(out / "model_card.md", model_card(analysis))
    paths["selection"] = write_json(out / "selection.json", analysis.data)
    return paths
