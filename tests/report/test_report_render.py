"""The report files: self-contained HTML, Markdown with its PNGs, strict JSON; infeasible and single-run cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from report_checks import PNG_SIGNATURE, assert_self_contained, check_png_data_uris

from fairexp.report import analyse, parse_policy, read_inputs, write_report


def _strict_json(path: Path) -> dict:
    def reject(name):
        raise AssertionError(f"non-standard JSON constant {name} in {path.name}")

    return json.loads(path.read_text(), parse_constant=reject)


def test_all_files_written(sweep_report) -> None:
    names = {p.name for p in sweep_report.out.iterdir()}
    assert {"report.html", "report.md", "model_card.md", "selection.json", "tradeoff.png", "groups.png"} <= names
    assert not any(n.endswith(".tmp") for n in names)


def test_html_is_self_contained_with_embedded_pngs(sweep_report) -> None:
    html = sweep_report.paths["html"].read_text()
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert_self_contained(html)
    assert check_png_data_uris(html) == 2  # trade-off + groups


def test_html_content(sweep_report) -> None:
    a = sweep_report.analysis
    html = sweep_report.paths["html"].read_text()
    for heading in ("Summary", "Trade-off curves", "Selected model", "Policy rules on test", "Is the selection-rate gap real?",
                    "Disparate impact and the four-fifths rule", "Per-group and intersectional results",
                    "Counterfactual check", "Cost of fairness"):  # fmt: skip
        assert f">{heading}</h2>" in html, heading
    assert "default policy" in html
    assert f"<strong>{a.selection.strategy}</strong>" in html
    acc = a.data["test_metrics"]["accuracy"]
    assert f"{acc['value']:.4f}" in html and f"[{acc['lower']:.4f}, {acc['upper']:.4f}]" in html
    assert 'class="small"' in html  # small groups are greyed
    assert a.data["significance"]["sentence"].split("(")[0].strip() in html


def test_markdown_references_png_files_beside_it(sweep_report) -> None:
    md = sweep_report.paths["md"].read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert sorted(images) == ["groups.png", "tradeoff.png"]
    for name in images:
        assert (sweep_report.out / name).read_bytes().startswith(PNG_SIGNATURE)
    assert "| metric | better | validation | test | test 95% CI |" in md
    assert "\u26a0 small" in md
    assert "data:image" not in md


def test_selection_json_is_strict_and_complete(sweep_report) -> None:
    data = _strict_json(sweep_report.paths["selection"])
    for key in ("policy", "selection", "test_metrics", "rules", "significance", "groups", "confusion",
                "counterfactual", "cost_of_fairness", "four_fifths", "dataset", "model"):  # fmt: skip
        assert key in data, key
    assert data["policy_is_default"] is True


def test_report_renders_when_nothing_meets_the_limits(german_sweep: Path, tmp_path: Path) -> None:
    pol = parse_policy({"rules": [{"metric": "demographic_parity_difference", "max": -1.0}]}, source="strict.yaml")
    paths = write_report(analyse(read_inputs(german_sweep), pol), tmp_path)
    html = paths["html"].read_text()
    assert "No operating point meets the policy on validation" in html
    assert_self_contained(html)
    assert check_png_data_uris(html) == 1  # the trade-off curves still show
    assert _strict_json(paths["selection"])["selection"]["found"] is False
    assert "No operating point meets the policy on validation" in paths["md"].read_text()
    assert "# Model card" in paths["card"].read_text()


def test_single_run_report(ks_report) -> None:
    html = ks_report.paths["html"].read_text()
    assert "single run has no trade-off curve" in html
    assert "tradeoff" not in ks_report.paths
    assert check_png_data_uris(html) == 1
    assert "Reproducibility:" in html and "model input" in html
    data = _strict_json(ks_report.paths["selection"])
    assert data["selection"]["run_dir"] == str(ks_report.analysis.inputs.path)
    assert data["cost_of_fairness"]["baseline"] is None


@pytest.mark.parametrize("text", ["a `code` and **bold** <b>x</b> & y"])
def test_inline_markup_is_escaped(text: str) -> None:
    from fairexp.report._doc import inline

    assert inline(text) == "a <code>code</code> and <strong>bold</strong> &lt;b&gt;x&lt;/b&gt; &amp; y"
