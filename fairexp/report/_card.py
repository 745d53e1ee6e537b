"""A model card (Mitchell et al. 2019, "Model Cards for Model Reporting") filled from the run.

What the run knows (dataset, source, sizes, strategy, parameters, metrics with intervals,
groups) is filled in; what only a person can say (intended use, out-of-scope uses, ethical
considerations...) is left as a clearly marked ``TO BE COMPLETED BY A HUMAN`` block.
"""

from __future__ import annotations

from typing import Any

from fairexp.report._doc import fmt, fmt_ci

SECTIONS = (
    "Model details",
    "Intended use",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Quantitative analyses",
    "Ethical considerations",
    "Caveats and recommendations",
)
HUMAN = "> **TO BE COMPLETED BY A HUMAN:**"


def _human(what: str) -> str:
    return f"{HUMAN} {what}\n"


def model_card(analysis: Any) -> str:
    d, pol, sel = analysis.data, analysis.policy, analysis.selection
    ds = d.get("dataset") or {}
    model = d.get("model") or {}
    conf = pol.confidence
    out: list[str] = []
    add = out.append
    title = f"{sel.strategy} on {ds.get('name', '?')}" if sel.found else "no selected model"
    add(f"# Model card: {title}\n")
    add(
        "Structure after Mitchell et al. (2019), *Model Cards for Model Reporting*. Filled in by `fairexp-report` "
        "from the run directory; blocks marked **TO BE COMPLETED BY A HUMAN** need a person who knows the deployment.\n"
    )
    if not sel.found:
        add(f"> **No operating point was selected:** {sel.reason}. The card below is incomplete.\n")

    add(f"## {SECTIONS[0]}\n")
    mcfg = model.get("model") or {}
    mit = model.get("mitigation") or {}
    sizes = ds.get("sizes") or {}
    rows = [
        ("Model type", f"binary classifier: base model `{mcfg.get('name', '?')}` with fairness mitigation `{mit.get('name', sel.strategy)}` ({model.get('estimator_class', '?')})"),
        ("Base model settings", ", ".join(f"`{k}={v}`" for k, v in mcfg.items() if k != "name") or "n/a"),
        ("Mitigation settings", ", ".join(f"`{k}={v}`" for k, v in mit.items() if k != "name") or "n/a"),
        ("Searched parameters of this point", ", ".join(f"`{k}={v}`" for k, v in sel.params.items()) or "n/a (single run)"),
        ("Selection", f"{sel.method}: {sel.reason}"),
        ("Run directory", f"`{d['selection'].get('run_dir')}`"),
        ("Seed", str(ds.get("seed"))),
        ("Software", f"fairexp {d.get('fairexp_version')}; git commit `{(model.get('provenance') or {}).get('git_commit')}`"),
        ("Card generated", d.get("generated", "")),
    ]
    add("| field | value |\n|---|---|")
    for k, v in rows:
        add(f"| {k} | {str(v).replace('|', '/')} |")
    add("")
    add(_human("who developed the model, the date and version it is released under, licence, and a contact for questions."))

    add(f"## {SECTIONS[1]}\n")
    add(f"The model predicts **{ds.get('positive_label', 'the positive label')}** (y = 1) for the `{ds.get('name', '?')}` population.\n")
    add(_human("primary intended uses and users, the decision the prediction informs (and whether a human reviews it), and out-of-scope uses."))

    add(f"## {SECTIONS[2]}\n")
    add(f"- Sensitive feature(s) mitigated on: {', '.join(f'`{c}`' for c in ds.get('sensitive', [])) or 'n/a'}"
        + (" (also a model input: `dataset.keep_sensitive: true`)" if ds.get("keep_sensitive") else " (not a model input)"))  # fmt: skip
    add(f"- Audit columns (reported per group, not mitigated on): {', '.join(f'`{c}`' for c in ds.get('audit', [])) or 'none'}")
    add("- Intersections of all of these are reported in the fairness review (`report.html`).")
    add(f"- Groups with fewer than {pol.min_group_size} test rows are flagged as too small to read on their own.\n")
    add(_human("other relevant factors (instrumentation, environment, groups not recorded in the data) and why these groups were chosen."))

    add(f"## {SECTIONS[3]}\n")
    add(f"- Performance: `{pol.performance}`.")
    add("- Fairness limits (the policy, checked on test by `fairexp-gate`): " + ("; ".join(f"`{r.describe()}`" for r in pol.rules) or "none") + ".")
    add(f"- Uncertainty: {conf:.0%} percentile bootstrap intervals over test rows ({pol.n_bootstrap:,} resamples, seed {pol.seed}).")
    add("- Disparity significance: chi-squared test of independence (and the two-proportion z-test for two groups), with Cohen's h / Cramér's V.\n")
    add(_human("why these metrics and limits fit the decision (e.g. why demographic parity rather than equalized odds), and the cost of each error type."))

    add(f"## {SECTIONS[4]}\n")
    add(f"- Dataset: `{ds.get('name', '?')}`; source: {ds.get('source', 'n/a')}")
    add(f"- Data file sha256: `{ds.get('data_sha256', 'n/a')}`")
    add(f"- Test split: {fmt(sizes.get('test'))} rows (validation: {fmt(sizes.get('val'))} rows, used for selection only)")
    split = ds.get("split") or {}
    add(f"- Split: seeded, stratified on label \u00d7 sensitive group (val_size {split.get('val_size')}, test_size {split.get('test_size')})"
        + (f"; seeded subsample of {ds.get('sample')} rows" if ds.get("sample") else "") + "\n")  # fmt: skip
    add(_human("whether the test data represents the population the model will be used on (time period, region, collection process)."))

    add(f"## {SECTIONS[5]}\n")
    add(f"- Training split: {fmt(sizes.get('train'))} rows of the same dataset; preprocessing (imputation, scaling, one-hot) fit on train only.")
    add(f"- Model inputs: {fmt(ds.get('n_features_in'))} features after preprocessing.\n")
    add(_human("known biases in how the training labels were produced (historical decisions, measurement), and data licences/consent."))

    add(f"## {SECTIONS[6]}\n")
    tm = d.get("test_metrics") or {}
    if tm:
        add(f"Test split, point estimates with {conf:.0%} bootstrap intervals:\n")
        add("| metric | validation | test | CI |\n|---|---|---|---|")
        from fairexp.report._analysis import HEADLINE

        for m in dict.fromkeys([pol.performance, *(r.metric for r in pol.rules), *HEADLINE]):
            if m in tm:
                e = tm[m]
                add(f"| `{m}` | {fmt(sel.val.get(m))} | {fmt(e['value'])} | {fmt_ci(e['lower'], e['upper'])} |")
        add("")
        rules = d.get("rules") or []
        if rules:
            add("Policy rules on test: " + "; ".join(f"`{r['rule']}` {'pass' if r['passed'] else 'FAIL'}" for r in rules) + ".\n")
        sig = d.get("significance")
        if sig:
            add(sig["sentence"] + "\n")
        groups = next((g for g in d.get("groups", []) if g["role"].startswith("sensitive (")), None)
        if groups:
            add("Per group (test):\n")
            add("| group | n | selection rate | TPR | FPR | accuracy |\n|---|---|---|---|---|---|")
            for r in groups["rows"]:
                flag = " \u26a0 small" if r["small"] else ""
                add(f"| {r['group']}{flag} | {fmt(int(r['count']))} | {fmt(r['selection_rate'], 3)} | {fmt(r['true_positive_rate'], 3)} | {fmt(r['false_positive_rate'], 3)} | {fmt(r['accuracy'], 3)} |")
            add("")
        add("Intersectional results, confusion matrices, the counterfactual check and the cost of fairness are in `report.html` / `report.md`.\n")
    else:
        add("No test evaluation: no operating point was selected.\n")

    add(f"## {SECTIONS[7]}\n")
    cf = d.get("counterfactual") or {}
    if cf.get("applies"):
        share = max((c["share_changed"] for c in cf.get("columns", [])), default=0.0)
        add(f"- Counterfactual check: swapping only the sensitive value changes {fmt(share, 3)} of test decisions ({cf.get('how')}).")
    elif cf:
        add("- Counterfactual check: does not apply (the sensitive attribute is not a model input); proxies may still carry it.")
    add("- Fairness here is statistical parity between recorded groups; it does not establish individual fairness or the absence of harm.\n")
    add(_human("risks and harms to the people affected, mitigations beyond the model (appeal, human review), and who was consulted."))

    add(f"## {SECTIONS[8]}\n")
    small = d.get("small_groups") or []
    if small:
        add(f"- {len(small)} group(s) have fewer than {pol.min_group_size} test rows; their numbers are not reliable: "
            + ", ".join(f"{g['group']} (n={g['count']})" for g in small[:12]) + (f" and {len(small) - 12} more" if len(small) > 12 else "") + ".")  # fmt: skip
    ff = d.get("four_fifths")
    if ff:
        add(f"- Four-fifths rule on test: disparate impact ratio {fmt(ff['ratio'], 3)} ({'passes' if ff['passed'] else 'fails'}).")
    add("- Metrics were measured once on one test split; re-evaluate after any change in the population or the decision threshold.\n")
    add(_human("recommendations for deployment and monitoring (which metrics, how often, who acts on a breach)."))
    return "\n".join(out).rstrip() + "\n"
