"""Idempotent submissions: a retried POST with the same Idempotency-Key returns the first
request's submission instead of making another attempt."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from exercises.models import Submission
from tests.conftest import api_client_for, need, psycopg_params

SUBMIT = "/api/v1/problems/{}/submissions"


def keyed(client, slug: str, body: dict, key: str | None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(SUBMIT.format(slug), body, format="json", **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_submission(api, student, bank):
    key = str(uuid.uuid4())
    first = keyed(api(student), "output-size-stride", {"answer": 3}, key)
    assert first.status_code == 202
    assert "Idempotent-Replayed" not in first
    retry = keyed(api(student), "output-size-stride", {"answer": 3}, key)
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert Submission.objects.filter(user=student).count() == 1


@pytest.mark.django_db
def test_without_a_key_every_post_is_a_new_attempt(api, student, bank):
    for _ in range(2):
        assert keyed(api(student), "output-size-stride", {"answer": 3}, None).status_code == 202
    assert Submission.objects.filter(user=student).count() == 2


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_a_422_and_stores_nothing(api, student, bank):
    key = "retry-me-1"
    assert keyed(api(student), "output-size-stride", {"answer": 3}, key).status_code == 202
    other = keyed(api(student), "output-size-stride", {"answer": 4}, key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert other.json()["error"]["field"] == "Idempotency-Key"
    elsewhere = keyed(api(student), "feature-map-volume", {"answer": [1, 2, 3]}, key)
    assert elsewhere.status_code == 422
    assert Submission.objects.filter(user=student).count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_user(api, student, other_student, bank):
    key = "shared-by-chance"
    mine = keyed(api(student), "output-size-stride", {"answer": 3}, key)
    theirs = keyed(api(other_student), "output-size-stride", {"answer": 3}, key)
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.django_db
def test_a_retry_is_answered_even_once_the_rate_limit_is_reached(api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "SUBMISSIONS_PER_MINUTE": 1}
    first = keyed(api(student), "output-size-stride", {"answer": 3}, "k1")
    assert first.status_code == 202
    assert keyed(api(student), "output-size-stride", {"answer": 3}, "k2").status_code == 429
    retry = keyed(api(student), "output-size-stride", {"answer": 3}, "k1")
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "with space", "x" * 201, "naïve"])
def test_an_unusable_key_is_a_400_naming_the_header(api, student, bank, key):
    response = keyed(api(student), "output-size-stride", {"answer": 3}, key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_the_schema_and_the_docs_page_document_the_header(client):
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = schema.json()["paths"]["/api/v1/problems/{slug}/submissions"]["post"]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert {"200", "202", "422"} <= set(operation["responses"])
    html = client.get("/api/docs").content.decode()
    assert "Idempotency-Key" in html and "Idempotent-Replayed" in html


def _waiting_on_locks(count: int, timeout: float = 10.0) -> None:
    """Until ``count`` sessions of the test database wait on a lock. Its own autocommit
    connection: pg_stat_activity is a snapshot per transaction."""
    params = psycopg_params(connection)
    deadline = time.monotonic() + timeout
    with psycopg.connect(**params, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            (waiting,) = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if waiting >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} requests never waited on the user's row lock")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_make_exactly_one_submission(student, bank):
    """Both requests pass the first look for the key while the user's row is locked (by this
    test, standing in for a third request), then queue on that lock: whichever gets it
    second must find the first one's submission."""
    need(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL)")
    user_table = get_user_model()._meta.db_table
    results: list = []

    def post() -> None:
        try:
            response = keyed(
                api_client_for(student), "output-size-stride", {"answer": 3}, "twin-key"
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    with psycopg.connect(**psycopg_params(connection)) as holder:
        holder.execute(f"SELECT 1 FROM {user_table} WHERE id = %s FOR UPDATE", [student.pk])
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        _waiting_on_locks(2)
        holder.commit()  # let them go
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(status for status, _ in results) == [200, 202]
    assert results[0][1]["id"] == results[1][1]["id"]
    assert Submission.objects.filter(user=student).count() == 1
