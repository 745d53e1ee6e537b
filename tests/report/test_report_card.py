"""The model card: Mitchell et al.'s nine sections, filled from the run, with the human-only fields marked."""

from __future__ import annotations

import re

from fairexp.report._card import HUMAN, SECTIONS

NINE = [
    "Model details",
    "Intended use",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Quantitative analyses",
    "Ethical considerations",
    "Caveats and recommendations",
]


def test_nine_sections_in_order(sweep_report) -> None:
    card = sweep_report.paths["card"].read_text()
    assert list(SECTIONS) == NINE
    headings = re.findall(r"^## (.+)$", card, re.M)
    assert headings == NINE


def test_human_markers(sweep_report) -> None:
    card = sweep_report.paths["card"].read_text()
    assert HUMAN == "> **TO BE COMPLETED BY A HUMAN:**"
    assert card.count(HUMAN) >= 6
    for section in ("Model details", "Intended use", "Ethical considerations", "Caveats and recommendations"):
        body = card.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
        assert HUMAN in body, section


def test_filled_from_the_run(sweep_report) -> None:
    a = sweep_report.analysis
    card = sweep_report.paths["card"].read_text()
    ds = a.data["dataset"]
    assert ds["name"] == "german" and "`german`" in card
    assert "German Credit" in card  # the source
    assert f"Test split: {ds['sizes']['test']:,} rows" in card
    assert f"`{a.selection.strategy}`" in card
    acc = a.data["test_metrics"]["accuracy"]
    assert f"| `accuracy` | {a.selection.val['accuracy']:.4f} | {acc['value']:.4f} | [{acc['lower']:.4f}, {acc['upper']:.4f}] |" in card
    assert "`sex`" in card and "`age_group`" in card and "`foreign_worker`" in card
