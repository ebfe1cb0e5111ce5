"""How a moment is shown to people: one format on every page and in every message, in the time
zone of the cohort it belongs to (a due date is the cohort's deadline, wherever the reader is).

Templates use the ``when`` filter (``exercises.templatetags.stride_dates``, a builtin):
``{{ assignment.due_at|when:cohort.timezone }}`` gives
``<time datetime="2026-03-02T09:00:00+09:00">Mon 2 Mar 2026, 09:00 KST</time>``; without a
zone, the current one (``{% timezone %}`` sets it). Python messages use ``when_text``.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, tzinfo

from django.utils import dateformat, timezone, translation
from django.utils.dateparse import parse_datetime

#: The one format, per language (Django's date format characters): English reads
#: "Mon 2 Mar 2026, 09:00 KST", Korean "2026년 3월 2일 (월요일) 09:00 KST".
FORMATS = {"en": "D j M Y, H:i T", "ko": "Y년 n월 j일 (l) H:i T"}
DATE_FORMATS = {"en": "D j M Y", "ko": "Y년 n월 j일 (l)"}


def zone_of(zone: str | tzinfo | None) -> tzinfo:
    """A time zone from a cohort's ``timezone`` name (or a tzinfo); the current one for None,
    "" or a name this machine does not know."""
    if isinstance(zone, tzinfo):
        return zone
    if zone:
        try:
            return zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def _format(kind: dict[str, str]) -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return kind.get(language, kind["en"])


def as_moment(value: object) -> datetime | date | None:
    """A datetime or a date, from either or from ISO text (a cached JSON payload)."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def localize(moment: datetime, zone: str | tzinfo | None = None) -> datetime:
    """``moment`` in ``zone`` (naive moments are taken to be in the default time zone)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(zone_of(zone))


def when_text(moment: datetime | date, zone: str | tzinfo | None = None) -> str:
    """The moment as every page shows it: "Mon 2 Mar 2026, 09:00 KST" (a date alone: "Mon 2
    Mar 2026")."""
    if not isinstance(moment, datetime):
        return dateformat.format(moment, _format(DATE_FORMATS))
    return dateformat.format(localize(moment, zone), _format(FORMATS))
