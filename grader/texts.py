"""The texts grading produces (diagnoses, check messages, answer-reading messages), in every
language Stride teaches in, rendered when they are read rather than when they are graded.

``grader`` imports no Django, so it cannot ask which language a reader wants: it says what it
means instead. A ``Text`` is a stable ``key`` into ``CATALOGUE`` (a template per language) plus
the ``facts`` that fill it (the student's own numbers). It *is* a ``str``, its English
rendering, so every caller that reads, compares or stores it as text gets exactly the English
it always got; ``render(language)`` gives another language.

A ``Grade``'s feedback keeps its English strings where they always were and adds ``texts``:
``{path: text JSON}`` for each string field that came from a ``Text`` (``"message"``,
``"misconception.title"``, ``"also.0.title"``; see ``settle``). The pages and the API call
``localize(feedback, language)`` at read time: the same dict, its strings in ``language``.
Feedback stored before ``texts`` existed has none and keeps reading in English.

Texts an author writes (a formula problem's misconceptions, a ``tests.py``'s, a choice option's
feedback) are not in the catalogue: their ``templates`` travel inline, ``{language: template}``.

Numbers and formulas are facts, so they are identical in every language; a language's template
may order them as its grammar wants. ``hide`` is a right answer a diagnosis must not spell out
(``grader.diagnose.Diagnosis.hiding``): after filling, ``= 45126`` (English ``is 45126``,
Korean ``부피는 45126``) becomes ``= ?``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

#: Every language the grader writes in; the first is the fallback every text has.
LANGUAGES = ("en", "ko")
FALLBACK = "en"

#: key -> {language: template}. Filled by ``define`` where each text is written.
CATALOGUE: dict[str, dict[str, str]] = {}

#: What may stand before an answer a diagnosis hides, per language.
_HIDE_BEFORE = {"en": r"(=|\bis)\s*", "ko": r"(=|부피는)\s*"}
#: The modules whose import defines catalogue entries (``catalogue()`` imports them all).
_DEFINING_MODULES = (
    "grader.diagnose",
    "grader.checks",
    "grader.kinds.answers",
    "grader.kinds.number",
    "grader.kinds.matrix",
    "grader.kinds.shape",
    "grader.kinds.choice",
    "grader.kinds.number_formula",
    "grader.run_texts",
)


def tr(en: str, ko: str) -> dict[str, str]:
    """A template in both languages (the form every text of the grader is written in)."""
    return {"en": en, "ko": ko}


def define(key: str, en: str, ko: str) -> str:
    """Put ``key`` in the catalogue (once: two texts never share a key) and return it."""
    entry = tr(en, ko)
    if CATALOGUE.get(key, entry) != entry:
        raise ValueError(f"text key {key!r} is defined twice with different templates")
    CATALOGUE[key] = entry
    return key


def catalogue() -> dict[str, dict[str, str]]:
    """The whole catalogue: every module that defines texts, imported."""
    import importlib

    for name in _DEFINING_MODULES:
        importlib.import_module(name)
    return CATALOGUE


def fields(template: str) -> list[str]:
    """The fact names a template uses (``{n}``, ``{titles:lower}`` -> ``n``, ``titles``)."""
    return [f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f]


def choose(templates: Mapping[str, str], language: str) -> str:
    """The template in ``language``, else in the fallback language."""
    return templates.get(language) or templates[FALLBACK]


class _Formatter(string.Formatter):
    """``str.format`` whose facts may be texts (rendered in the same language) or lists of texts
    (joined with "; "); the format spec ``lower`` lowercases, for a title inside a sentence."""

    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Text):
            value = value.render(self.language)
        elif isinstance(value, list | tuple) and value and all(isinstance(v, Text) for v in value):
            value = "; ".join(v.render(self.language) for v in value)
        if format_spec == "lower":
            return str(value).lower()
        return super().format_field(value, format_spec)


class Text(str):
    """One text grading produces: English as a ``str``; ``render(language)`` for the others.

    Build with ``Text(key, facts)`` (a catalogue text), ``Text.inline(templates, facts)`` (an
    author's), or ``Text.join(parts)`` (sentences, separated by a space).
    """

    key: str
    facts: dict[str, Any]
    templates: dict[str, str] | None
    hide: str | None
    parts: tuple[Text, ...]

    def __new__(
        cls,
        key: str = "",
        facts: Mapping[str, Any] | None = None,
        *,
        templates: Mapping[str, str] | None = None,
        hide: str | None = None,
        parts: Iterable[Text] = (),
    ) -> Text:
        parts = tuple(p if isinstance(p, Text) else Text.literal(p) for p in parts)
        if templates is not None:
            templates = {lang: str(t) for lang, t in templates.items()}
            if FALLBACK not in templates:
                raise ValueError(f"a text needs its {FALLBACK} template, got {sorted(templates)}")
        elif not parts and key not in CATALOGUE:
            raise KeyError(f"no text {key!r} in the catalogue")
        used = _used_fields(key, templates)
        facts = {k: v for k, v in (facts or {}).items() if k in used}
        english = _render(key, facts, templates, hide, parts, FALLBACK)
        self = super().__new__(cls, english)
        self.key, self.facts, self.templates, self.hide, self.parts = (
            key,
            facts,
            templates,
            hide,
            parts,
        )
        return self

    @classmethod
    def inline(cls, templates: Mapping[str, str], facts: Mapping[str, Any] | None = None) -> Text:
        return cls(templates=templates, facts=facts)

    @classmethod
    def literal(cls, text: str) -> Text:
        """Text that reads the same in every language (a traceback, a name, a number)."""
        return cls(templates={FALLBACK: str(text).replace("{", "{{").replace("}", "}}")})

    @classmethod
    def join(cls, parts: Iterable[Any]) -> Text:
        return cls(parts=[p for p in parts if p])

    def render(self, language: str = FALLBACK) -> str:
        if language == FALLBACK:
            return str.__str__(self)
        return _render(self.key, self.facts, self.templates, self.hide, self.parts, language)

    def hiding(self, answer: str | None) -> Text:
        """This text with ``answer`` replaced by ``?`` where a calculation ends on it."""
        if answer is None:
            return self
        if self.parts:
            return Text.join(p.hiding(answer) for p in self.parts)
        return Text(self.key, self.facts, templates=self.templates, hide=answer)

    def to_json(self) -> dict[str, Any]:
        if self.parts:
            return {"parts": [p.to_json() for p in self.parts]}
        out: dict[str, Any] = {"key": self.key} if self.templates is None else {}
        if self.templates is not None:
            out["templates"] = dict(self.templates)
        if self.facts:
            out["facts"] = {k: _fact_json(v) for k, v in self.facts.items()}
        if self.hide is not None:
            out["hide"] = self.hide
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        if "parts" in data:
            return cls.join(cls.from_json(p) for p in data["parts"])
        facts = {k: _fact_from_json(v) for k, v in (data.get("facts") or {}).items()}
        return cls(
            str(data.get("key", "")), facts, templates=data.get("templates"), hide=data.get("hide")
        )

    # A Text is a value: copies and pickles (Celery, caches) keep what it means.
    def __reduce__(self) -> tuple[Any, ...]:
        return (Text.from_json, (self.to_json(),))


def _used_fields(key: str, templates: Mapping[str, str] | None) -> set[str]:
    source = templates if templates is not None else CATALOGUE.get(key, {})
    return {name for template in source.values() for name in fields(template)}


def _render(
    key: str,
    facts: Mapping[str, Any],
    templates: Mapping[str, str] | None,
    hide: str | None,
    parts: tuple[Text, ...],
    language: str,
) -> str:
    if parts:
        return " ".join(p.render(language) for p in parts)
    template = choose(templates if templates is not None else CATALOGUE[key], language)
    text = _Formatter(language).vformat(template, (), dict(facts))
    return _hide(text, hide, language) if hide else text


def hidden(text: str, answer: str) -> str:
    """``text`` with ``answer`` hidden (``Text.hiding``); plain text is taken as English."""
    if isinstance(text, Text):
        return text.hiding(answer)
    return _hide(text, answer, FALLBACK)


def _hide(text: str, answer: str, language: str) -> str:
    """``answer`` where it ends a calculation (after ``=`` or "is"), not where it starts one:
    in "the padded input is 7 + 2*1" the 7 is the input's size, even when the answer is 7."""
    before = _HIDE_BEFORE.get(language, _HIDE_BEFORE[FALLBACK])
    after = r"(?!\d|\.\d|\s*[-+*/\u00d7]\s*[\d(])"
    return re.compile(before + re.escape(answer) + after).sub(r"\1 ?", text)


def _fact_json(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": value.to_json()}
    if isinstance(value, list | tuple) and value and all(isinstance(v, Text) for v in value):
        return {"texts": [v.to_json() for v in value]}
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        return value.item()
    return value


def _fact_from_json(value: Any) -> Any:
    if isinstance(value, Mapping) and "text" in value:
        return Text.from_json(value["text"])
    if isinstance(value, Mapping) and "texts" in value:
        return [Text.from_json(v) for v in value["texts"]]
    return value


# --- feedback ---------------------------------------------------------------------------------


def settle(feedback: Mapping[str, Any]) -> dict[str, Any]:
    """``feedback`` as it is stored: every ``Text`` in it becomes its English ``str`` in place,
    and its JSON goes to ``feedback["texts"]`` under its path (dot-separated, list positions as
    numbers). Texts recorded earlier (a grade read back from JSON) are kept."""
    texts: dict[str, Any] = dict(feedback.get("texts") or {})

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, Text):
            texts[path] = value.to_json()
            return str.__str__(value)
        if isinstance(value, Mapping):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v, f"{path}.{i}") for i, v in enumerate(value)]
        return value

    out = {k: walk(v, k) for k, v in feedback.items() if k != "texts"}
    if texts:
        out["texts"] = texts
    return out


