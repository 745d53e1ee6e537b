"""The HTML report opens in a real headless browser (Debian's chromium) and renders something readable."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from report_checks import assert_self_contained, check_png_data_uris

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def screenshot(html: Path, png: Path, profile: Path, size: str = "1280,4000") -> subprocess.CompletedProcess:
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={size}", html.resolve().as_uri(),
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); the headless render check needs it")
def test_report_renders_in_headless_chromium(sweep_report, tmp_path: Path) -> None:
    html_path = sweep_report.paths["html"]
    html = html_path.read_text()
    assert_self_contained(html)
    assert check_png_data_uris(html) == 2
    png = tmp_path / "report.png"
    proc = screenshot(html_path, png, tmp_path / "profile")
    assert png.is_file(), f"no screenshot (exit {proc.returncode}):\n{proc.stderr[-2000:]}"
    shutil.copy(png, sweep_report.out / "screenshot.png")  # kept beside the report for a human look
    with Image.open(png) as im:
        assert im.size == (1280, 4000)
        pixels = np.asarray(im.convert("RGB"), dtype=np.int16)
    assert pixels.std() > 20, "the screenshot is (nearly) uniform: a blank page"
    non_white = (pixels < 245).any(axis=2).mean()
    assert non_white > 0.05, f"only {non_white:.1%} of the page is not white"
    colours = np.unique(pixels.reshape(-1, 3)[::7], axis=0)
    assert len(colours) > 50, f"only {len(colours)} distinct colours: the figures did not render"
    # the embedded figures are drawn: the matplotlib blue of the Pareto lines shows up
    blue = (np.abs(pixels - np.array([31, 119, 180])).sum(axis=2) < 30).sum()
    assert blue > 500
