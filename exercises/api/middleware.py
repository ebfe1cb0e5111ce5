"""Refuse an oversized API body before anything reads it (413, JSON)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from exercises.api.errors import error_body


class ApiBodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.STRIDE["MAX_BODY_BYTES"]
            if length > limit:
                return JsonResponse(
                    error_body("too_large", f"The body is {length} bytes; the limit is {limit}."),
                    status=413,
                )
        return self.get_response(request)
