"""Markdown to safe HTML for statements and feedback. ``$...$`` math is left for KaTeX."""

from __future__ import annotations

import re

import markdown
import nh3

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.DOTALL)
# A Markdown table must have a header row; a matrix has no column names, so its table's header
# is blank (grader.kinds.statement). Drawn, it is an empty row above the numbers: drop it.
_BLANK_HEAD = re.compile(r"<thead>\s*<tr>\s*(?:<th\b[^>]*>\s*</th>\s*)+</tr>\s*</thead>\s*")
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "pre",
    "code",
    "svg",
    "figure",
    "figcaption",
}
# Statements draw the lecture's pictures as inline SVG (problem bank): simple shapes and text only,
# no links, scripts, styles or external references.
_SVG_TAGS = {"svg", "title", "g", "rect", "line", "polyline", "polygon", "circle", "text"}
_SVG_ATTRIBUTES = {
    "svg": {"viewBox", "width", "height", "role", "aria-label"},
    **{
        tag: {
            "x",
            "y",
            "x1",
            "y1",
            "x2",
            "y2",
            "cx",
            "cy",
            "r",
            "rx",
            "width",
            "height",
            "points",
            "fill",
            "fill-opacity",
            "stroke",
            "stroke-width",
            "stroke-dasharray",
            "opacity",
            "font-size",
            "text-anchor",
        }
        for tag in _SVG_TAGS - {"svg", "title"}
    },
}
_ALLOWED_TAGS |= _SVG_TAGS
_ATTRIBUTES = {"*": {"class"}, "td": {"class"}, **_SVG_ATTRIBUTES}


def _safe_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop attribute values that could reach outside the page (``url(...)``, ``javascript:``)."""
    lowered = value.lower()
    return None if "url(" in lowered or ":" in lowered or "&" in lowered else value


def markdown_to_html(text: str) -> str:
    """Render Markdown, protecting math from Markdown's emphasis rules, then sanitise."""
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(0))
        # Plain letters and digits: Markdown leaves them alone (it uses \x02/\x03 for its own
        # placeholders and drops stray ones, which turned "$x$" into "0").
        return f"STRIDEMATH{len(stash) - 1}Z"

    protected = _MATH.sub(keep, text)
    html = markdown.markdown(protected, extensions=["tables", "fenced_code", "sane_lists"])
    html = _BLANK_HEAD.sub("", html)
    html = re.sub(r"STRIDEMATH(\d+)Z", lambda m: _escape(stash[int(m.group(1))]), html)
    return nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes=_ATTRIBUTES, attribute_filter=_safe_attribute
    )


def _escape(math: str) -> str:
    return math.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
