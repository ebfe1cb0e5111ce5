"""The operations page: ``/healthz``, for load balancers and people on call (JSON, 503 when the
database or the broker is down)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from exercises.ops import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.report()
    return JsonResponse(report, status=200 if report["ok"] else 503)
