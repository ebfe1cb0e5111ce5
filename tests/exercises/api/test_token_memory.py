"""API tokens are remembered per process (``exercises.api.authentication``): the second request
with a token makes no token query, and a deleted token or a deactivated user is refused at once
in the process where it changed, and by the others once the memory's time is up."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises.api import authentication


@pytest.fixture(autouse=True)
def fresh_memory():
    authentication.remembered.clear()
    yield
    authentication.remembered.clear()


def _client(token: Token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _token_queries(client: APIClient) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/problems")
    return response.status_code, sum('"authtoken_token"' in q["sql"] for q in queries)


@pytest.mark.django_db
def test_the_second_request_with_a_token_reads_no_token(student):
    client = _client(Token.objects.create(user=student))
    assert _token_queries(client) == (200, 1)
    assert _token_queries(client) == (200, 0)


@pytest.mark.django_db
def test_a_wrong_token_is_refused_every_time_and_never_remembered(student):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    for _ in range(2):
        response = client.get("/api/v1/problems")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_deleted_token_is_refused_at_once(student):
    token = Token.objects.create(user=student)
    client = _client(token)
    assert client.get("/api/v1/problems").status_code == 200
    token.delete()
    assert client.get("/api/v1/problems").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_user_is_refused_at_once(student):
    client = _client(Token.objects.create(user=student))
    assert client.get("/api/v1/problems").status_code == 200
    student.is_active = False
    student.save()
    assert client.get("/api/v1/problems").status_code == 401


@pytest.mark.django_db
def test_another_process_sees_a_change_once_the_memory_is_stale(student, monkeypatch):
    """A change made without this process's signals (another web process's admin) is seen
    after ``TTL_SECONDS``."""
    client = _client(Token.objects.create(user=student))
    assert client.get("/api/v1/problems").status_code == 200
    type(student).objects.filter(pk=student.pk).update(is_active=False)  # no signal here
    assert client.get("/api/v1/problems").status_code == 200  # remembered
    now = authentication.time.monotonic()
    monkeypatch.setattr(
        authentication.time, "monotonic", lambda: now + authentication.TTL_SECONDS + 1
    )
    assert client.get("/api/v1/problems").status_code == 401


@pytest.mark.django_db
def test_each_request_gets_its_own_copy_of_the_user(student):
    token = Token.objects.create(user=student)
    auth = authentication.RememberingTokenAuthentication()
    first, _ = auth.authenticate_credentials(token.key)
    first.first_name = "changed by one request"
    second, _ = auth.authenticate_credentials(token.key)
    assert second.pk == student.pk and second.first_name != "changed by one request"


def test_the_memory_keeps_at_most_its_bound(monkeypatch):
    monkeypatch.setattr(authentication, "MAX_ENTRIES", 3)
    memory = authentication._Remembered()

    class User:
        def __init__(self, pk):
            self.pk = pk

    for n in range(5):
        memory.put(f"k{n}", User(n), None)
    assert [memory.get(f"k{n}") is not None for n in range(5)] == [False, False, True, True, True]
