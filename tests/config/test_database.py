"""The web tier's PostgreSQL connections prepare the statements they repeat."""

from __future__ import annotations

import pytest
from django.db import connection

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
