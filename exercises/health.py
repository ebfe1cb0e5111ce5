"""What /healthz reports: can we reach the database and the broker, which sandbox tier runs."""

from __future__ import annotations

from typing import Any

from django.db import connection


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _broker() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _sandbox() -> dict[str, Any]:
    """The tier this machine gives submissions (the web process runs no zygote itself)."""
    from grader.sandbox import detect_tier

    try:
        return {"tier": detect_tier()}
    except Exception as exc:
        return {"tier": "unavailable", "error": exc.__class__.__name__}


def report() -> dict[str, Any]:
    database, broker = _database(), _broker()
    return {
        "ok": database == "ok" and broker == "ok",
        "database": database,
        "broker": broker,
        "sandbox": _sandbox(),
    }
