"""Which language a reader gets: the one rule, used by the pages, the API and the importer.

Stride's languages are ``settings.LANGUAGES``; ``settings.LANGUAGE_CODE`` (English) is the
fallback every problem has. A reader's language is Django's active language (the language
cookie that ``set_language`` leaves, else ``Accept-Language``, else English); a logged-in user's
stored choice becomes that cookie at login (``exercises.middleware``); it is stored and read by
``exercises.accounts``, so this rule needs no model and the models may use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation

#: Where the language cookie's value is kept for the response after a login.
PENDING_COOKIE_ATTR = "stride_language_cookie"


def configured() -> list[str]:
    """The language codes Stride is configured for, in the settings' order."""
    return [code for code, _name in settings.LANGUAGES]


def fallback() -> str:
    return settings.LANGUAGE_CODE


def normalise(code: str | None) -> str | None:
    """``ko-KR`` -> ``ko``; an unconfigured or malformed code -> None (never an error)."""
    if not code:
        return None
    try:
        variant = translation.get_supported_language_variant(str(code).strip())
    except LookupError:
        return None
    return variant if variant in configured() else None


def choose(available: Iterable[str], wanted: str | None = None) -> str | None:
    """The language to show out of ``available``: the wanted one (default: the active
    language), else the fallback (English), else the first available; None if none is."""
    available = list(available)
    if not available:
        return None
    for code in (normalise(wanted or translation.get_language()), fallback()):
        if code in available:
            return code
    return available[0]
