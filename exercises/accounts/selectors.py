"""Reads about a user's account: the language they picked in the switch."""

from __future__ import annotations

from exercises import languages
from exercises.models import LanguagePreference


def preferred_language(user) -> str | None:
    """The language ``user`` picked in the switch, if any (a read, for the login)."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = LanguagePreference.objects.filter(user=user).only("language").first()
    return languages.normalise(row.language) if row else None
