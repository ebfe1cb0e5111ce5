"""The language switch: Django's own ``set_language``, plus remembering the choice per user."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from exercises.accounts import services as accounts


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Set the language cookie and go back (Django's view: an unknown code changes nothing
    and still redirects); a logged-in user's choice is also stored for their next login."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        accounts.remember_language(request.user, request.POST.get("language", ""))
    return response
