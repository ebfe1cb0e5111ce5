"""Domain errors: each knows its HTTP status and a stable code, so the API and the pages
report the same failure the same way (``{"error": {"code", "message", "field"}}``)."""

from __future__ import annotations


class StrideError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class BadPayload(StrideError):
    status = 400
    code = "invalid_payload"


class AccessDenied(StrideError):
    status = 403
    code = "forbidden"


class NotFound(StrideError):
    status = 404
    code = "not_found"


class Closed(StrideError):
    """The problem exists and the user may see it, but it takes no more submissions."""

    status = 409
    code = "closed"


class KeyReused(StrideError):
    """An Idempotency-Key already used for a different request (422: resending it cannot
    succeed; a new request needs a new key)."""

    status = 422
    code = "idempotency_key_reused"


class TooLarge(StrideError):
    status = 413
    code = "too_large"


class RetryLater(StrideError):
    """A refusal that passes with time: answered with ``Retry-After`` (whole seconds)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        field: str | None = None,
        code: str | None = None,
    ):
        super().__init__(message, field=field, code=code)
        self.retry_after = max(1, int(retry_after))


class RateLimited(RetryLater):
    status = 429
    code = "rate_limited"


class Busy(RetryLater):
    """The server is at its bound for this kind of work right now (503): shed at once rather
    than queued behind work that would make the client wait past its own timeout."""

    status = 503
    code = "busy"
