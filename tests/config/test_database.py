"""The web tier's PostgreSQL connections: kept for minutes, and preparing the statements they
repeat."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.config.test_startup import run_manage

pytestmark = pytest.mark.django_db


def test_a_statement_run_often_is_prepared_once_on_the_server():
    """Server-side binding with psycopg's prepare threshold: the hot paths' statements are
    planned once per connection instead of on every request (Django's default binds on the
    client and never prepares)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    query = "SELECT count(*) FROM exercises_problem WHERE slug = %s"
    with connection.cursor() as cursor:
        for slug in ("a", "b", "c", "d", "e", "f"):
            cursor.execute(query, [slug])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("exercises_problem" in statement for statement in prepared), prepared


def _conn_max_age(**env: str) -> str:
    """CONN_MAX_AGE as production settings read it from ``env`` (no connection is made)."""
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        SECRET_KEY="x" * 50,
        STRIDE_HTTPS="0",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/stride",
        **env,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip().splitlines()[-1]  # after shell's note of its imports


def test_a_connection_is_kept_ten_minutes_unless_the_deployment_says_otherwise():
    """A new connection is a server process to start and its prepared statements lost: at
    60 s a class of 300 opened 44 in 40 s."""
    assert _conn_max_age() == "600"
    assert _conn_max_age(STRIDE_DB_CONN_MAX_AGE="0") == "0"
