"""gunicorn's threaded worker, shedding requests that waited too long for a thread.

Under overload a gthread process keeps accepting connections into its thread pool's queue,
and serves each in turn however long it waited: by then its client (a browser, a script with a
30 s timeout) may have given up or sent it again, and the work is wasted while fresh requests
wait behind it. This worker notes when a connection became ready to read and, if a thread
reaches it more than ``STRIDE_WEB_QUEUE_TIMEOUT`` seconds later, answers 503 with
``Retry-After`` at once instead of running the application.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable

from gunicorn.workers.gthread import ThreadWorker

from config.env import env_int

_waited = threading.local()  # how long the request this thread handles waited for it, seconds

SHED_BODY = json.dumps(
    {
        "error": {
            "code": "overloaded",
            "message": "The server is too busy to answer in time; try again in a second.",
            "field": None,
        }
    }
).encode()


def shed_stale(app: Callable, limit_seconds: float) -> Callable:
    """``app``, except that a request whose connection waited more than ``limit_seconds`` for
    this thread gets a fast 503 (the wait is noted by ``SheddingThreadWorker``)."""

    def shedding_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        waited = _waited.__dict__.pop("seconds", None)
        if waited is not None and waited > limit_seconds:
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(SHED_BODY))),
                    ("Retry-After", "1"),
                    ("Connection", "close"),
                ],
            )
            return [SHED_BODY]
        return app(environ, start_response)

    return shedding_app


class SheddingThreadWorker(ThreadWorker):
    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = shed_stale(self.wsgi, env_int("STRIDE_WEB_QUEUE_TIMEOUT", 10))

    def enqueue_req(self, conn) -> None:
        conn.stride_ready_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn):
        """Runs in the pool's thread: the wait is from ready to here, not the time the
        request itself then takes to arrive (a slow upload is not a queue)."""
        ready_at = getattr(conn, "stride_ready_at", None)
        _waited.seconds = None if ready_at is None else time.monotonic() - ready_at
        return super().handle(conn)
