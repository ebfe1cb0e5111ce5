"""The guard every ``/teach/<cohort>/...`` page wears: it resolves the cohort through the access
policy (404 for anyone not on its staff, 403 for an assistant's write) and runs the page in the
cohort's time zone, so forms read and show times as the instructor typed them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from exercises.access import staff_cohort
from exercises.errors import StrideError


def refusal(request: HttpRequest, exc: StrideError) -> HttpResponse:
    """An instructor page's error, with the status the error carries (404, 403, 400...)."""
    return render(request, "instructor/error.html", {"error": exc}, status=exc.status)


def staff_page(*, write: bool = False, write_on_post: bool = False) -> Callable:
    """Resolve ``slug`` to the cohort for its staff and call ``view(request, access, ...)``.
    ``write``: instructors only; ``write_on_post``: GET for all staff, POST instructors only."""

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            needs_write = write or (write_on_post and request.method not in ("GET", "HEAD"))
            try:
                access = staff_cohort(request.user, slug, write=needs_write)
                with timezone.override(access.cohort.tzinfo):
                    return view(request, access, *args, **kwargs)
            except StrideError as exc:
                return refusal(request, exc)

        return wrapper

    return decorate
