"""The text a reader sees on a rendered page, and the English words left in it.

For tests that check a page's language: ``visible_texts`` collects the text nodes of chosen
regions (``<title>`` and ``<main>`` by default) and the attributes a reader meets (a tooltip, an
accessible name, a confirmation question, a button's value), leaving out what is not the
interface's own words: code (``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``), scripts and styles,
typeset maths (``.katex``), problem statements (``.statement``), anything marked
``translate="no"``, and the contents of text areas (what a user typed). ``english_words`` then
lists the ASCII words of three letters or more, after taking out the given user content (names,
titles, slugs) and skipping code-like tokens (``cnn-2026-spring``, ``first_name``, ``UTF-8``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

SKIPPED_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style", "template", "textarea"})
SKIPPED_CLASSES = frozenset({"katex", "katex-display", "statement"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
#: Attributes whose value a reader sees or hears.
SHOWN_ATTRIBUTES = (
    "title",
    "aria-label",
    "placeholder",
    "alt",
    "data-confirm",
    "data-confirm-button",
)
#: A run of letters, digits and the characters of identifiers, paths and slugs.
TOKEN = re.compile(r"[A-Za-z0-9_./@\-]+")
WORD = re.compile(r"[A-Za-z]{3,}")
#: A formula written in a sentence, e.g. "(n + 2*pad - f) / stride + 1": names joined by
#: arithmetic operators read the same in every language (the lecture writes them so too).
#: A hyphen counts only between spaces: "read-only" is a word, not a formula.
FORMULA = re.compile(r"[\w*]+(?:(?:\s*[+*/=]\s*|\s+-\s+)[\w*]+)+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


class _Collector(HTMLParser):
    def __init__(self, regions: frozenset[str], everywhere: bool):
        super().__init__(convert_charrefs=True)
        self.regions = regions
        self.everywhere = everywhere
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, in a region)
        self.texts: list[str] = []

    def _state(self) -> tuple[bool, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, self.everywhere)

    def handle_starttag(self, tag, attrs):
        skipped, inside = self._state()
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        skipped = (
            skipped
            or tag in SKIPPED_TAGS
            or bool(classes & SKIPPED_CLASSES)
            or values.get("translate") == "no"
        )
        inside = inside or tag in self.regions
        if inside and not skipped:
            for name in SHOWN_ATTRIBUTES:
                if values.get(name):
                    self.texts.append(values[name])
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.texts.append(values["value"])
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipped, inside))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        skipped, inside = self._state()
        if inside and not skipped and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str, regions: Iterable[str] = ("title", "main")) -> list[str]:
    """The page's visible text nodes and shown attributes inside ``regions`` (tag names); a
    fragment (an htmx swap) that holds none of them counts whole."""
    regions = frozenset(regions)
    whole = not any(re.search(rf"<{tag}[\s>]", html, re.I) for tag in regions)
    collector = _Collector(regions, everywhere=whole)
    collector.feed(html)
    collector.close()
    return collector.texts


def english_words(
    texts: Iterable[str], *, content: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(word, the text it is in) for each ASCII word of 3+ letters left in ``texts`` once every
    string of ``content`` (user content: names, titles, slugs) is taken out; tokens that hold
    digits or ``_ . / @ -`` inside are codes, not words; ``allowed`` words are let through."""
    removals = sorted({c for c in content if c}, key=len, reverse=True)
    allowed = set(allowed)
    found = []
    for text in texts:
        rest = text
        for c in removals:
            rest = rest.replace(c, " ")
        rest = FORMULA.sub(" ", rest)
        for token in TOKEN.findall(rest):
            word = token.strip("._-/@")
            if WORD.fullmatch(word) and word not in allowed:
                found.append((word, text))
    return found


def hangul(texts: Iterable[str]) -> list[str]:
    """The texts that hold Hangul (an English page should hold none of its own)."""
    return [t for t in texts if HANGUL.search(t)]
