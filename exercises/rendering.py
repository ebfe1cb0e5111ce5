"""Markdown to safe HTML for statements and feedback. ``$...$`` math is left for KaTeX."""

from __future__ import annotations

import re

import markdown
import nh3

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.DOTALL)
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
    # The lecture's pictures redrawn as inline SVG in statements (no scripts, links or styles).
    "g",
    "rect",
    "line",
    "circle",
    "path",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
}
_SVG_GEOMETRY = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "d"}
_SVG_PAINT = {"fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "transform"}
_SVG_TEXT = {"font-size", "font-weight", "text-anchor", "dominant-baseline"}
_ATTRIBUTES = {
    "*": {"class"},
    "td": {"class"},
    "th": {"scope"},
    "svg": {"viewBox", "width", "height", "role", "aria-label", "aria-hidden", "focusable"},
    **{tag: _SVG_GEOMETRY | _SVG_PAINT for tag in ("g", "rect", "line", "circle", "path")},
    "polyline": {"points"} | _SVG_PAINT,
    "polygon": {"points"} | _SVG_PAINT,
    "text": {"x", "y", "dx", "dy"} | _SVG_PAINT | _SVG_TEXT,
    "tspan": {"x", "y", "dx", "dy"} | _SVG_PAINT | _SVG_TEXT,
}


def markdown_to_html(text: str) -> str:
    """Render Markdown, protecting math from Markdown's emphasis rules, then sanitise."""
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(0))
        # Plain letters and digits: Markdown leaves them alone (it uses \x02/\x03 for its own
        # placeholders and drops stray ones, so those must not be used here).
        return f"STRIDEMATH{len(stash) - 1}Z"

    protected = _MATH.sub(keep, text)
    html = markdown.markdown(protected, extensions=["tables", "fenced_code", "sane_lists"])
    html = re.sub(r"STRIDEMATH(\d+)Z", lambda m: _escape(stash[int(m.group(1))]), html)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ATTRIBUTES)


def _escape(math: str) -> str:
    return math.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
