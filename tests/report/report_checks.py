"""Shared checks of the rendered HTML (imported by the render and browser tests)."""

from __future__ import annotations

import base64
import io
import re

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", re.I)


def check_png_data_uris(html: str) -> int:
    """Every <img> is a data: URI holding a valid PNG; returns how many."""
    srcs = IMG_SRC.findall(html)
    assert len(srcs) == len(re.findall(r"<img\b", html, re.I))
    for src in srcs:
        assert src.startswith("data:image/png;base64,"), src[:60]
        raw = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert raw.startswith(PNG_SIGNATURE)
        Image.open(io.BytesIO(raw)).verify()
        with Image.open(io.BytesIO(raw)) as im:
            assert im.format == "PNG" and im.size[0] > 300 and im.size[1] > 200
    return len(srcs)


def assert_self_contained(html: str) -> None:
    """No script, stylesheet link, frame or remote URL: the page renders offline."""
    lowered = html.lower()
    for needle in ("<script", "<link", "@import", "src=\"http", "src='http", "url(http", "<iframe"):
        assert needle not in lowered, needle
    for src in re.findall(r"\bsrc=\"([^\"]*)\"", html):
        assert src.startswith("data:"), src[:60]
