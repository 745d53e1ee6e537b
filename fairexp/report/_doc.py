"""A tiny document model rendered to both self-contained HTML and Markdown.

The report is built once as a list of blocks, so the HTML page and the Markdown file for
pull requests always say the same thing. Inline text may use ``**bold**`` and
```code``` (the only markup), which both renderers understand.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass, field
from typing import Any


def fmt(v: Any, digits: int = 4) -> str:
    """A number for a table cell; ``n/a`` for undefined."""
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"):
        return f"{int(v):,}"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(f):
        return "n/a"
    return f"{f:,.{digits}f}"


def fmt_ci(lo: Any, hi: Any, digits: int = 4) -> str:
    if fmt(lo) == "n/a" or fmt(hi) == "n/a":
        return "n/a"
    return f"[{fmt(lo, digits)}, {fmt(hi, digits)}]"


@dataclass
class Block:
    kind: str  # h1 h2 h3 p note warn ok fail table img kv pre
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_class: list[str] = field(default_factory=list)  # "" | "small" | "fail" | "pass" | "selected"
    image: bytes = b""
    name: str = ""  # image file name for Markdown
    caption: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)


class Doc:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def h1(self, t: str) -> None:
        self.blocks.append(Block("h1", t))

    def h2(self, t: str) -> None:
        self.blocks.append(Block("h2", t))

    def h3(self, t: str) -> None:
        self.blocks.append(Block("h3", t))

    def p(self, t: str) -> None:
        self.blocks.append(Block("p", t))

    def box(self, kind: str, t: str) -> None:
        """``note`` (grey), ``warn`` (amber), ``ok`` (green), ``fail`` (red)."""
        self.blocks.append(Block(kind, t))

    def table(self, headers: list[str], rows: list[list[str]], row_class: list[str] | None = None, caption: str = "") -> None:
        self.blocks.append(Block("table", headers=headers, rows=rows, row_class=row_class or [""] * len(rows), caption=caption))

    def img(self, png: bytes, name: str, caption: str) -> None:
        self.blocks.append(Block("img", image=png, name=name, caption=caption))

    def kv(self, items: list[tuple[str, str]]) -> None:
        self.blocks.append(Block("kv", items=items))

    def pre(self, t: str) -> None:
        self.blocks.append(Block("pre", t))


# ---------------------------------------------------------------------------- Markdown

_MD_BOX = {"note": "Note", "warn": "\u26a0 Warning", "ok": "\u2705 Pass", "fail": "\u274c Fail"}


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(doc: Doc) -> str:
    out: list[str] = []
    for b in doc.blocks:
        if b.kind in ("h1", "h2", "h3"):
            out += ["#" * int(b.kind[1]) + " " + b.text, ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind in _MD_BOX:
            out += [f"> **{_MD_BOX[b.kind]}:** {b.text}", ""]
        elif b.kind == "kv":
            out += [f"- **{k}**: {v}" for k, v in b.items] + [""]
        elif b.kind == "pre":
            out += ["```", b.text, "```", ""]
        elif b.kind == "img":
            out += [f"![{b.name.rsplit('.', 1)[0]}]({b.name})", "", f"*{b.caption}*", ""]
        elif b.kind == "table":
            if b.caption:
                out += [f"*{b.caption}*", ""]
            out.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
            out.append("|" + "|".join("---" for _ in b.headers) + "|")
            for row, cls in zip(b.rows, b.row_class):
                cells = [_md_cell(c) for c in row]
                if cls == "small":
                    cells = [f"{cells[0]} \u26a0 small"] + [f"_{c}_" if c not in ("", "n/a") else c for c in cells[1:]]
                elif cls == "selected":
                    cells = [f"**{c}**" if c else c for c in cells]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------- HTML

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
#: cells right-aligned as numbers: 0.123, -4, +137, 1,234, n/a, [0.1, 0.2], em dash
_NUMERIC = re.compile(r"^(?:[+\-\u2212]?[\d,]*\.?\d+%?|n/a|\u2014|\[[^\]]*\])$")


def inline(text: str) -> str:
    """Escape, then render ``**bold**`` and ```code```."""
    s = html.escape(str(text), quote=False)
    s = _CODE.sub(r"<code>\1</code>", s)
    s = _BOLD.sub(r"<strong>\1</strong>", s)
    return s


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


CSS = """
:root { --fg:#1d2430; --muted:#5b6472; --line:#d9dee5; --bg:#ffffff; --soft:#f5f7fa;
        --ok:#1e7b34; --okbg:#e6f4ea; --bad:#b3261e; --badbg:#fce8e6; --warn:#8a5300; --warnbg:#fff4e0; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 27px; margin: 0 0 6px; }
h2 { font-size: 21px; margin: 34px 0 10px; padding-bottom: 5px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16.5px; margin: 22px 0 8px; }
p { margin: 8px 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; background: var(--soft);
       padding: 1px 4px; border-radius: 3px; }
pre { background: var(--soft); padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 12.5px; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; margin: 14px 0; }
nav.toc a { color: #1a5fb4; text-decoration: none; margin-right: 14px; white-space: nowrap; font-size: 13.5px; }
.box { border-radius: 8px; padding: 10px 14px; margin: 12px 0; border-left: 5px solid; }
.box.note { background: var(--soft); border-color: #8c96a5; }
.box.warn { background: var(--warnbg); border-color: #e0a100; color: #4a3300; }
.box.ok { background: var(--okbg); border-color: var(--ok); }
.box.fail { background: var(--badbg); border-color: var(--bad); }
.tablewrap { overflow-x: auto; margin: 8px 0 14px; }
table { border-collapse: collapse; font-size: 13.5px; min-width: 40%; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: 13px; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #eef1f5; font-weight: 600; text-align: center; }
tr:nth-child(even) td { background: #fafbfc; }
tr.small td { color: #9aa1ab; font-style: italic; }
tr.small td:first-child::after { content: " \u26a0\u00a0small group"; color: var(--warn); font-style: normal; font-size: 11.5px; white-space: nowrap; }
tr.fail td { background: var(--badbg); }
tr.pass td { background: var(--okbg); }
tr.selected td { font-weight: 600; background: #eaf2fd; }
figure { margin: 12px 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.kv dt { font-weight: 600; color: var(--muted); }
dl.kv dd { margin: 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line); padding-top: 10px; }
"""


def to_html(doc: Doc, title: str, footer: str = "") -> str:
    parts: list[str] = []
    toc = [(b.text, _slug(b.text)) for b in doc.blocks if b.kind == "h2"]
    for b in doc.blocks:
        if b.kind == "h1":
            parts.append(f"<h1>{inline(b.text)}</h1>")
            if toc:
                links = "".join(f'<a href="#{s}">{html.escape(t)}</a>' for t, s in toc)
                parts.append(f'<nav class="toc">{links}</nav>')
        elif b.kind in ("h2", "h3"):
            parts.append(f'<{b.kind} id="{_slug(b.text)}">{inline(b.text)}</{b.kind}>')
        elif b.kind == "p":
            parts.append(f"<p>{inline(b.text)}</p>")
        elif b.kind in ("note", "warn", "ok", "fail"):
            parts.append(f'<div class="box {b.kind}">{inline(b.text)}</div>')
        elif b.kind == "kv":
            items = "".join(f"<dt>{inline(k)}</dt><dd>{inline(v)}</dd>" for k, v in b.items)
            parts.append(f'<dl class="kv">{items}</dl>')
        elif b.kind == "pre":
            parts.append(f"<pre>{html.escape(b.text)}</pre>")
        elif b.kind == "img":
            data = base64.b64encode(b.image).decode("ascii")
            parts.append(
                f'<figure><img alt="{html.escape(b.caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{inline(b.caption)}</figcaption></figure>"
            )
        elif b.kind == "table":
            head = "".join(f"<th>{inline(h)}</th>" for h in b.headers)
            body = []
            for row, cls in zip(b.rows, b.row_class):
                attr = f' class="{cls}"' if cls else ""
                cells = "".join(f'<td class="num">{inline(c)}</td>' if _NUMERIC.match(str(c)) else f"<td>{inline(c)}</td>" for c in row)
                body.append(f"<tr{attr}>{cells}</tr>")
            cap = f"<caption>{inline(b.caption)}</caption>" if b.caption else ""
            parts.append(f'<div class="tablewrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
    foot = f"<footer>{inline(footer)}</footer>" if footer else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(parts)
        + f"\n{foot}\n</main>\n</body>\n</html>\n"
    )
