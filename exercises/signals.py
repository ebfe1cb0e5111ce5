"""Signal receivers of the exercises app, connected in ``ExercisesConfig.ready``."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from exercises import languages
from exercises.accounts import selectors as accounts


@receiver(user_logged_in, dispatch_uid="stride-apply-language-preference")
def apply_language_preference(sender, request, user, **kwargs) -> None:
    """A user who picked a language gets it on every browser they log in from: the rest of
    this request speaks it, and the response leaves it as the language cookie. A user who never
    picked one keeps what the browser asked for (cookie or ``Accept-Language``)."""
    language = accounts.preferred_language(user)
    if language is None or request is None:
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
    setattr(request, languages.PENDING_COOKIE_ATTR, language)
