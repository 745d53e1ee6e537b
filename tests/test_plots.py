"""Trade-off figures: files written atomically, the right points drawn, lazy imports."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pathlib import Path

from fairexp.plots import tradeoff_figure, tradeoff_html, write_tradeoff

X, Y = "demographic_parity_difference", "accuracy"
NAN = math.nan
# A value no completed trial uses: if it shows up in a figure, a skipped trial leaked in.
LEAK = 0.987


def _trials() -> pd.DataFrame:
    rows = [
        # strategy, trial, state, is_pareto, C, constraint, val dp, val acc, test dp, test acc
        ("none", 0, "COMPLETE", True, 1.0, None, 0.20, 0.85, 0.22, 0.84),
        # Pareto rows deliberately out of x order.
        ("reweighing", 1, "COMPLETE", True, 0.1, None, 0.12, 0.83, 0.14, 0.82),
        ("reweighing", 2, "COMPLETE", False, 0.5, None, 0.15, 0.80, 0.16, 0.79),
        ("reweighing", 3, "COMPLETE", True, 1.0, None, 0.05, 0.79, 0.07, 0.78),
        ("reweighing", 4, "COMPLETE", True, 2.0, None, 0.18, 0.84, 0.19, 0.83),
        ("threshold", 5, "COMPLETE", True, None, "demographic_parity", 0.02, 0.76, 0.04, 0.75),
        ("threshold", 6, "FAIL", False, None, "equalized_odds", NAN, NAN, NAN, NAN),
        ("threshold", 7, "COMPLETE", False, None, "demographic_parity", 0.09, 0.74, 0.10, 0.73),
        ("threshold", 8, "COMPLETE", True, None, "equalized_odds", 0.08, 0.81, NAN, NAN),
        # Pruned with finite metrics and a stale is_pareto flag: must still be skipped.
        ("threshold", 9, "PRUNED", True, None, "equalized_odds", LEAK, LEAK, LEAK, LEAK),
    ]
    cols = ["strategy", "trial", "state", "is_pareto", "params.C", "params.constraint",
            f"val.{X}", f"val.{Y}", f"test.{X}", f"test.{Y}"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def _completed_pareto(df: pd.DataFrame, strategy: str) -> pd.DataFrame:
    sel = (df.strategy == strategy) & (df.state == "COMPLETE") & df.is_pareto
    return df[sel].sort_values(f"val.{X}")


def _by_gid(fig, gid):
    ax = fig.axes[0]
    return [a for a in [*ax.lines, *ax.collections] if a.get_gid() == gid]


def _legend_texts(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def _all_plotted_points(fig):
    ax = fig.axes[0]
    pts = [np.column_stack(line.get_data()) for line in ax.lines]
    pts += [np.asarray(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")]
    pts += [np.concatenate(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments")
            and c.get_segments()]  # fmt: skip
    return np.concatenate([p.reshape(-1, 2).astype(float) for p in pts if np.size(p)])


@pytest.fixture()
def written(tmp_path):
    return write_tradeoff(_trials(), tmp_path / "figs", x_metric=X, y_metric=Y), tmp_path / "figs"


def test_write_tradeoff_writes_three_nonempty_files_and_nothing_else(written):
    paths, out = written
    assert set(paths) == {"png", "svg", "html"}
    assert {p.name for p in paths.values()} == {"tradeoff.png", "tradeoff.svg", "tradeoff.html"}
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths.values())
    names = sorted(p.name for p in out.iterdir())
    assert names == ["tradeoff.html", "tradeoff.png", "tradeoff.svg"]


def test_png_is_a_real_nonblank_image_of_the_expected_size(written):
    import matplotlib.image as mpimg

    img = mpimg.imread(written[0]["png"])
    assert img.shape[:2] == (825, 1200)  # 8 x 5.5 in at 150 dpi
    assert img[..., :3].var() > 0
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 10


def test_svg_keeps_axis_labels_as_text(written):
    svg = written[0]["svg"].read_text()
    assert svg.lstrip().startswith("<?xml")
    assert f"{X} (validation)" in svg
    assert f"{Y} (validation)" in svg


def test_html_is_self_contained_plotly_with_strategies_and_hover(written):
    page = written[0]["html"].read_text()
    assert "plotly" in page.lower()
    assert '<script src="https://cdn.plot.ly' not in page
    assert len(page) > 1_000_000  # plotly.js inlined for offline review
    for name in ("none", "reweighing", "threshold", "baseline (none)"):
        assert name in page
    assert "constraint = equalized_odds" in page  # params in hover
    assert "val.accuracy = 0.83" in page  # metrics in hover
    assert str(LEAK) not in page


def test_one_pareto_line_per_strategy_with_sorted_pareto_points():
    df = _trials()
    fig = tradeoff_figure(df, x_metric=X, y_metric=Y)
    for name in ("none", "reweighing", "threshold"):
        lines = _by_gid(fig, f"pareto:{name}")
        assert len(lines) == 1
        expected = _completed_pareto(df, name)
        np.testing.assert_allclose(lines[0].get_xdata(), expected[f"val.{X}"])
        np.testing.assert_allclose(lines[0].get_ydata(), expected[f"val.{Y}"])
        assert np.all(np.diff(lines[0].get_xdata()) >= 0)
    reweighing = _by_gid(fig, "pareto:reweighing")[0].get_xdata()
    assert list(reweighing) == [0.05, 0.12, 0.18]
    # Distinct colours per strategy.
    names = ("none", "reweighing", "threshold")
    colours = {str(_by_gid(fig, f"pareto:{n}")[0].get_color()) for n in names}
    assert len(colours) == 3


def test_failed_and_pruned_trials_are_not_plotted():
    df = _trials()
    fig = tradeoff_figure(df, x_metric=X, y_metric=Y)
    points = _all_plotted_points(fig)
    assert np.all(np.isfinite(points))
    assert not np.any(np.isclose(points, LEAK))
    (dots,) = _by_gid(fig, "trials:threshold")
    assert len(dots.get_offsets()) == 3  # trials 5, 7, 8


def test_baseline_marked_with_star_and_labelled():
    fig = tradeoff_figure(_trials(), x_metric=X, y_metric=Y)
    (base,) = _by_gid(fig, "baseline")
    np.testing.assert_allclose(base.get_offsets(), [[0.20, 0.85]])
    assert "baseline (none)" in _legend_texts(fig)
    assert not _by_gid(fig, "trials:none")  # drawn as a star, not a faint dot
    # No baseline requested: "none" is an ordinary strategy.
    plain = tradeoff_figure(_trials(), x_metric=X, y_metric=Y, baseline_strategy=None)
    assert not _by_gid(plain, "baseline") and _by_gid(plain, "trials:none")


def test_test_overlay_uses_same_pareto_points():
    df = _trials()
    fig = tradeoff_figure(df, x_metric=X, y_metric=Y)
    assert "test (same points)" in _legend_texts(fig)
    (hollow,) = _by_gid(fig, "test:threshold")
    # Trial 8 has no test metrics, so only trial 5 gets a test marker.
    np.testing.assert_allclose(hollow.get_offsets(), [[0.04, 0.75]])
    (links,) = _by_gid(fig, "test-link:reweighing")
    assert len(links.get_segments()) == 3
    assert links.get_linestyle() != [(0, None)]  # dotted, not solid
    off = tradeoff_figure(df, x_metric=X, y_metric=Y, show_test=False)
    assert "test (same points)" not in _legend_texts(off)
    assert not _by_gid(off, "test:reweighing")


def test_test_split_labels_axes_as_test():
    df = _trials()
    fig = tradeoff_figure(df, x_metric=X, y_metric=Y, split="test")
    ax = fig.axes[0]
    assert ax.get_xlabel() == f"{X} (test)"
    assert ax.get_ylabel() == f"{Y} (test)"
    (line,) = _by_gid(fig, "pareto:reweighing")
    np.testing.assert_allclose(line.get_xdata(), [0.07, 0.14, 0.19])
    assert "test (same points)" not in _legend_texts(fig)


def test_limit_and_selected_are_drawn():
    fig = tradeoff_figure(
        _trials(), x_metric=X, y_metric=Y,
        limit={"metric": X, "max": 0.1},
        selected={"strategy": "reweighing", "x": 0.05, "y": 0.79},
    )  # fmt: skip
    (limit,) = _by_gid(fig, "limit")
    assert list(limit.get_xdata()) == [0.1, 0.1] and limit.get_linestyle() == "--"
    assert any(t.startswith("limit: demographic_parity_difference") for t in _legend_texts(fig))
    (ring,) = _by_gid(fig, "selected")
    np.testing.assert_allclose(ring.get_offsets(), [[0.05, 0.79]])
    assert any("selected: reweighing" in t.get_text() for t in fig.axes[0].texts)
    horiz = tradeoff_figure(_trials(), x_metric=X, y_metric=Y, limit={"metric": Y, "min": 0.75})
    (hline,) = _by_gid(horiz, "limit")
    assert list(hline.get_ydata()) == [0.75, 0.75]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"x_metric": "equal_opportunity_difference", "y_metric": Y},  # missing column
        {"x_metric": X, "y_metric": Y, "split": "train"},
        {"x_metric": X, "y_metric": Y, "limit": {"metric": "roc_auc", "max": 0.1}},
        {"x_metric": X, "y_metric": Y, "limit": {"metric": X}},
    ],
)
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        tradeoff_figure(_trials(), **kwargs)


def test_html_options_render():
    page = tradeoff_html(
        _trials(), x_metric=X, y_metric=Y, limit={"metric": X, "max": 0.1},
        selected={"strategy": "threshold", "x": 0.02, "y": 0.76},
    )  # fmt: skip
    assert "limit: demographic_parity_difference" in page
    assert "selected (threshold)" in page
    assert "reweighing test (same points)" in page


def test_failed_write_leaves_no_partial_or_temp_file(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    def boom(self, target, **kwargs):
        Path(target).write_bytes(b"half a png")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Figure, "savefig", boom)
    out = tmp_path / "figs"
    with pytest.raises(RuntimeError, match="disk full"):
        write_tradeoff(_trials(), out, x_metric=X, y_metric=Y)
    assert list(out.iterdir()) == []

    # An earlier good file survives a failed rewrite untouched.
    (out / "tradeoff.png").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        write_tradeoff(_trials(), out, x_metric=X, y_metric=Y)
    assert [p.name for p in out.iterdir()] == ["tradeoff.png"]
    assert (out / "tradeoff.png").read_bytes() == b"old"


def test_importing_plots_does_not_import_matplotlib_or_plotly():
    code = (
        "import sys, fairexp.plots; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'plotly')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
