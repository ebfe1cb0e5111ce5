"""Page-wide middleware of the exercises app."""

from __future__ import annotations

from django.conf import settings

from exercises import languages


class LanguagePreferenceMiddleware:
    """After a login (``exercises.signals.apply_language_preference`` marks the request), the
    response sets the language cookie to the user's stored choice, the same cookie Django's
    ``set_language`` sets, so LocaleMiddleware applies it from the next request on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, languages.PENDING_COOKIE_ATTR, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
