"""``when``: every date on every page in one format, in the cohort's time zone
(``exercises.dates``). A builtin of the template engine (settings.TEMPLATES), so no template
needs to load it."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from exercises import dates

register = template.Library()


@register.filter(name="when")
def when(value: object, zone: object = None) -> SafeString | str:
    """``{{ moment|when:cohort.timezone }}`` -> ``<time datetime="ISO">text</time>``; "" for
    nothing, so that ``|default:"—"`` can follow."""
    moment = dates.as_moment(value)
    if moment is None:
        return ""
    machine = (
        dates.localize(moment, zone).isoformat()
        if isinstance(moment, datetime)
        else moment.isoformat()
    )
    return format_html(
        '<time datetime="{}">{}</time>',
        machine,
        dates.when_text(moment, zone),  # type: ignore[arg-type]
    )
