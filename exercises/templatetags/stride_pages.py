"""Template helpers for pages that include the submission status without building its context
(e.g. a quiz's question card): ``{% feedback_for submission as feedback %}``; and a problem
kind's name in the reader's language (``{{ problem.kind|kind_label }}``)."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

from exercises import grading_texts
from exercises.models import Submission
from exercises.pages import presenters as page_presenters
from exercises.rendering import markdown_to_html

register = template.Library()

#: What a kind is called on the pages; the kind's own name (a registry key, also in the API)
#: is never translated, so a kind missing here shows as that name.
KIND_LABELS = {
    "matrix": pgettext_lazy("problem kind", "matrix"),
    "number": pgettext_lazy("problem kind", "number"),
    "shape": pgettext_lazy("problem kind", "shape"),
    "choice": pgettext_lazy("problem kind", "choice"),
    "code": pgettext_lazy("problem kind", "code"),
}


@register.simple_tag
def feedback_for(submission: Submission) -> page_presenters.FeedbackView:
    return page_presenters.feedback_view(submission)


@register.simple_tag
def answer_form_token(oob: bool = False) -> SafeString:
    """The answer form's hidden Idempotency-Key: new on every render, so a resent form (a
    retry, a second click) is the same attempt while the next answer is a new one. ``oob``:
    as an htmx out-of-band swap, replacing the token of a form that stays on the page."""
    return format_html(
        '<input type="hidden" name="idempotency_key" id="id_idempotency_key" value="{}"{}>',
        uuid.uuid4().hex,
        mark_safe(' hx-swap-oob="true"') if oob else "",
    )


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Staff-written Markdown (an assignment's description), sanitised as statements are."""
    return mark_safe(markdown_to_html(text or ""))  # noqa: S308 - nh3-sanitised by the renderer


@register.filter(name="in_reader_language")
def in_reader_language(feedback: dict | None) -> dict:
    """A submission's stored feedback with its texts in the reader's language."""
    return grading_texts.shown_feedback(feedback)


@register.filter(name="index")
def index(sequence: list | None, position: int):
    """``sequence[position]`` (the step-through's captions per channel and per cell), or ""."""
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return ""
