"""Every API error as ``{"error": {"code", "message", "field"}}`` with the right status.

``code`` is a stable English identifier clients branch on; ``message`` is for people, in the
request's language (``Accept-Language``; Django and DRF bring their own messages' Korean)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from exercises.errors import RetryLater, StrideError


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def _first_detail(detail: Any) -> tuple[str, str | None]:
    """DRF validation details are nested dicts/lists; report the first, with its field."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        message, inner = _first_detail(value)
        return message, inner or (None if field == "non_field_errors" else str(field))
    if isinstance(detail, list) and detail:
        return _first_detail(detail[0])
    return str(detail), None


_DRF_CODES = {
    drf.ParseError: "malformed_json",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.NotAuthenticated: "not_authenticated",
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "forbidden",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.Throttled: "rate_limited",
    drf.ValidationError: "invalid_payload",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StrideError):
        response = Response(exc.as_dict(), status=exc.status)
        if isinstance(exc, RetryLater):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", gettext("The request body is too large.")), status=413
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    message, field = _first_detail(getattr(exc, "detail", str(exc)))
    if isinstance(exc, drf.ParseError):
        message = gettext("The body is not valid JSON: %(detail)s") % {"detail": message}
    response.data = error_body(code, message, field)
    return response
