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
}


def markdown_to_html(text: str) -> str:
    """Render Markdown, protecting math from Markdown's emphasis rules, then sanitise."""
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(0))
        return f"\x02{len(stash) - 1}\x03"

    protected = _MATH.sub(keep, text)
    html = markdown.markdown(protected, extensions=["tables", "fenced_code", "sane_lists"])
    html = re.sub("\x02(\\d+)\x03", lambda m: _escape(stash[int(m.group(1))]), html)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"*": {"class"}, "td": {"class"}})


def _escape(math: str) -> str:
    return math.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
