"""Grading's texts (diagnoses, check messages, hints, choice options) in the reader's language.

The grader stores each text of a grade as its English plus a key and the student's numbers
(``grader.texts``); this module is where the pages and the API pick the language to render them
in: the reader's (``exercises.languages``: the switch, else ``Accept-Language``, else English).
Feedback stored before texts existed has only English, and reads in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation

from exercises import languages
from grader import texts


def reader_language() -> str:
    """The active language, if the grader writes in it, else the fallback (English)."""
    code = languages.normalise(translation.get_language())
    return code if code in texts.LANGUAGES else texts.FALLBACK


def shown_feedback(feedback: Mapping[str, Any] | None) -> dict[str, Any]:
    """A submission's feedback as its reader sees it: the same fields, each text in the
    reader's language (``texts``, the keys and numbers behind them, left out)."""
    return texts.localize(feedback, reader_language())


def feedback_language(feedback: Mapping[str, Any] | None) -> str:
    """The language ``shown_feedback`` reads in: the reader's when the feedback has texts (or
    the reader reads English), English for feedback stored before texts existed."""
    language = reader_language()
    if language == texts.FALLBACK or (feedback or {}).get("texts"):
        return language
    return texts.FALLBACK


def shown_test_message(message: str, data: Mapping[str, Any] | None) -> str:
    """A test's message in the reader's language (its text is in ``data["texts"]``)."""
    stored = ((data or {}).get("texts") or {}).get("message")
    return texts.render_json(stored, reader_language(), message)


def shown_test_name(name: str, data: Mapping[str, Any] | None) -> str:
    """A test's name in the reader's language: ``tests.py`` may write a case's name per
    language; the stored name (the key analytics and answers use) is its English, the others
    are in ``data["texts"]["name"]``. A name written once reads the same in every language."""
    stored = ((data or {}).get("texts") or {}).get("name")
    return texts.render_json(stored, reader_language(), name)


def shown_test_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A test's data without the texts behind its name and message (already rendered)."""
    return {k: v for k, v in (data or {}).items() if k != "texts"}


def rendered(value: Any, language: str | None = None) -> Any:
    """``value`` (an answer format: a choice's options) with its texts in ``language``
    (default: the reader's)."""
    return texts.rendered(value, language or reader_language())


def pick(text: str | Mapping[str, str], language: str | None = None) -> str:
    """An author's text written once (a string) or per language (``{en: ..., ko: ...}``),
    in ``language`` (default: the reader's), else English."""
    if isinstance(text, Mapping):
        return text.get(language or reader_language()) or text.get(texts.FALLBACK) or ""
    return str(text or "")
