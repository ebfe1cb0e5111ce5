"""What /healthz reports: can we reach the database and the broker, and what the grading
workers last said about their sandbox.

The sandbox that matters is the workers': they run the submissions, and the web process never
loads the sandbox at all. Each worker process reports on start and then on every beat
(``exercises.ops.tasks.worker_heartbeat``) through the ``workers`` cache, which the web process
reads here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from config.celery import app

HEARTBEAT_KEY = "workers:heartbeat"
# Kept well past the beat period, so that a stopped beat shows as an old heartbeat (its age
# grows) before it shows as none at all.
HEARTBEAT_SECONDS = 24 * 3600


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _broker() -> str:
    """A round trip to the broker over a connection from Celery's pool (the one publishing
    uses), not a new connection per call: connecting anew made up most of the CPU of a
    /healthz, which a load balancer asks every few seconds. A pooled connection may have gone
    stale, so it is checked with a request the broker must answer (Redis: PING) and, when that
    fails, dropped from the pool: the next call connects afresh."""
    try:
        with app.pool.acquire(block=True, timeout=2) as conn:
            try:
                conn.ensure_connection(max_retries=1, timeout=2)
                client = getattr(conn.default_channel, "client", None)  # Redis; not the demo's
                if client is not None:
                    client.ping()
            except Exception:
                conn.collect()  # forget the broken connection instead of pooling it again
                raise
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def record_worker_heartbeat(sandbox: dict[str, Any], *, worker: str) -> None:
    """A worker's report: its sandbox tier (``grader.sandbox.health()``) and the moment."""
    beat = {"tier": sandbox.get("tier"), "worker": worker, "at": timezone.now().isoformat()}
    caches["workers"].set(HEARTBEAT_KEY, beat, HEARTBEAT_SECONDS)


def _sandbox() -> dict[str, Any]:
    """The tier the workers last reported, when, and how long ago (seconds); ``unknown`` when
    no worker has reported (none started, or the cache is unreachable)."""
    try:
        beat = caches["workers"].get(HEARTBEAT_KEY)
    except Exception as exc:
        return {"tier": "unknown", "error": f"cache: {exc.__class__.__name__}"}
    if not beat:
        return {"tier": "unknown", "error": "no worker has reported"}
    age = (timezone.now() - datetime.fromisoformat(beat["at"])).total_seconds()
    return {
        "tier": beat["tier"],
        "worker": beat["worker"],
        "heartbeat": beat["at"],
        "age_seconds": round(age, 1),
    }


def report() -> dict[str, Any]:
    database, broker = _database(), _broker()
    return {
        "ok": database == "ok" and broker == "ok",
        "database": database,
        "broker": broker,
        "sandbox": _sandbox(),
    }