def localize(feedback: Mapping[str, Any] | None, language: str) -> dict[str, Any]:
    """Stored feedback as a reader of ``language`` sees it: the same keys and shape, each
    string that has a text rendered in ``language``, ``texts`` itself left out. English, an
    unknown language and feedback stored before texts existed read as stored; a text that
    no longer renders (a key since removed) keeps its stored English."""
    feedback = dict(feedback or {})
    texts = feedback.pop("texts", None) or {}
    if language == FALLBACK or language not in LANGUAGES or not texts:
        return feedback
    catalogue()
    out = _copy(feedback)
    for path, data in texts.items():
        try:
            rendered = Text.from_json(data).render(language)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            continue
        _put(out, path.split("."), rendered)
    return out


def render_json(data: Mapping[str, Any] | None, language: str, stored: str) -> str:
    """One stored text (a test's ``data["texts"]["message"]``) in ``language``; ``stored``
    (its English) when there is none or it no longer renders."""
    if not data or language == FALLBACK or language not in LANGUAGES:
        return stored
    catalogue()
    try:
        return Text.from_json(data).render(language)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return stored


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _put(target: Any, path: list[str], value: str) -> None:
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(target, list):
            if not step.isdigit() or int(step) >= len(target):
                return
            if last:
                target[int(step)] = value
                return
            target = target[int(step)]
        elif isinstance(target, dict):
            if step not in target:
                return
            if last:
                target[step] = value
                return
            target = target[step]
        else:
            return


def rendered(value: Any, language: str) -> Any:
    """``value`` (a kind's ``answer_format``, a list, a dict) with every ``Text`` in it
    rendered in ``language``; everything else as it is."""
    if isinstance(value, Text):
        return value.render(language if language in LANGUAGES else FALLBACK)
    if isinstance(value, Mapping):
        return {k: rendered(v, language) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rendered(v, language) for v in value]
    return value
