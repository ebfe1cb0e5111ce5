"""Labels of stored codes for the staff pages: a regrade's results keep verdicts as codes
(``"correct"``) and the integrity report its reviews' statuses (``"fine"``); a page shows the
choice's label in the reader's language instead, while CSV exports keep the codes."""

from __future__ import annotations

from django import template

from exercises.models import IntegrityReview, Verdict

register = template.Library()


def _label(choices, code: str | None) -> str:
    """``code``'s label in the active language; an empty code -> "—"; an unknown one as is."""
    if not code:
        return "—"
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def verdict_label(code: str | None) -> str:
    return _label(Verdict, code)


@register.filter
def review_label(code: str | None) -> str:
    return _label(IntegrityReview.Status, code)
