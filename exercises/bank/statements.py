"""A problem folder's title and statement in every language, read and checked for the importer.

``statement.md`` is English (the fallback every problem has); ``statement.<code>.md`` beside it
is the same statement in the language ``<code>``, one of ``settings.LANGUAGES``. The title in
``problem.yaml`` is a string (English) or a mapping ``{en: ..., ko: ...}``. Every language shows
the same ``{{ param }}`` placeholders, so the variant, the answer and the grade never depend on
the language; only the words do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exercises import languages
from grader.kinds.statement import PLACEHOLDER

STATEMENT_FILE = re.compile(r"^statement(?:\.(?P<code>[^.]+))?\.md$")
#: The same spans the renderer hands to KaTeX (``exercises.rendering``): $$...$$ and $...$.
MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.DOTALL)
#: KaTeX typesets Hangul only as text: ``\text{합성곱}`` is fine, a bare 합성곱 is not.
TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textsf|textbf|textit|texttt|mbox)\{[^{}]*\}")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


@dataclass(frozen=True)
class Text:
    language: str
    title: str
    statement: str
    path: Path


def hangul_in_math(text: str) -> list[int]:
    """1-based lines where Hangul stands inside ``$...$`` but outside ``\\text{...}``."""
    lines = []
    for match in MATH.finditer(text):
        bare = TEXT_COMMAND.sub(lambda m: " " * len(m.group(0)), match.group(0))
        found = HANGUL.search(bare)
        if found:
            lines.append(text.count("\n", 0, match.start() + found.start()) + 1)
    return lines


def placeholders(text: str) -> set[str]:
    return {" ".join(m.group(1).split()) for m in PLACEHOLDER.finditer(text)}


HANGUL_IN_MATH = (
    "Hangul inside $...$ (KaTeX cannot typeset it): put the words in \\text{...} or outside "
    "the maths"
)


def placeholder_mismatch(text: str, english: str) -> str | None:
    """What is wrong when a language's statement ``text`` does not show the English
    statement's placeholders (every language shows the same numbers), else None."""
    wanted = placeholders(english)
    if placeholders(text) == wanted:
        return None
    return (
        f"placeholders {sorted(placeholders(text))} differ from statement.md's "
        f"{sorted(wanted)}: every language shows the same numbers"
    )


def _titles(spec: dict[str, Any], where: str, line_of: Callable[[str], int | None], errors):
    """``{language: title}`` from ``title:`` (a string is the English title)."""
    raw = spec.get("title")
    line = line_of("title") or 1
    if raw is None:
        return {}  # a missing title is the importer's own "missing required key"
    if isinstance(raw, str):
        return {languages.fallback(): raw}
    if not isinstance(raw, dict):
        errors.append(f"{where}:{line}: title must be a string or a mapping of language to title")
        return {}
    titles = {}
    for code, value in raw.items():
        at = line_of(f"title.{code}") or line
        if str(code) not in languages.configured():
            errors.append(
                f"{where}:{at}: title in {code!r}, which is not a configured language "
                f"({', '.join(languages.configured())})"
            )
        elif not isinstance(value, str) or not value.strip():
            errors.append(f"{where}:{at}: title.{code} must be a non-empty string")
        else:
            titles[str(code)] = value
    if languages.fallback() not in raw:
        errors.append(f"{where}:{line}: title needs an {languages.fallback()!r} entry")
    return titles


def read_texts(
    folder: Path,
    spec: dict[str, Any],
    line_of: Callable[[str], int | None],
    errors: list[str],
) -> list[Text]:
    """Every language's text of ``folder``, in the settings' order; problems go to ``errors``
    with their file and line (and the texts read as [])."""
    before = len(errors)
    where = str(folder / "problem.yaml")
    titles = _titles(spec, where, line_of, errors)
    statements: dict[str, tuple[Path, str]] = {}
    for path in sorted(folder.glob("statement*.md")):
        match = STATEMENT_FILE.match(path.name)
        code = match.group("code") if match else path.name
        if match and code is None:
            code = languages.fallback()
        elif code == languages.fallback():
            errors.append(f"{path}: the {code!r} statement is statement.md; remove this file")
            continue
        elif code not in languages.configured():
            errors.append(
                f"{path}: a statement in {code!r}, which is not a configured language "
                f"({', '.join(languages.configured())}); name it statement.<language>.md"
            )
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: cannot read: {exc}")
            continue
        for line in hangul_in_math(text):
            errors.append(f"{path}:{line}: {HANGUL_IN_MATH}")
        statements[code] = (path, text)
    english = statements.get(languages.fallback())
    if english is None:
        errors.append(f"{folder / 'statement.md'}: cannot read: every problem needs it")
    for code in titles:
        if code not in statements and code != languages.fallback():
            errors.append(
                f"{where}:{line_of(f'title.{code}') or 1}: a title in {code!r} but no "
                f"statement.{code}.md beside statement.md"
            )
    if english is not None:
        for path, text in statements.values():
            mismatch = placeholder_mismatch(text, english[1])
            if mismatch:
                errors.append(f"{path}: {mismatch}")
    if len(errors) > before or languages.fallback() not in titles:
        return []
    fallback_title = titles[languages.fallback()]
    return [
        Text(code, titles.get(code, fallback_title), statements[code][1], statements[code][0])
        for code in languages.configured()
        if code in statements
    ]
